package vault

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// awsConfig builds the SDK configuration for calls made on behalf of
// profile p with credentials creds. It goes through LoadDefaultConfig with
// the profile's own section, so region, endpoint_url, services and the
// AWS_ENDPOINT_URL* variables mean what they mean to the SDK.
func (v *Vault) awsConfig(ctx context.Context, p *Profile, region string, creds aws.CredentialsProvider) (cfg aws.Config, err error) {
	overlay, done, err := credentialsOverlay(v.Config.keyringUsers())
	if err != nil {
		return aws.Config{}, err
	}
	defer done()
	defer recoverSDKParse(v.Config.Path, &err)
	if region == "" {
		region = effectiveRegion(p)
	}
	if region == "" {
		region = firstNonEmpty(v.getenv("AWS_REGION"), v.getenv("AWS_DEFAULT_REGION"), "us-east-1")
	}
	opts := []func(*config.LoadOptions) error{
		config.WithSharedConfigFiles(v.Config.configFiles()),
		config.WithSharedCredentialsFiles([]string{overlay}),
		config.WithRegion(region),
		config.WithCredentialsProvider(creds),
		config.WithHTTPClient(awshttp.NewBuildableClient().
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = 3 * time.Second }).
			WithTimeout(20 * time.Second)),
		// Throttling and 5xx are retried with the SDK's own backoff; three
		// attempts keep an unreachable endpoint's failure within seconds.
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.MaxBackoff = 2 * time.Second
			})
		}),
	}
	if p != nil && v.Config.Has(p.Name) {
		opts = append(opts, config.WithSharedConfigProfile(p.Name))
	}
	cfg, err = config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %v", err)
	}
	return cfg, nil
}

func (v *Vault) stsClient(ctx context.Context, p *Profile, creds aws.CredentialsProvider) (*sts.Client, error) {
	cfg, err := v.awsConfig(ctx, p, "", creds)
	if err != nil {
		return nil, err
	}
	return sts.NewFromConfig(cfg), nil
}

func firstNonEmpty(vals ...string) string {
	for _, s := range vals {
		if s != "" {
			return s
		}
	}
	return ""
}

// describeAWSError reduces an SDK error to what a user can act on: the
// service's error code and message, or the endpoint that could not be
// reached.
func describeAWSError(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		msg := api.ErrorCode()
		if m := api.ErrorMessage(); m != "" {
			msg += ": " + m
		}
		if isClockSkew(api) {
			msg += " (is this machine's clock more than 5 minutes off?)"
		}
		return msg
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		reason := uerr.Err.Error()
		var op *net.OpError
		if errors.As(uerr.Err, &op) && op.Err != nil {
			reason = op.Err.Error()
			var sys *os.SyscallError
			if errors.As(op.Err, &sys) {
				reason = sys.Err.Error()
			}
		}
		u := uerr.URL
		if pu, perr := url.Parse(u); perr == nil {
			u = pu.Scheme + "://" + pu.Host
		}
		return fmt.Sprintf("cannot reach %s (%s); check the network, or AWS_ENDPOINT_URL* and endpoint_url", u, reason)
	}
	return err.Error()
}

// isClockSkew recognises AWS's answers to a request signed with a clock
// more than 5 minutes off. A SignatureDoesNotMatch without "Signature
// expired" is a wrong secret key, not the clock, and AWS's message says so.
func isClockSkew(api smithy.APIError) bool {
	switch api.ErrorCode() {
	case "RequestExpired", "RequestTimeTooSkewed":
		return true
	}
	m := api.ErrorMessage()
	return strings.Contains(m, "Signature expired") || strings.Contains(m, "Signature not yet current")
}
