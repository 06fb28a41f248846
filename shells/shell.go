package shells

import (
	"fmt"
	"sort"
	"strings"
)

// Shell is one shell awsx integrates with: it prints the hook that the
// user's rc file evaluates, and renders changes to the environment as code
// that this exact shell evaluates.
type Shell interface {
	// Name is the name users pass to `awsx hook`: bash, zsh or fish.
	Name() string
	// Hook returns the hook script with bin, the path of the awsx binary
	// the hook runs, quoted for this shell.
	Hook(bin string) string
	// Export renders assignments of exported variables, in order.
	Export(as []Assignment) string
	// SetLocal renders the assignment of a global, unexported shell
	// variable (the hook's own bookkeeping that no child needs).
	SetLocal(name, value string) string
	// Quote quotes s so that this shell reads back exactly s.
	Quote(s string) string
}

// shellsByName holds every supported shell.
var shellsByName = map[string]Shell{
	"bash": Bash{},
	"zsh":  Zsh{},
	"fish": Fish{},
}

// Names lists the shells that `awsx hook` supports, sorted.
func Names() []string {
	names := make([]string, 0, len(shellsByName))
	for n := range shellsByName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns the shell called name.
func Get(name string) (Shell, error) {
	if sh, ok := shellsByName[name]; ok {
		return sh, nil
	}
	return nil, fmt.Errorf("unknown shell %q: awsx knows %s", name, strings.Join(Names(), ", "))
}

// binPlaceholder is what the embedded hook scripts hold where the binary's
// path goes. It is a quoted string in each script so that the script stays
// valid (and shellcheck-clean) as a file; the quotes are replaced with it.
const binPlaceholder = "'@AWSX_BIN@'"

// render fills the quoted binary path into an embedded hook script.
func render(script, quotedBin string) string {
	return strings.ReplaceAll(script, binPlaceholder, quotedBin)
}

// validName reports whether name can be a variable name in every shell;
// names never come from users, so an invalid one is a bug worth a panic-free
// refusal rather than code the shell would misread.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// POSIXLine renders one assignment for sh, bash and zsh: export or unset.
func POSIXLine(a Assignment) string {
	if a.Unset {
		return "unset " + a.Name
	}
	return "export " + a.Name + "=" + QuotePOSIX(a.Value)
}

// FishLine renders one assignment for fish: set -gx or set -e -g, because
// inside a function fish's plain set -x would make a variable local to it.
func FishLine(a Assignment) string {
	if a.Unset {
		return "set -e -g " + a.Name
	}
	return "set -gx " + a.Name + " " + QuoteFish(a.Value)
}

// hookLines renders assignments with line, one a line, for a hook to
// evaluate; names that are not valid variable names are dropped.
func hookLines(as []Assignment, line func(Assignment) string) string {
	var b strings.Builder
	for _, a := range as {
		if validName(a.Name) {
			b.WriteString(line(a))
			b.WriteString(";\n")
		}
	}
	return b.String()
}
