package warm

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func baseInputs() Inputs {
	return Inputs{
		Env:        []string{"PATH=/bin", "AWS_REGION=eu-west-1", "AWSX_BACKEND=file", "AWSX_FILE_PASSPHRASE=correct horse"},
		Home:       "/home/u",
		ConfigPath: "/home/u/.aws/config",
		Config:     sha256.Sum256([]byte("[profile prod]\n")),
		Profile:    "prod",
	}
}

// TestKeyCoversTheInputs: every input that decides a warm run changes the
// key; a secret's value does not, only whether it is set; other variables
// do not.
func TestKeyCoversTheInputs(t *testing.T) {
	base := baseInputs().Key()
	if base == "" {
		t.Fatal("no key: the test binary was not found")
	}
	if again := baseInputs().Key(); again != base {
		t.Fatal("the same inputs give another key")
	}
	changed := map[string]func(*Inputs){
		"home":            func(in *Inputs) { in.Home = "/home/v" },
		"config path":     func(in *Inputs) { in.ConfigPath = "/etc/aws" },
		"config bytes":    func(in *Inputs) { in.Config = sha256.Sum256([]byte("[profile prod]\n#\n")) },
		"profile":         func(in *Inputs) { in.Profile = "dev" },
		"an AWS_ value":   func(in *Inputs) { in.Env[1] = "AWS_REGION=us-east-1" },
		"a new AWSX_":     func(in *Inputs) { in.Env = append(in.Env, "AWSX_MIN_TTL=1h") },
		"a secret unset":  func(in *Inputs) { in.Env[3] = "AWSX_FILE_PASSPHRASE=" },
		"keys set":        func(in *Inputs) { in.Env = append(in.Env, "AWS_ACCESS_KEY_ID=AKIA") },
		"a token set":     func(in *Inputs) { in.Env = append(in.Env, "AWS_BEARER_TOKEN_BEDROCK=x") },
		"AWSX_PROFILE":    func(in *Inputs) { in.Env = append(in.Env, "AWSX_PROFILE=prod") },
		"a name boundary": func(in *Inputs) { in.Profile, in.Home = "", "/home/uprod" },
	}
	for what, change := range changed {
		in := baseInputs()
		change(&in)
		if in.Key() == base {
			t.Errorf("%s does not change the key", what)
		}
	}
	same := map[string]func(*Inputs){
		"another passphrase": func(in *Inputs) { in.Env[3] = "AWSX_FILE_PASSPHRASE=battery staple" },
		"PATH":               func(in *Inputs) { in.Env[0] = "PATH=/usr/bin" },
		"the order":          func(in *Inputs) { in.Env[1], in.Env[2] = in.Env[2], in.Env[1] },
		"a shell variable":   func(in *Inputs) { in.Env = append(in.Env, "PWD=/tmp", "SHLVL=2") },
		"the hook's state":   func(in *Inputs) { in.Env = append(in.Env, "AWSX_HOOK=1.e30", "AWSX_HOOK_CHECK=1", "AWSX_EXPIRATION=2") },
		"a session's expiry": func(in *Inputs) { in.Env = append(in.Env, "AWS_CREDENTIAL_EXPIRATION=2026-12-02T15:00:00Z") },
	}
	for what, change := range same {
		in := baseInputs()
		change(&in)
		if in.Key() != base {
			t.Errorf("%s changes the key", what)
		}
	}
}

// TestSecretNames: the variables that hold secrets enter the inputs only
// as set or unset.
func TestSecretNames(t *testing.T) {
	for _, name := range []string{"AWSX_FILE_PASSPHRASE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_SECURITY_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_SECRET_KEY", "AWS_BEARER_TOKEN_BEDROCK", "AWSX_TEST_PASSWORD"} {
		if !secretName(name) {
			t.Errorf("%s is not taken for a secret", name)
		}
		a, b := baseInputs(), baseInputs()
		a.Env = append(a.Env, name+"=one")
		b.Env = append(b.Env, name+"=two")
		if a.Key() != b.Key() {
			t.Errorf("the value of %s changes the key", name)
		}
	}
	for _, name := range []string{"AWS_REGION", "AWS_CONFIG_FILE", "AWSX_MIN_TTL", "AWSX_BACKEND", "AWS_ENDPOINT_URL_STS"} {
		if secretName(name) {
			t.Errorf("%s is taken for a secret", name)
		}
	}
}

