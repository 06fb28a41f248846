package busguard

import "testing"

func TestHide(t *testing.T) {
	bus := map[string]string{addressVar: "unix:path=/run/user/1000/bus"}
	for _, tc := range []struct {
		args   []string
		env    map[string]string
		socket bool // /run/user/UID/bus exists
		hide   bool
	}{
		// Commands that never open the keyring.
		{[]string{"prompt"}, bus, false, true},
		{[]string{"--debug", "version"}, bus, false, true},
		{[]string{"__profiles"}, bus, false, true},
		{[]string{"completion", "zsh"}, bus, false, true},
		{[]string{"hook", "bash"}, bus, false, true},
		{[]string{"trust", "."}, bus, false, true},
		// A backend other than the two on D-Bus.
		{[]string{"exec", "prod"}, map[string]string{addressVar: "unix:path=/x", "AWSX_BACKEND": "file"}, false, true},
		{[]string{"--backend", "file", "export", "prod"}, bus, false, true},
		{[]string{"export", "--backend=pass", "prod"}, bus, false, true},
		// The bus may be used.
		{[]string{"exec", "prod"}, bus, false, false},
		{[]string{"hook-env", "bash"}, bus, false, false},
		{[]string{"list"}, map[string]string{addressVar: "unix:path=/x", "AWSX_BACKEND": "secret-service"}, false, false},
		{[]string{"--backend", "kwallet", "list"}, map[string]string{addressVar: "unix:path=/x", "AWSX_BACKEND": "file"}, false, false},
		{[]string{"--backend", "file", "--backend", "secret-service", "list"}, bus, false, false},
		{[]string{"exec", "prod", "--", "awsx", "--backend", "file"}, bus, false, false},
		{[]string{"list"}, map[string]string{}, true, false},
		{[]string{"list"}, map[string]string{addressVar: "autolaunch:"}, true, false},
		// Not awsx's command line (a test binary): left alone.
		{[]string{"-test.v", "-test.run=X"}, map[string]string{addressVar: "unix:path=/x", "AWSX_BACKEND": "file"}, false, false},
		// No bus to be found: godbus would run dbus-launch.
		{[]string{"list"}, map[string]string{}, false, true},
		{[]string{"list"}, map[string]string{addressVar: "autolaunch:"}, false, true},
		{[]string{"-test.v"}, map[string]string{}, false, true},
	} {
		exists := func(p string) bool { return tc.socket && p == "/run/user/1000/bus" }
		getenv := func(k string) string { return tc.env[k] }
		if got := hide(tc.args, getenv, 1000, exists); got != tc.hide {
			t.Errorf("hide(%q, %v, socket %v) = %v, want %v", tc.args, tc.env, tc.socket, got, tc.hide)
		}
	}
}
