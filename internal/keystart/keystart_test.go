package keystart

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/awsx-cli/awsx/internal/items"
	"github.com/awsx-cli/awsx/internal/kek"
	"github.com/awsx-cli/awsx/shells"
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
	item(t, filepath.Join(keys, "keys%2Fbastion"))
	item(t, filepath.Join(home, "elsewhere", "session%2Fdev"))
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
		item string
		wd   func() (string, error)
	}{
		{[]string{"exec", "prod", "--", "aws", "sts"}, pass, "session/prod", in(home)},
		{[]string{"--debug", "export", "prod", "--format", "json"}, pass, "session/prod", in(home)},
		{[]string{"exec", "--region", "eu-west-1", "prod", "--", "true"}, pass, "session/prod", in(home)},
		{[]string{"--backend", "file", "exec", "prod"}, pass, "session/prod", in(home)},
		{[]string{"--backend=file", "exec", "prod"}, pass, "session/prod", in(home)},
		{[]string{"use", "dev", "--shell", "zsh"}, pass, "session/dev", in(home)},
		{[]string{"exec", "dev"}, map[string]string{"AWSX_FILE_PASSPHRASE": "pw", "AWSX_FILE_DIR": "~/elsewhere"}, "session/dev", in(home)},
		// Nothing to guess, or nothing to start.
		{[]string{"exec", "prod"}, map[string]string{}, "", in(home)},
		{[]string{"exec", "--", "prod"}, pass, "", in(home)},
		{[]string{"exec", "nosuch"}, pass, "", in(home)},
		{[]string{"exec", "bastion"}, pass, "", in(home)}, // its key, but no session yet
		{[]string{"list"}, pass, "", in(home)},
		{[]string{"login", "prod"}, pass, "", in(home)},
		{[]string{"hook-env", "bash"}, pass, "session/prod", in(tree)},
		{[]string{"hook-env", "bash"}, map[string]string{"AWSX_FILE_PASSPHRASE": "pw", "AWSX_PROFILE": "dev"}, "session/prod", in(tree)},
		{[]string{"hook-env", "bash"}, map[string]string{"AWSX_FILE_PASSPHRASE": "pw", "AWSX_PROFILE": "prod"}, "", in(tree)}, // a cd within the tree
		{[]string{"hook-env", "bash"}, map[string]string{}, "", in(tree)},
		{[]string{"hook-env", "bash"}, map[string]string{"AWSX_FILE_PASSPHRASE": "pw", "AWSX_BACKEND": "pass"}, "", in(tree)},
		{[]string{"--backend", "secret-service", "hook-env", "bash"}, pass, "", in(tree)},
		{[]string{"hook-env", "bash"}, pass, "", in(home)},
		{[]string{"hook-env", "bash"}, pass, "", in(filepath.Join(home, "loose"))}, // a marker the hook refuses
		{[]string{"hook-env", "bash"}, pass, "", func() (string, error) { return "", errors.New("gone") }},
		{[]string{"exec", "prod"}, map[string]string{"AWSX_FILE_PASSPHRASE": "pw", "AWSX_BACKEND": "pass"}, "", in(home)},
		{[]string{"--backend", "secret-service", "exec", "prod"}, pass, "", in(home)},
		{[]string{"-test.run=X", "-test.v"}, pass, "", in(home)},
	} {
		if got := guess(tc.args, func(k string) string { return tc.env[k] }, home, tc.wd); got != tc.item {
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

// TestMarkerAsShells: the marker's profile is the one shells finds and
// reads, wherever shells reads one.
func TestMarkerAsShells(t *testing.T) {
	root := t.TempDir()
	markers := map[string]string{
		"a/.awsx":     "profile = prod\n",
		"a/b/.awsx":   "# dev\nprofile=dev # inline\nregion = eu-west-1\n",
		"c/.awsx":     "profile = qa\n",
		"c/d/.awsx/x": "a directory called .awsx is not a marker",
		"e/.awsx":     "  profile   =   spaced  \r\n",
		"g/.awsx":     "region = x\n",
		"h/.awsx":     "",
		"i/.awsx":     "profile = one\nprofile = two\n",
		"j/.awsx":     "profile = x y\n",
		"k/.awsx":     "nonsense\nprofile = k\n",
	}
	for rel, content := range markers {
		writeFile(t, filepath.Join(root, rel), content, 0o644)
	}
	writeFile(t, filepath.Join(root, "f", ".awsx"), "profile = loose\n", 0o664)
	if err := os.Symlink(filepath.Join(root, "a", ".awsx"), filepath.Join(root, "c", "d", "e")); err != nil {
		t.Fatal(err)
	}
	dirs := []string{"a", "a/b", "a/b/x/y", "c", "c/d", "c/d/.awsx", "e", "f", "g", "h", "i", "j", "k", "", "a/../c/./d//"}
	for _, rel := range dirs {
		dir := filepath.Join(root, rel)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		raw := root + "/" + rel // as $PWD may give it, unclean
		want := ""
		if path, ok := shells.FindMarker(dir); ok {
			if m, err := shells.ReadMarker(path); err == nil {
				want = m.Profile
			}
		}
		got := markerProfile(func() (string, error) { return raw, nil })
		// A guess may miss where shells refuses the marker, never differ
		// where shells reads one.
		if want != "" && got != want || want == "" && got != "" && shellsRefuses(dir) == false {
			t.Errorf("%s: guessed %q, shells reads %q", rel, got, want)
		}
	}
}

// shellsRefuses reports whether the marker nearest dir is one shells
// finds but refuses.
func shellsRefuses(dir string) bool {
	path, ok := shells.FindMarker(dir)
	if !ok {
		return false
	}
	_, err := shells.ReadMarker(path)
	return err != nil
}
