package headstart

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/awsx-cli/awsx/internal/kek"
)

const header = `{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2c":8192,"p2s":"f_IBKAPjT9nvM_mu"}`

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func item(t *testing.T, path string) {
	writeFile(t, path, base64.RawURLEncoding.EncodeToString([]byte(header))+".a.b.c.d", 0o600)
}

func TestGuess(t *testing.T) {
	home := t.TempDir()
	keys := filepath.Join(home, ".awsx", "keys")
	item(t, filepath.Join(keys, "session%2Fprod"))
	item(t, filepath.Join(keys, "session%2Fdev"))
	tree := filepath.Join(home, "infra", "prod")
	writeFile(t, filepath.Join(home, "infra", ".awsx"), "# prod\nprofile = prod\n", 0o644)
	writeFile(t, filepath.Join(home, "loose", ".awsx"), "profile = dev\n", 0o666)
	if err := os.MkdirAll(tree, 0o700); err != nil {
		t.Fatal(err)
	}

	pass := map[string]string{"AWSX_FILE_PASSPHRASE": "pw"}
	in := func(d string) func() (string, error) { return func() (string, error) { return d, nil } }
	for _, tc := range []struct {
		args []string
		env  map[string]string
		wd   func() (string, error)
		item string
	}{
		{[]string{"hook-env", "bash"}, pass, in(tree), "session/prod"},
		{[]string{"hook-env", "bash"}, map[string]string{"AWSX_FILE_PASSPHRASE": "pw", "AWSX_PROFILE": "dev"}, in(tree), "session/prod"},
		{[]string{"hook-env", "bash"}, map[string]string{"AWSX_FILE_PASSPHRASE": "pw", "AWSX_PROFILE": "prod"}, in(tree), ""}, // a cd within the tree
		// Nothing to guess, or nothing to start: the lines that name
		// their profile are package keystart's.
		{[]string{"exec", "prod"}, pass, in(home), ""},
		{[]string{"hook-env", "bash"}, map[string]string{}, in(tree), ""},
		{[]string{"hook-env", "bash"}, map[string]string{"AWSX_FILE_PASSPHRASE": "pw", "AWSX_BACKEND": "pass"}, in(tree), ""},
		{[]string{"--backend", "secret-service", "hook-env", "bash"}, pass, in(tree), ""},
		{[]string{"hook-env", "bash"}, pass, in(home), ""},
		{[]string{"hook-env", "bash"}, pass, in(filepath.Join(home, "loose")), ""}, // a marker the hook refuses
		{[]string{"hook-env", "bash"}, pass, func() (string, error) { return "", errors.New("gone") }, ""},
		{[]string{"-test.run=X", "-test.v"}, pass, in(home), ""},
	} {
		if got := guess(tc.args, func(k string) string { return tc.env[k] }, home, tc.wd); got != tc.item {
			t.Errorf("%q with %v: guessed %q, want %q", tc.args, tc.env, got, tc.item)
		}
		if item, _ := kek.HeadStart(); tc.item != "" && item != tc.item {
			t.Errorf("%q: kek started %q, want %q", tc.args, item, tc.item)
		}
	}
}
