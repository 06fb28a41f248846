package inject

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
)

// Run runs argv in environment env and waits, since Windows cannot replace
// a process; the command's exit status comes back as an *ExitError.
func Run(argv []string, env []string) error {
	path, err := findCommand(argv[0], env)
	if err != nil {
		return err
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Ctrl-C reaches every process of the console: the command decides
	// what it means, and awsx waits to hand back its exit status. (Ignore
	// would not do: Windows ends a process whose handler does not take it.)
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &ExitError{Code: ee.ProcessState.ExitCode()}
	}
	return err
}

// DefaultShell is the command exec runs when none is given: the user's
// $SHELL (Git Bash, MSYS), else the Windows command interpreter.
func DefaultShell(getenv func(string) string) string {
	for _, v := range []string{getenv("SHELL"), getenv("COMSPEC")} {
		if v != "" {
			return v
		}
	}
	return "cmd.exe"
}
