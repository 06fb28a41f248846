package shells

import (
	_ "embed"
	"fmt"
)

//go:embed hook.fish
var fishHook string

// Fish is the friendly interactive shell.
type Fish struct{}

// Name returns "fish".
func (Fish) Name() string { return "fish" }

// Hook returns the fish hook with bin quoted into it.
func (Fish) Hook(bin string) string { return render(fishHook, QuoteFish(bin)) }

// Export renders set -gx and set -e -g (see FishLine).
func (Fish) Export(as []Assignment) string { return hookLines(as, FishLine) }

// SetLocal renders set -g without -x, so the variable stays in this shell.
func (Fish) SetLocal(name, value string) string {
	if !validName(name) {
		return ""
	}
	return fmt.Sprintf("set -g %s %s;\n", name, QuoteFish(value))
}

// Quote quotes s for fish.
func (Fish) Quote(s string) string { return QuoteFish(s) }
