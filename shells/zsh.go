package shells

import (
	_ "embed"
	"fmt"
)

//go:embed hook.zsh
var zshHook string

// Zsh is the Z shell.
type Zsh struct{}

// Name returns "zsh".
func (Zsh) Name() string { return "zsh" }

// Hook returns the zsh hook with bin quoted into it.
func (Zsh) Hook(bin string) string { return render(zshHook, QuotePOSIX(bin)) }

// Export renders export and unset commands; zsh's export is typeset -gx,
// so it reaches the global scope from inside the hook's functions.
func (Zsh) Export(as []Assignment) string { return hookLines(as, POSIXLine) }

// SetLocal renders typeset -g, which also keeps zsh quiet under
// WARN_CREATE_GLOBAL.
func (Zsh) SetLocal(name, value string) string {
	if !validName(name) {
		return ""
	}
	return fmt.Sprintf("typeset -g %s=%s;\n", name, QuotePOSIX(value))
}

// Quote quotes s for zsh.
func (Zsh) Quote(s string) string { return QuotePOSIX(s) }
