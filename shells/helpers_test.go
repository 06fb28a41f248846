package shells

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// assertNoPwned fails when any file under dir has PWNED in its name: the
// hostile strings all try to create one.
func assertNoPwned(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "PWNED") && !d.IsDir() {
			t.Errorf("hostile input ran: %s exists", p)
		}
		return nil
	})
}
