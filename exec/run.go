package exec

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// findInPath finds argv0 in the PATH of env, the child's environment, rather
// than awsx's own.
func findInPath(argv0 string, env []string) (string, error) {
	if strings.ContainsRune(argv0, filepath.Separator) || strings.ContainsRune(argv0, '/') {
		return argv0, nil
	}
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, argv0)
		if found, err := exec.LookPath(p); err == nil {
			return found, nil
		}
	}
	return "", fmt.Errorf("command %q not found in PATH", argv0)
}

// ExitError carries a child's exit status up to main, which exits with it.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// statusOf maps a finished command's error to a shell-style status.
func statusOf(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if code, ok := signalCode(ee); ok {
			return code, nil
		}
		return ee.ExitCode(), nil
	}
	return 0, err
}
