//go:build linux

package busguard

import (
	"errors"
	"os"
	"slices"
	"testing"
)

func TestProbeAddress(t *testing.T) {
	bus := map[string]string{addressVar: "unix:path=/tmp/bus"}
	for _, tc := range []struct {
		args    []string
		env     map[string]string
		files   map[string]string // "" content: a socket
		address string
	}{
		// Commands that never open the keyring.
		{[]string{"prompt"}, bus, nil, hidden},
		{[]string{"--debug", "version"}, bus, nil, hidden},
		{[]string{"__profiles"}, bus, nil, hidden},
		{[]string{"completion", "zsh"}, bus, nil, hidden},
		{[]string{"hook", "bash"}, bus, nil, hidden},
		{[]string{"trust", "."}, bus, nil, hidden},
		// A backend other than the two on D-Bus.
		{[]string{"exec", "prod"}, map[string]string{addressVar: "unix:path=/x", "AWSX_BACKEND": "file"}, nil, hidden},
		{[]string{"--backend", "file", "export", "prod"}, bus, nil, hidden},
		{[]string{"export", "--backend=pass", "prod"}, bus, nil, hidden},
		// The bus may be used: the probe sees it.
		{[]string{"exec", "prod"}, bus, nil, "unix:path=/tmp/bus"},
		{[]string{"hook-env", "bash"}, bus, nil, "unix:path=/tmp/bus"},
		{[]string{"list"}, map[string]string{addressVar: "unix:path=/x", "AWSX_BACKEND": "secret-service"}, nil, "unix:path=/x"},
		{[]string{"--backend", "kwallet", "list"}, map[string]string{addressVar: "unix:path=/x", "AWSX_BACKEND": "file"}, nil, "unix:path=/x"},
		{[]string{"--backend", "file", "--backend", "secret-service", "list"}, bus, nil, "unix:path=/tmp/bus"},
		// A --backend of exec's command is the command's.
		{[]string{"exec", "prod", "--", "awsx", "--backend", "file"}, bus, nil, "unix:path=/tmp/bus"},
		{[]string{"exec", "prod", "sh", "-c", "true", "--backend", "file"}, bus, nil, "unix:path=/tmp/bus"},
		// Not awsx's command line (a test binary): as it is.
		{[]string{"-test.v", "-test.run=X"}, map[string]string{addressVar: "unix:path=/x", "AWSX_BACKEND": "file"}, nil, "unix:path=/x"},
		// No address set: what godbus would find, and never dbus-launch.
		{[]string{"list"}, map[string]string{}, map[string]string{"/run/user/1000/bus": ""}, "unix:path=/run/user/1000/bus"},
		{[]string{"list"}, map[string]string{addressVar: "autolaunch:"}, map[string]string{"/run/user/1000/bus": ""}, "unix:path=/run/user/1000/bus"},
		{[]string{"list"}, map[string]string{}, map[string]string{"/run/user/1000/dbus-session": "DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/dbus-E1\n"}, "unix:abstract=/tmp/dbus-E1"},
		{[]string{"list"}, map[string]string{}, map[string]string{"/run/user/1000/dbus-session": "garbage\n"}, hidden},
		{[]string{"list"}, map[string]string{}, nil, hidden},
		{[]string{"list"}, map[string]string{addressVar: "autolaunch:"}, nil, hidden},
		{[]string{"-test.v"}, map[string]string{}, nil, hidden},
	} {
		getenv := func(k string) string { return tc.env[k] }
		exists := func(p string) bool { _, ok := tc.files[p]; return ok }
		readFile := func(p string) ([]byte, error) {
			if c, ok := tc.files[p]; ok && c != "" {
				return []byte(c), nil
			}
			return nil, errors.New("no such file")
		}
		if got := probeAddress(tc.args, getenv, 1000, readFile, exists); got != tc.address {
			t.Errorf("probeAddress(%q, %v, %v) = %q, want %q", tc.args, tc.env, tc.files, got, tc.address)
		}
	}
}

// Restore leaves the variable exactly as it was: unset stays unset, set
// (even to nothing) keeps its value, whatever the probe did to it.
func TestRestore(t *testing.T) {
	old, had := os.LookupEnv(addressVar)
	defer func() {
		if had {
			os.Setenv(addressVar, old)
		} else {
			os.Unsetenv(addressVar)
		}
	}()
	for _, start := range []*string{nil, ptr(""), ptr("unix:path=/x")} {
		if start == nil {
			os.Unsetenv(addressVar)
		} else {
			os.Setenv(addressVar, *start)
		}
		saved.value, saved.set = os.LookupEnv(addressVar)
		saved.pending = true
		want := os.Environ()
		os.Setenv(addressVar, "unix:path=/run/user/1000/bus") // what godbus would set
		if got := Environ(); !slices.Equal(got, want) {
			t.Errorf("started %v: Environ before Restore is %q, want %q", start, got, want)
		}
		Restore()
		if got := Environ(); !slices.Equal(got, want) {
			t.Errorf("started %v: Environ after Restore is %q, want %q", start, got, want)
		}
		got, set := os.LookupEnv(addressVar)
		if (start == nil) == set || (start != nil && got != *start) {
			t.Errorf("started %v: after Restore %q (set %v)", start, got, set)
		}
		Restore() // a second call changes nothing
		if again, set2 := os.LookupEnv(addressVar); again != got || set2 != set {
			t.Errorf("a second Restore changed the variable")
		}
	}
}

func ptr(s string) *string { return &s }
