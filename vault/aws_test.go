package vault

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestForeignAnswerNamesEndpoint: something that answers in place of STS
// but not as AWS does (a proxy's error page, a web server on the wrong
// port) gives one line naming the endpoint and the status, not the SDK's
// "deserialization failed".
func TestForeignAnswerNamesEndpoint(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
	}{
		{404, "<html><body>Not Found</body></html>"},
		{502, "Bad Gateway"},
		{200, "<html>welcome</html>"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			_, _ = w.Write([]byte(tc.body))
		}))
		dir := t.TempDir()
		path := filepath.Join(dir, "config")
		if err := os.WriteFile(path, []byte("[profile p]\nregion = eu-west-1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)
		cfg, err := LoadConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		v := &Vault{Config: cfg, Env: func(string) string { return "" }}
		p, err := cfg.Profile("p")
		if err != nil {
			t.Fatal(err)
		}
		client, err := v.stsClient(context.Background(), p, staticProvider(aws.Credentials{AccessKeyID: "AKIAX", SecretAccessKey: "s"}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		srv.Close()
		if err == nil {
			t.Fatalf("HTTP %d %q: no error", tc.status, tc.body)
		}
		msg := describeAWSError(err)
		want := regexp.MustCompile(`^http://127\.0\.0\.1:\d+ answered HTTP \d+, not as AWS does; check AWS_ENDPOINT_URL\* and endpoint_url$`)
		if !want.MatchString(msg) {
			t.Errorf("HTTP %d: %q", tc.status, msg)
		}
	}
}
