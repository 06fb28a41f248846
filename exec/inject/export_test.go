package inject

import (
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"

	"github.com/awsx-cli/awsx/vault/creds"
)

var sample = creds.Credentials{
	Profile:         "prod",
	AccessKeyID:     "ASIAEXAMPLEEXAMPLE01",
	SecretAccessKey: "secret/with+odd='chars'",
	SessionToken:    "token",
	Expires:         time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC),
	AccountID:       "222222222222",
	Region:          "eu-west-1",
}

func ExampleExport_env() {
	out, _ := Export("env", sample, "")
	fmt.Print(out)
	// Output:
	// export AWS_ACCESS_KEY_ID='ASIAEXAMPLEEXAMPLE01'
	// export AWS_SECRET_ACCESS_KEY='secret/with+odd='\''chars'\'''
	// export AWS_SESSION_TOKEN='token'
	// export AWS_CREDENTIAL_EXPIRATION='2026-11-25T20:00:00Z'
	// export AWSX_EXPIRATION='1795636800'
	// export AWS_REGION='eu-west-1'
	// export AWS_DEFAULT_REGION='eu-west-1'
	// export AWSX_PROFILE='prod'
	// export AWS_VAULT='prod'
	// export AWSX_ACCOUNT_ID='222222222222'
	// unset AWS_PROFILE
	// unset AWS_DEFAULT_PROFILE
	// unset AWS_SECURITY_TOKEN
	// unset AWS_SESSION_EXPIRATION
	// unset AWS_CONTAINER_CREDENTIALS_FULL_URI
	// unset AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
	// unset AWS_CONTAINER_AUTHORIZATION_TOKEN
	// unset AWS_WEB_IDENTITY_TOKEN_FILE
	// unset AWS_ROLE_ARN
}

func ExampleExport_fish() {
	c := sample
	c.SessionToken, c.Expires, c.AccountID = "", time.Time{}, ""
	out, _ := Export("fish", c, "us-east-1")
	fmt.Print(strings.Join(strings.Split(out, "\n")[:8], "\n"))
	// Output:
	// set -gx AWS_ACCESS_KEY_ID 'ASIAEXAMPLEEXAMPLE01'
	// set -gx AWS_SECRET_ACCESS_KEY 'secret/with+odd=\'chars\''
	// set -gx AWS_REGION 'us-east-1'
	// set -gx AWS_DEFAULT_REGION 'us-east-1'
	// set -gx AWSX_PROFILE 'prod'
	// set -gx AWS_VAULT 'prod'
	// set -e -g AWS_PROFILE
	// set -e -g AWS_DEFAULT_PROFILE
}

func ExampleExport_powershell() {
	out, _ := Export("powershell", sample, "")
	fmt.Print(strings.Join(strings.Split(out, "\n")[:2], "\n"))
	// Output:
	// $Env:AWS_ACCESS_KEY_ID = 'ASIAEXAMPLEEXAMPLE01'
	// $Env:AWS_SECRET_ACCESS_KEY = 'secret/with+odd=''chars'''
}

func ExampleProcessJSON() {
	out, _ := ProcessJSON(sample)
	fmt.Print(out)
	// Output:
	// {"Version":1,"AccessKeyId":"ASIAEXAMPLEEXAMPLE01","SecretAccessKey":"secret/with+odd='chars'","SessionToken":"token","Expiration":"2026-11-25T20:00:00Z"}
}

func TestExportUnknownFormat(t *testing.T) {
	if _, err := Export("yaml", sample, ""); err == nil || !strings.Contains(err.Error(), "env, fish, powershell, json") {
		t.Fatalf("err = %v", err)
	}
}

// TestExportEvalRoundTrip evaluates the env export in a real sh and reads
// every value back unchanged, nasty characters included.
func TestExportEvalRoundTrip(t *testing.T) {
	c := sample
	c.SecretAccessKey = "a'b\"c$(touch PWNED)`x`\\n\nnewline ü ;|&"
	out, err := Export("env", c, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := osexec.Command("sh", "-c", out+`printf '%s' "$AWS_SECRET_ACCESS_KEY"`)
	cmd.Dir = dir
	got, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != c.SecretAccessKey {
		t.Fatalf("round trip: got %q, want %q", got, c.SecretAccessKey)
	}
	if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
		t.Fatal("a value was executed")
	}
}

// FuzzProcessJSON checks that whatever the credentials hold, the SDK's own
// credential_process provider reads back exactly what awsx printed.
func FuzzProcessJSON(f *testing.F) {
	f.Add("ASIAEXAMPLE", "secret", "token", int64(1795636800))
	f.Add("AKIA\"quoted\"", "sec\\ret\n", "", int64(0))
	f.Add("\u2028", "</script>", "\x00", int64(-1))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, id, secret, token string, exp int64) {
		if id == "" || secret == "" || !utf8.ValidString(id) || !utf8.ValidString(secret) || !utf8.ValidString(token) {
			t.Skip("the SDK requires non-empty keys; JSON carries UTF-8")
		}
		c := creds.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}
		if exp > 0 && exp < 1<<34 {
			c.Expires = time.Unix(exp, 0).UTC()
		}
		out, err := ProcessJSON(c)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "out.json")
		if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := processcreds.NewProvider("cat " + path).Retrieve(context.Background())
		if err != nil {
			t.Fatalf("the SDK refused %q: %v", out, err)
		}
		if got.AccessKeyID != id || got.SecretAccessKey != secret || got.SessionToken != token {
			t.Fatalf("round trip changed the keys: %q", out)
		}
		if c.CanExpire() && !got.Expires.Equal(c.Expires) {
			t.Fatalf("expiry %v, want %v", got.Expires, c.Expires)
		}
	})
}
