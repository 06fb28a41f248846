package busguard

import (
	"os"
	"strconv"
	"strings"

	"github.com/awsx-cli/awsx/internal/argv"
)

const (
	addressVar = "DBUS_SESSION_BUS_ADDRESS"
	// hidden names no transport godbus knows, so it fails without I/O.
	hidden = "awsx-hidden:"
)

// saved is the address as awsx was started with it.
var saved struct {
	pending bool // init changed it, Restore has not put it back
	set     bool
	value   string
}

// keyringFree are the commands that never open the keyring;
// testdata/script/lazy_keyring.txtar runs each with a keyring that cannot
// open.
var keyringFree = map[string]bool{
	"version": true, "hook": true, "completion": true, "prompt": true, "__profiles": true, "trust": true,
}

func init() {
	saved.value, saved.set = os.LookupEnv(addressVar)
	saved.pending = true
	os.Setenv(addressVar, probeAddress(os.Args[1:], os.Getenv, os.Getuid(), os.ReadFile, exists))
}

// Restore puts the environment back as awsx was started with it.
func Restore() {
	if !saved.pending {
		return
	}
	saved.pending = false
	if saved.set {
		os.Setenv(addressVar, saved.value)
	} else {
		os.Unsetenv(addressVar)
	}
}

// Environ is the environment as awsx was started with it, before Restore
// has put it back: for start-up code that hands it to a child.
func Environ() []string {
	env := os.Environ()
	if !saved.pending {
		return env
	}
	out := env[:0:0]
	for _, kv := range env {
		if strings.HasPrefix(kv, addressVar+"=") {
			if !saved.set {
				continue
			}
			kv = addressVar + "=" + saved.value
		}
		out = append(out, kv)
	}
	return out
}

// probeAddress is the address the keyring library's probe is to see.
func probeAddress(args []string, getenv func(string) string, uid int, readFile func(string) ([]byte, error), exists func(string) bool) string {
	cmd, _, backend := argv.Parse(args)
	if cmd != "" { // awsx's command line, not a test binary's, say
		if backend == "" {
			backend = getenv("AWSX_BACKEND")
		}
		if keyringFree[cmd] || (backend != "" && backend != "secret-service" && backend != "kwallet") {
			return hidden
		}
	}
	if a := getenv(addressVar); a != "" && a != "autolaunch:" {
		return a
	}
	// Where godbus looks (by uid, not XDG_RUNTIME_DIR), in its order.
	dir := "/run/user/" + strconv.Itoa(uid)
	if exists(dir + "/bus") {
		return "unix:path=" + dir + "/bus"
	}
	if b, err := readFile(dir + "/dbus-session"); err == nil {
		if a, ok := strings.CutPrefix(string(b), addressVar+"="); ok {
			if a = strings.TrimRight(a, "\r\n"); a != "" {
				return a
			}
		}
	}
	return hidden // godbus would run dbus-launch
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !os.IsNotExist(err)
}
