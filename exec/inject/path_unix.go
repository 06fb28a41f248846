//go:build !windows

package inject

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// LookPath finds name in the PATH of env. Relative PATH entries are skipped,
// as os/exec does, so that a command is never picked up from the current
// directory by accident.
func LookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range filepath.SplitList(EnvValue(env, "PATH")) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		path := filepath.Join(dir, name)
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return path, nil
		}
	}
	return "", errors.New("command not found in PATH")
}

// SameEnvName compares variable names as the platform does: exactly.
func SameEnvName(a, b string) bool { return a == b }
