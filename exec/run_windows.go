package exec

import (
	"os"
	"os/exec"
)

// Run runs argv in environment env and waits, since Windows cannot replace
// a process; the command's exit status comes back as an *ExitError.
func Run(argv []string, env []string) error {
	path, err := findInPath(argv[0], env)
	if err != nil {
		return err
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	code, err := statusOf(cmd.Run())
	if err != nil {
		return err
	}
	if code != 0 {
		return &ExitError{Code: code}
	}
	return nil
}

func signalCode(*exec.ExitError) (int, bool) { return 0, false }
