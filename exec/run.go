package exec

import "fmt"

// ExitError carries a child's exit status up to main, which exits with it.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// findCommand looks argv0 up in the child's PATH, for a message that names
// the command.
func findCommand(argv0 string, env []string) (string, error) {
	path, err := lookPathIn(argv0, env)
	if err != nil {
		return "", fmt.Errorf("command %q not found in PATH", argv0)
	}
	return path, nil
}
