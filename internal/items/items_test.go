package items

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/99designs/keyring"
)

// File must name the file the keyring library itself writes an item to:
// package warm reads it before the library is there to ask (and package
// keystart works it out the same way, held to File by its own test).
func TestFileIsWhereTheKeyringLibraryWrites(t *testing.T) {
	dir := t.TempDir()
	ring, err := keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		FileDir:          dir,
		FilePasswordFunc: func(string) (string, error) { return "pw", nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{Session("prod"), Keys("a%b"), SSO("https://corp.awsapps.com/start")} {
		if err := ring.Set(keyring.Item{Key: name, Data: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, File(name))); err != nil {
			t.Errorf("item %q: %v", name, err)
		}
	}
}

func TestFileDir(t *testing.T) {
	for dir, want := range map[string]string{
		"":            "/home/u/.awsx/keys",
		"~":           "/home/u",
		"~/keys":      "/home/u/keys",
		"/srv/keys":   "/srv/keys",
		"~other/keys": "~other/keys",
	} {
		if got := FileDir("/home/u", func(string) string { return dir }); got != want {
			t.Errorf("AWSX_FILE_DIR=%q: %s, want %s", dir, got, want)
		}
	}
}
