// Package shells speaks to bash, zsh, fish and PowerShell: it quotes values
// for each of them, prints the hooks that switch accounts on a directory
// change, finds and trusts .awsx markers, and formats the prompt segment.
// It never talks to AWS: it presents what the vault has resolved.
package shells

// Assignment is one change to a shell's environment: a variable set to a
// value, or removed when Unset is true.
type Assignment struct {
	Name  string
	Value string
	Unset bool
}

// Set returns an assignment that exports name=value.
func Set(name, value string) Assignment { return Assignment{Name: name, Value: value} }

// Unset returns an assignment that removes name.
func Unset(name string) Assignment { return Assignment{Name: name, Unset: true} }
