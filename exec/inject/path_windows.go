package inject

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// LookPath finds name in the Path of env, trying each PATHEXT extension when
// name has none, as cmd.exe does.
func LookPath(name string, env []string) (string, error) {
	exts := []string{""}
	if filepath.Ext(name) == "" {
		pathext := EnvValue(env, "PATHEXT")
		if pathext == "" {
			pathext = ".com;.exe;.bat;.cmd"
		}
		exts = nil
		for _, e := range strings.Split(pathext, ";") {
			if e != "" {
				exts = append(exts, strings.ToLower(e))
			}
		}
	}
	find := func(base string) (string, bool) {
		for _, e := range exts {
			if fi, err := os.Stat(base + e); err == nil && fi.Mode().IsRegular() {
				return base + e, true
			}
		}
		return "", false
	}
	if strings.ContainsAny(name, `/\:`) {
		if p, ok := find(name); ok {
			return p, nil
		}
		return "", errors.New("command not found")
	}
	for _, dir := range filepath.SplitList(EnvValue(env, "PATH")) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		if p, ok := find(filepath.Join(dir, name)); ok {
			return p, nil
		}
	}
	return "", errors.New("command not found in PATH")
}

// SameEnvName compares variable names as Windows does: ignoring case.
func SameEnvName(a, b string) bool { return strings.EqualFold(a, b) }
