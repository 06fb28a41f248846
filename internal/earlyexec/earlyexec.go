// Package earlyexec runs a warm `awsx exec` or `awsx export --format json`
// while awsx is still starting, from package warm's index and the cached
// session; main imports it for its init alone.
//
// These are the lines that run most often: an SDK client starts
// `export --format json` as its credential_process, and a developer runs
// `exec` before every command. Go initialises every linked package before
// main, and the AWS SDK's, kong's and the keyring library's initialisation
// is most of what such a run costs. This package imports only what Go
// initialises before the SDK's endpoint tables, kong and the keyring
// library, so its init serves the run, and replaces awsx with the command
// or prints and exits, before they start (TestEarlyExecInitOrder in main).
//
// It takes only the plain lines: `exec PROFILE`, `exec PROFILE -- CMD...`,
// `exec PROFILE CMD...`, `export PROFILE --format json` in any order of
// its words, and the hook's `hook-env SHELL --warned=KEYS`
// (TestEarlyExecParseMatchesKong holds the parse to kong's;
// exec_early.txtar and hook_early.txtar the runs to main's). Any flag,
// help, a word that is not UTF-8, and every run that package warm cannot
// serve go on to main, which does the whole run; nothing has happened by
// then.
package earlyexec

import (
	"os"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awsx-cli/awsx/exec/inject"
	"github.com/awsx-cli/awsx/internal/busguard"
	"github.com/awsx-cli/awsx/vault/warm"
)

func init() {
	// A panic here would reach the user as a goroutine dump; main, which
	// runs next, says it in one line if it has the same trouble. Nothing
	// has been printed where a panic can happen.
	defer func() { _ = recover() }()
	// The environment as awsx was started with it; busguard has changed it
	// for the keyring library's probe, which has not run yet.
	env := busguard.Environ()
	getenv := func(name string) string { return inject.EnvValue(env, name) }
	line, ok := Parse(os.Args[1:])
	if !ok {
		return
	}
	run, ok := warm.Start(env, getenv)
	if !ok {
		return
	}
	if line.Hook != "" {
		if hook(run, line.Hook, line.Warned, env) {
			os.Exit(0)
		}
		return
	}
	if !line.Export && runtime.GOOS == "windows" {
		// Windows cannot replace awsx with the command: Run would run it
		// and return, and main would then run it again.
		return
	}
	// Package keystart began deriving the item's key at the very start.
	c, ok := run.Credentials(line.Profile, time.Now())
	if !ok {
		return
	}
	if line.Export {
		out, err := inject.ProcessJSON(c)
		if err != nil {
			return
		}
		if _, err := os.Stdout.WriteString(out); err != nil {
			// As main does; part of it may have gone out already.
			os.Stderr.WriteString("awsx: error: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	argv := line.Command
	if len(argv) == 0 {
		argv = []string{inject.DefaultShell(getenv)}
	}
	// Run returns only when the command could not start; main then tries
	// again and says why.
	_ = inject.Run(argv, inject.Environ(env, inject.Vars(c, "")))
}

// Line is a command line that this package may serve.
type Line struct {
	Profile string
	Export  bool     // export --format json; else exec
	Command []string // exec's command, without the "--"; empty for $SHELL
	// Hook is the shell of a hook-env line, whose --warned is Warned.
	Hook, Warned string
}

// Parse reads args as main's kong grammar does, for the lines this
// package serves; ok is false for every other line.
func Parse(args []string) (l Line, ok bool) {
	for _, a := range args {
		if !utf8.ValidString(a) {
			return Line{}, false // kong replaces what is not UTF-8
		}
	}
	if len(args) < 2 {
		return Line{}, false
	}
	switch args[0] {
	case "exec":
		l.Profile = args[1]
		rest := args[2:]
		switch {
		case len(rest) == 0:
		case rest[0] == "--":
			l.Command = rest[1:]
		case !strings.HasPrefix(rest[0], "-"):
			l.Command = rest
		default:
			return Line{}, false
		}
	case "export":
		l.Export = true
		switch words := args[1:]; {
		case len(words) == 2 && words[1] == "--format=json":
			l.Profile = words[0]
		case len(words) == 2 && words[0] == "--format=json":
			l.Profile = words[1]
		case len(words) == 3 && words[1] == "--format" && words[2] == "json":
			l.Profile = words[0]
		case len(words) == 3 && words[0] == "--format" && words[1] == "json":
			l.Profile = words[2]
		default:
			return Line{}, false
		}
	case "hook-env":
		// As the hooks run it: hook-env SHELL --warned=KEYS.
		switch args[1] {
		case "bash", "zsh", "fish":
		default:
			return Line{}, false
		}
		l.Hook = args[1]
		switch {
		case len(args) == 2:
		case len(args) == 3 && strings.HasPrefix(args[2], "--warned="):
			l.Warned = strings.TrimPrefix(args[2], "--warned=")
		default:
			return Line{}, false
		}
		return l, true
	default:
		return Line{}, false
	}
	if l.Profile == "" || strings.HasPrefix(l.Profile, "-") {
		return Line{}, false
	}
	return l, true
}
