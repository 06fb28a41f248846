// Command sdkprobe is a Go SDK program for the end-to-end scripts: it
// resolves credentials the way any SDK tool does (environment, container
// credentials endpoint, shared config) and prints the account that STS
// reports, N times with a pause, to check renewals behind exec --server.
// With N, it also prints the access key id it used, and asks for new
// credentials whenever less than 5 minutes are left (the SDK's default
// for container credentials), so short sessions are fetched again.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func main() {
	n := 1
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdkprobe:", err)
		os.Exit(1)
	}
	client := sts.NewFromConfig(cfg)
	for i := 0; i < n; i++ {
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			fmt.Fprintln(os.Stderr, "sdkprobe:", err)
			os.Exit(1)
		}
		if len(os.Args) > 1 {
			creds, err := cfg.Credentials.Retrieve(ctx)
			if err != nil {
				fmt.Fprintln(os.Stderr, "sdkprobe:", err)
				os.Exit(1)
			}
			fmt.Println(aws.ToString(out.Account), creds.AccessKeyID)
		} else {
			fmt.Println(aws.ToString(out.Account))
		}
		if i+1 < n {
			time.Sleep(1500 * time.Millisecond)
		}
	}
}
