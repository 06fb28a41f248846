//go:build !linux

package busguard

// Restore has nothing to undo: the keyring library probes D-Bus on Linux
// only.
func Restore() {}
