package shells

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed hook.fish
var fishHook string

// Fish is the friendly interactive shell.
type Fish struct{}

// Name returns "fish".
func (Fish) Name() string { return "fish" }

// Hook returns the fish hook with bin quoted into it.
func (Fish) Hook(bin string) string { return render(fishHook, QuoteFish(bin)) }

// Export renders set -gx and set -e -g: inside a function, fish's plain
// set -x would create a variable local to that function.
func (Fish) Export(as []Assignment) string {
	var b strings.Builder
	for _, a := range as {
		if !validName(a.Name) {
			continue
		}
		if a.Unset {
			fmt.Fprintf(&b, "set -e -g %s;\n", a.Name)
		} else {
			fmt.Fprintf(&b, "set -gx %s %s;\n", a.Name, QuoteFish(a.Value))
		}
	}
	return b.String()
}

// SetLocal renders set -g without -x, so the variable stays in this shell.
func (Fish) SetLocal(name, value string) string {
	if !validName(name) {
		return ""
	}
	return fmt.Sprintf("set -g %s %s;\n", name, QuoteFish(value))
}

// Quote quotes s for fish.
func (Fish) Quote(s string) string { return QuoteFish(s) }
