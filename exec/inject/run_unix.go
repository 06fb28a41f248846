//go:build !windows

package inject

import (
	"fmt"
	"syscall"
)

// Run replaces awsx with argv in environment env, so that the exit status
// and signals are the command's own. It returns only on failure.
func Run(argv []string, env []string) error {
	path, err := findCommand(argv[0], env)
	if err != nil {
		return err
	}
	if err := syscall.Exec(path, argv, env); err != nil {
		return fmt.Errorf("run %s: %w", argv[0], err)
	}
	return nil
}

// DefaultShell is the command exec runs when none is given: the user's
// $SHELL, else /bin/sh.
func DefaultShell(getenv func(string) string) string {
	if s := getenv("SHELL"); s != "" {
		return s
	}
	return "/bin/sh"
}
