//go:build !linux

package busguard

import "os"

// Restore has nothing to undo: the keyring library probes D-Bus on Linux
// only.
func Restore() {}

// Environ is the environment as awsx was started with it.
func Environ() []string { return os.Environ() }
