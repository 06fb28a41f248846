package vault

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestIAMEndpointMatchesSDK resolves IAM's endpoint in every way the
// configuration can give it, and checks the answer against the SDK's own
// IAM client (linked into this test only): awsx's small client must go
// where the SDK's would, signed for the same region.
func TestIAMEndpointMatchesSDK(t *testing.T) {
	for _, tc := range []struct {
		name, region, config string
		env                  map[string]string
	}{
		{name: "aws partition", region: "eu-west-1"},
		{name: "govcloud", region: "us-gov-east-1"},
		{name: "china", region: "cn-northwest-1"},
		{name: "global env", region: "eu-west-1", env: map[string]string{"AWS_ENDPOINT_URL": "http://global.test:1"}},
		{name: "service env wins", region: "eu-west-1", env: map[string]string{"AWS_ENDPOINT_URL": "http://global.test:1", "AWS_ENDPOINT_URL_IAM": "http://iam.test:2"}},
		{name: "services section", region: "eu-west-1", config: "services = local\n[services local]\niam =\n  endpoint_url = http://services.test:3\n"},
		{name: "global env over services section", region: "eu-west-1", config: "services = local\n[services local]\niam =\n  endpoint_url = http://services.test:3\n",
			env: map[string]string{"AWS_ENDPOINT_URL": "http://global.test:1"}},
		{name: "profile endpoint_url", region: "eu-west-1", config: "endpoint_url = http://profile.test:4\n"},
		{name: "ignored overrides", region: "eu-west-1", config: "endpoint_url = http://profile.test:4\n",
			env: map[string]string{"AWS_ENDPOINT_URL_IAM": "http://iam.test:2", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_IAM", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_PROFILE", "AWS_CONFIG_FILE"} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			path := filepath.Join(t.TempDir(), "config")
			if err := os.WriteFile(path, []byte("[profile p]\n"+tc.config), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigFiles([]string{path}),
				config.WithSharedCredentialsFiles([]string{}), config.WithSharedConfigProfile("p"), config.WithRegion(tc.region))
			if err != nil {
				t.Fatal(err)
			}
			endpoint, region := iamEndpoint(ctx, cfg)

			client := iam.NewFromConfig(cfg)
			opts := client.Options()
			resolved, err := opts.EndpointResolverV2.ResolveEndpoint(ctx, iam.EndpointParameters{Region: aws.String(tc.region), Endpoint: opts.BaseEndpoint})
			if err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(resolved.URI.String(), "/")
			wantRegion := ""
			if schemes, ok := smithyauth.GetAuthOptions(&resolved.Properties); ok && len(schemes) > 0 {
				wantRegion, _ = smithyhttp.GetSigV4SigningRegion(&schemes[0].SignerProperties)
			}
			if opts.BaseEndpoint != nil {
				// The SDK signs for a custom endpoint with the client's region.
				wantRegion = opts.Region
			}
			if endpoint != want || region != wantRegion {
				t.Fatalf("awsx resolves %s signed for %s; the SDK's IAM client %s signed for %s", endpoint, region, want, wantRegion)
			}
		})
	}
}

// TestIAMErrors: IAM's error answers become API errors with their code
// and message, and the SDK's retryer retries throttling and 5xx, then
// stops; a client error is not retried.
func TestIAMErrors(t *testing.T) {
	var calls atomic.Int32
	type answer struct {
		status int
		body   string
	}
	var answers []answer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		if err := r.ParseForm(); err != nil || r.Form.Get("Version") != "2010-05-08" || !strings.Contains(r.Header.Get("Authorization"), "/us-east-1/iam/aws4_request") {
			w.WriteHeader(400)
			return
		}
		a := answers[min(n, len(answers)-1)]
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	defer srv.Close()
	errDoc := func(kind, code, msg string) string {
		return `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>` + kind + `</Type><Code>` + code + `</Code><Message>` + msg + `</Message></Error><RequestId>x</RequestId></ErrorResponse>`
	}
	ok := `<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><UserName>u</UserName><AccessKeyId>AKIANEW</AccessKeyId><Status>Active</Status><SecretAccessKey>s3cr3t</SecretAccessKey></AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>`
	client := &iamClient{endpoint: srv.URL, region: "us-east-1", cfg: aws.Config{
		Credentials: credentials.NewStaticCredentialsProvider("AKIAOLD", "old", ""),
		HTTPClient:  srv.Client(),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 3; o.MaxBackoff = time.Millisecond })
		},
	}}
	for _, tc := range []struct {
		name     string
		answers  []answer
		calls    int32
		wantErr  string
		wantCode string
		// deleteOnly: DeleteAccessKey, which is retried; CreateAccessKey
		// is not, a lost answer would strand a key.
		deleteOnly bool
	}{
		{name: "ok", answers: []answer{{200, ok}}, calls: 1},
		{name: "create throttled: not retried", answers: []answer{{400, errDoc("Sender", "Throttling", "Rate exceeded")}, {200, ok}}, calls: 1, wantCode: "Throttling"},
		{name: "create 5xx: not retried", answers: []answer{{503, errDoc("Receiver", "ServiceUnavailable", "down")}, {200, ok}}, calls: 1, wantCode: "ServiceUnavailable"},
		{name: "delete throttled then ok", answers: []answer{{400, errDoc("Sender", "Throttling", "Rate exceeded")}, {200, "<DeleteAccessKeyResponse/>"}}, calls: 2, deleteOnly: true},
		{name: "delete 5xx then ok", answers: []answer{{503, errDoc("Receiver", "ServiceUnavailable", "down")}, {200, "<DeleteAccessKeyResponse/>"}}, calls: 2, deleteOnly: true},
		{name: "delete 5xx throughout", answers: []answer{{500, errDoc("Receiver", "ServiceFailure", "broken")}}, calls: 3, wantCode: "ServiceFailure", deleteOnly: true},
		{name: "access denied", answers: []answer{{403, errDoc("Sender", "AccessDenied", "not allowed")}}, calls: 1, wantCode: "AccessDenied"},
		{name: "quota", answers: []answer{{409, errDoc("Sender", "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")}}, calls: 1, wantCode: "LimitExceeded"},
		{name: "not xml", answers: []answer{{200, "<html>"}}, calls: 1, wantErr: "not XML"},
		{name: "no key", answers: []answer{{200, "<CreateAccessKeyResponse/>"}}, calls: 1, wantErr: "without a key"},
		{name: "no error document", answers: []answer{{502, "bad gateway"}}, calls: 3, wantCode: "Bad Gateway", deleteOnly: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			answers = tc.answers
			var key iamAccessKey
			var err error
			if tc.deleteOnly {
				err = client.deleteAccessKey(context.Background(), "AKIAOLD")
			} else {
				key, err = client.createAccessKey(context.Background())
			}
			if got := calls.Load(); got != tc.calls {
				t.Errorf("%d requests, want %d", got, tc.calls)
			}
			var api smithy.APIError
			switch {
			case tc.wantCode != "":
				if !strings.Contains(err.Error(), tc.wantCode) || !(errors.As(err, &api) && api.ErrorCode() == tc.wantCode) {
					t.Fatalf("error %v; want code %s", err, tc.wantCode)
				}
				if strings.Contains(describeAWSError(err), "s3cr3t") {
					t.Fatal("the error carries the secret")
				}
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v; want %q", err, tc.wantErr)
				}
			case err != nil:
				t.Fatalf("unexpected error %v", err)
			case !tc.deleteOnly && (key.AccessKeyID != "AKIANEW" || key.SecretAccessKey != "s3cr3t"):
				t.Fatalf("createAccessKey = %+v", key)
			}
		})
	}
}
