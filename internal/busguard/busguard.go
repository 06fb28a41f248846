// Package busguard keeps the keyring library from reaching for the D-Bus
// session bus at start-up when the command will not use it.
//
// 99designs/keyring connects to the session bus in its package
// initialisation (to learn whether Secret Service and KWallet are there),
// so every start of awsx pays for it, whatever the command: about 2 ms
// where a session bus runs, at every prompt and cd of the shell hook and
// every SDK client's credential_process. Where no bus address is set or
// found, godbus goes further and runs dbus-launch, which starts a new bus
// daemon that outlives awsx, once per run, and sets its address in awsx's
// environment, which a command run by exec would inherit.
//
// Go initialises a package as soon as its imports are, the first in
// import-path order among those ready. busguard's imports are all
// imported by godbus too (or, for package argv, import nothing godbus
// does not), and its path sorts before godbus's, so it is initialised
// before godbus and so before the keyring package. When the
// command line shows that the bus cannot be needed, it hides the bus
// address from the keyring's probe behind one that fails at once without
// any I/O; Restore, called once the keyring package is initialised, puts
// the environment back exactly as it was.
package busguard

import (
	"os"
	"strconv"

	"github.com/awsx-cli/awsx/internal/argv"
)

const (
	addressVar = "DBUS_SESSION_BUS_ADDRESS"
	// hidden names no transport godbus knows, so it fails without I/O.
	hidden = "awsx-hidden:"
)

// saved is the address as awsx was started with it, while it is hidden.
var saved struct {
	active bool
	set    bool
	value  string
}

// keyringFree are the commands that never open the keyring.
var keyringFree = map[string]bool{
	"version": true, "hook": true, "completion": true, "prompt": true, "__profiles": true, "trust": true,
}

func init() {
	if hide(os.Args[1:], os.Getenv, os.Getuid(), exists) {
		saved.value, saved.set = os.LookupEnv(addressVar)
		saved.active = true
		os.Setenv(addressVar, hidden)
	}
}

// Restore undoes what init did to the environment.
func Restore() {
	if !saved.active {
		return
	}
	saved.active = false
	if saved.set {
		os.Setenv(addressVar, saved.value)
	} else {
		os.Unsetenv(addressVar)
	}
}

// hide decides whether the keyring's probe must not reach the bus.
func hide(args []string, getenv func(string) string, uid int, exists func(string) bool) bool {
	if !busReachable(getenv, uid, exists) {
		return true // the probe would only run dbus-launch
	}
	cmd, _, backend := argv.Parse(args)
	if cmd == "" {
		return false // not an awsx command line (a test binary, say)
	}
	if keyringFree[cmd] {
		return true
	}
	if backend == "" {
		backend = getenv("AWSX_BACKEND")
	}
	return backend != "" && backend != "secret-service" && backend != "kwallet"
}

// busReachable is whether godbus finds a session bus without starting
// one: a set address, or the socket or address file in /run/user/UID
// (godbus looks there, not in XDG_RUNTIME_DIR).
func busReachable(getenv func(string) string, uid int, exists func(string) bool) bool {
	if a := getenv(addressVar); a != "" && a != "autolaunch:" {
		return true
	}
	dir := "/run/user/" + strconv.Itoa(uid)
	return exists(dir+"/bus") || exists(dir+"/dbus-session")
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !os.IsNotExist(err)
}