// TestBookkeepingUnreadByVault: vault reads none of the variables left out
// of the inputs, so they cannot change what it decides; and of those that
// enter only as set or unset, it reads only the ones whose value cannot
// change a cached session's serving (secretName says why).
func TestBookkeepingUnreadByVault(t *testing.T) {
	presenceOnly := map[string]bool{"AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
		"AWS_CONTAINER_AUTHORIZATION_TOKEN": true, "AWSX_FILE_PASSPHRASE": true}
	read := regexp.MustCompile(`"(AWSX?_[A-Z0-9_]+)"`)
	files, err := filepath.Glob(filepath.Join("..", "*.go"))
	if err != nil || len(files) < 10 {
		t.Fatalf("vault's sources: %v, %v", files, err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			switch name := m[1]; {
			case bookkeeping[name]:
				t.Errorf("%s reads %s, which the inputs leave out", f, name)
			case secretName(name) && !presenceOnly[name]:
				t.Errorf("%s reads %s, whose value the inputs leave out", f, name)
			}
		}
	}
}

func TestEligible(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{"AWSX_BACKEND": "file", "AWSX_FILE_PASSPHRASE": "p", "HOME": "/h"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	cases := []struct {
		getenv func(string) string
		want   bool
	}{
		{env(), true},
		{env("AWSX_BACKEND", ""), false},
		{env("AWSX_BACKEND", "pass"), false},
		{env("AWSX_FILE_PASSPHRASE", ""), false},
		{env("HOME", ""), false},
		// Keys awsx did not set: vault decides by what the keyring holds.
		{env("AWS_ACCESS_KEY_ID", "AKIA", "AWS_SECRET_ACCESS_KEY", "s"), false},
		{env("AWS_ACCESS_KEY_ID", "ASIA", "AWS_SECRET_ACCESS_KEY", "s", "AWSX_PROFILE", "prod"), true},
		{env("AWS_ACCESS_KEY_ID", "AKIA"), true},
	}
	for i, c := range cases {
		if got := Eligible(c.getenv); got != c.want {
			t.Errorf("case %d: Eligible = %v, want %v", i, got, c.want)
		}
	}
}

func TestMinTTL(t *testing.T) {
	for s, want := range map[string]time.Duration{"": DefaultMinTTL, "0": 0, "90s": 90 * time.Second} {
		if d, ok := MinTTL(func(string) string { return s }); !ok || d != want {
			t.Errorf("MinTTL(%q) = %v, %v", s, d, ok)
		}
	}
	for _, s := range []string{"-1m", "5", "soon"} {
		if _, ok := MinTTL(func(string) string { return s }); ok {
			t.Errorf("MinTTL(%q) was taken", s)
		}
	}
}

// FuzzReadSession: whatever a session file holds, reading it returns an
// error or a session, never a panic.
func FuzzReadSession(f *testing.F) {
	f.Add([]byte("a.b.c.d.e"))
	f.Add([]byte("eyJhbGciOiJQQkVTMi1IUzI1NitBMTI4S1ciLCJlbmMiOiJBMjU2R0NNIiwicDJjIjo4MTkyLCJwMnMiOiJBQUFBIn0.AAAA.AAAA.AAAA.AAAA"))
	f.Add([]byte("eyJhbGciOiJQQkVTMi1IUzI1NitBMTI4S1ciLCJ6aXAiOiJERUYifQ...."))
	file := filepath.Join(f.TempDir(), "item")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _ = ReadSession(file, "correct horse")
	})
}

// FuzzLookup: whatever an index file holds, Lookup gives an entry only for
// its key, and never panics.
func FuzzLookup(f *testing.F) {
	f.Add([]byte(`{"Entries":[{"Key":"k","Fingerprint":"f"}]}`), "k")
	f.Add([]byte(`{"Entries":null}`), "")
	f.Add([]byte(`[]`), "k")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte, key string) {
		if err := os.WriteFile(indexFile(dir, "prod"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if e, ok := Lookup(dir, "prod", key); ok && (e.Key != key || key == "") {
			t.Fatalf("Lookup(%q) = %+v", key, e)
		}
	})
}
