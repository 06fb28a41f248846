package vault

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzProcessOutput feeds a profile's credential_process arbitrary output.
// Whatever it prints, awsx does not panic, its error is one line naming
// the profile, and nothing the process printed reaches the message: the
// output of a credential helper is full of secrets.
func FuzzProcessOutput(f *testing.F) {
	f.Add([]byte(`{"Version":1,"AccessKeyId":"AKIAS3CR3T","SecretAccessKey":"S3CR3T","SessionToken":"S3CR3T","Expiration":"2030-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"Version":2,"AccessKeyId":"a","SecretAccessKey":"S3CR3T"}`))
	f.Add([]byte(`{"Version":1,"AccessKeyId":"a","SecretAccessKey":"S3CR3T","Expiration":"tomorrow"}`))
	f.Add([]byte(`{"Version":1,"SecretAccessKey":"S3CR3T"}`))
	f.Add([]byte("AccessKeyId=AKIA\nSecretAccessKey=S3CR3T\n"))
	f.Add([]byte(`{"Version":1,"AccessKeyId":"a","SecretAccessKey":"S3CR3T"`))
	f.Add([]byte{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, out []byte) {
		path := filepath.Join(dir, "out")
		if err := os.WriteFile(path, out, 0o600); err != nil {
			t.Fatal(err)
		}
		v := &Vault{Stderr: io.Discard}
		p := &Profile{Name: "helper", CredentialProcess: "cat " + path}
		c, err := newProcessProvider(v, p).Retrieve(context.Background())
		if err == nil {
			if c.AccessKeyID == "" || c.SecretAccessKey == "" {
				t.Fatalf("accepted %q without keys: %+v", out, c)
			}
			return
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, `profile "helper": credential_process: `) {
			t.Fatalf("error not one line naming the profile: %q", msg)
		}
		if strings.Contains(string(out), "S3CR3T") && strings.Contains(msg, "S3CR3T") {
			t.Fatalf("the error repeats the output: %q", msg)
		}
	})
}
