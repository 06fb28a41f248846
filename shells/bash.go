package shells

import (
	_ "embed"
	"fmt"
)

//go:embed hook.bash
var bashHook string

// Bash is GNU bash, from macOS's 3.2 to 5.x.
type Bash struct{}

// Name returns "bash".
func (Bash) Name() string { return "bash" }

// Hook returns the bash hook with bin quoted into it.
func (Bash) Hook(bin string) string { return render(bashHook, QuotePOSIX(bin)) }

// Export renders export and unset commands.
func (Bash) Export(as []Assignment) string { return hookLines(as, POSIXLine) }

// SetLocal renders a plain assignment: evaluated inside the hook's
// functions, it sets the global because the hook never declares these
// names local.
func (Bash) SetLocal(name, value string) string {
	if !validName(name) {
		return ""
	}
	return fmt.Sprintf("%s=%s;\n", name, QuotePOSIX(value))
}

// Quote quotes s for bash.
func (Bash) Quote(s string) string { return QuotePOSIX(s) }
