package keystart

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/awsx-cli/awsx/internal/items"
	"github.com/awsx-cli/awsx/internal/kek"
)

const header = `{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2c":8192,"p2s":"f_IBKAPjT9nvM_mu"}`

func item(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(base64.RawURLEncoding.EncodeToString([]byte(header))+".a.b.c.d"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestGuess(t *testing.T) {
	home := t.TempDir()
	keys := filepath.Join(home, ".awsx", "keys")
	item(t, filepath.Join(keys, "session%2Fprod"))
	item(t, filepath.Join(keys, "session%2Fdev"))
	item(t, filepath.Join(keys, "keys%2Fbastion"))
	item(t, filepath.Join(home, "elsewhere", "session%2Fdev"))
	pass := map[string]string{"AWSX_FILE_PASSPHRASE": "pw"}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		item string
	}{
		{[]string{"exec", "prod", "--", "aws", "sts"}, pass, "session/prod"},
		{[]string{"--debug", "export", "prod", "--format", "json"}, pass, "session/prod"},
		{[]string{"exec", "--region", "eu-west-1", "prod", "--", "true"}, pass, "session/prod"},
		{[]string{"--backend", "file", "exec", "prod"}, pass, "session/prod"},
		{[]string{"--backend=file", "exec", "prod"}, pass, "session/prod"},
		{[]string{"use", "dev", "--shell", "zsh"}, pass, "session/dev"},
		{[]string{"exec", "dev"}, map[string]string{"AWSX_FILE_PASSPHRASE": "pw", "AWSX_FILE_DIR": "~/elsewhere"}, "session/dev"},
		// Nothing to guess, or nothing to start.
		{[]string{"exec", "prod"}, map[string]string{}, ""},
		{[]string{"exec", "--", "prod"}, pass, ""},
		{[]string{"exec", "nosuch"}, pass, ""},
		{[]string{"exec", "bastion"}, pass, ""}, // its key, but no session yet
		{[]string{"list"}, pass, ""},
		{[]string{"login", "prod"}, pass, ""},
		{[]string{"hook-env", "bash"}, pass, ""}, // package headstart's
		{[]string{"exec", "prod"}, map[string]string{"AWSX_FILE_PASSPHRASE": "pw", "AWSX_BACKEND": "pass"}, ""},
		{[]string{"--backend", "secret-service", "exec", "prod"}, pass, ""},
		{[]string{"-test.run=X", "-test.v"}, pass, ""},
	} {
		if got := guess(tc.args, func(k string) string { return tc.env[k] }, home); got != tc.item {
			t.Errorf("%q with %v: guessed %q, want %q", tc.args, tc.env, got, tc.item)
		}
		if item, _ := kek.HeadStart(); tc.item != "" && item != tc.item {
			t.Errorf("%q: kek started %q, want %q", tc.args, item, tc.item)
		}
	}
}

// TestItemPathAsItems: the item's path is package items' own.
func TestItemPathAsItems(t *testing.T) {
	for _, home := range []string{"/home/u", "/root"} {
		for _, dir := range []string{"", "~", "~/elsewhere", "~/a/b", "/var/keys", "relative/keys"} {
			getenv := func(k string) string {
				if k == "AWSX_FILE_DIR" {
					return dir
				}
				return ""
			}
			if got, want := fileDir(home, getenv), items.FileDir(home, getenv); got != want {
				t.Errorf("home %q, AWSX_FILE_DIR %q: %q, items has %q", home, dir, got, want)
			}
		}
	}
}
