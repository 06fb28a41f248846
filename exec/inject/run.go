package inject

import "fmt"

// ExitError carries a child's exit status up to main, which exits with it.
// Err, when set, is why the child did not run, which main prints first.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("exit status %d", e.Code)
}

// findCommand looks argv0 up in the child's PATH, for a message that names
// the command.
func findCommand(argv0 string, env []string) (string, error) {
	path, err := LookPath(argv0, env)
	if err != nil {
		return "", fmt.Errorf("command %q not found in PATH", argv0)
	}
	return path, nil
}
