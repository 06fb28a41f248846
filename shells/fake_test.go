package shells

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// fakeSource stands in for the config and the vault: prod and dev with
// fixed keys, a profile that needs a login, and awsx_dirs from the test.
type fakeSource struct {
	dirs []DirRule
	ttl  time.Duration
	now  time.Time
	// calls counts Switch calls, that is credential lookups.
	calls int
}

var fakeAccounts = map[string]string{
	"prod": "222222222222", "dev": "333333333333", "bastion": "111111111111",
	"needslogin": "444444444444", "colorful": "555555555555",
}

func (f *fakeSource) Defined(p string) bool { _, ok := fakeAccounts[p]; return ok }
func (f *fakeSource) Dirs() []DirRule       { return f.dirs }
func (f *fakeSource) ConfigPath() string    { return "/home/u/.aws/config" }
func (f *fakeSource) Color(p string) string {
	if p == "colorful" {
		return "Red"
	}
	return ""
}

func (f *fakeSource) Switch(profile, region string) ([]Assignment, time.Time, error) {
	f.calls++
	if profile == "needslogin" {
		return nil, time.Time{}, errors.New("needslogin needs 'awsx login bastion'")
	}
	ttl := f.ttl
	if ttl == 0 {
		ttl = 8 * time.Hour
	}
	exp := f.now.Add(ttl).Truncate(time.Second)
	if region == "" {
		region = "us-east-1"
	}
	up := strings.ToUpper(profile)
	return []Assignment{
		Set("AWS_ACCESS_KEY_ID", "AKIA"+up),
		// A secret full of shell syntax: it must arrive byte for byte.
		Set("AWS_SECRET_ACCESS_KEY", "s'e\"c$(touch PWNED)`r`\\et;"+profile),
		Set("AWS_SESSION_TOKEN", "token-"+profile),
		Set("AWS_CREDENTIAL_EXPIRATION", exp.UTC().Format(time.RFC3339)),
		Set("AWS_REGION", region),
		Set("AWS_DEFAULT_REGION", region),
		Set("AWSX_PROFILE", profile),
		Set("AWS_VAULT", profile),
		Set("AWSX_ACCOUNT_ID", fakeAccounts[profile]),
		Set("AWSX_EXPIRATION", fmt.Sprint(exp.Unix())),
		Unset("AWS_PROFILE"),
		Unset("AWS_DEFAULT_PROFILE"),
		Unset("AWSX_FILE_PASSPHRASE"),
	}, exp, nil
}

// fakeMain makes the test binary act as awsx for the hook scripts when
// AWSX_FAKE_BIN is set: hook, hook-env, use and trust, on the real Hook
// logic with fakeSource. Each run appends a line to $AWSX_FAKE_COUNT.
// AWSX_FAKE_TTL is how long credentials last (default 8h), AWSX_MIN_TTL
// as for awsx, AWSX_FAKE_RETRY retryAfter.
func fakeMain(args []string) int {
	if f := os.Getenv("AWSX_FAKE_COUNT"); f != "" {
		if fh, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			fmt.Fprintln(fh, strings.Join(args, " "))
			fh.Close()
		}
	}
	var stderr io.Writer = os.Stderr
	if f := os.Getenv("AWSX_FAKE_STDERR"); f != "" {
		if fh, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			defer fh.Close()
			stderr = io.MultiWriter(os.Stderr, fh)
		}
	}
	fail := func(err error) int { fmt.Fprintf(stderr, "awsx: error: %v\n", err); return 1 }
	if len(args) < 1 {
		return 2
	}
	home := os.Getenv("HOME")
	src := &fakeSource{now: time.Now()}
	if d := os.Getenv("AWSX_FAKE_DIRS"); d != "" {
		for _, kv := range strings.Split(d, "|") {
			p, pat, _ := strings.Cut(kv, "=")
			src.dirs = append(src.dirs, DirRule{Profile: p, Pattern: pat})
		}
	}
	if t := os.Getenv("AWSX_FAKE_TTL"); t != "" {
		src.ttl, _ = time.ParseDuration(t)
	}
	minTTL := 5 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("AWSX_MIN_TTL")); err == nil {
		minTTL = d
	}
	if retry, err := time.ParseDuration(os.Getenv("AWSX_FAKE_RETRY")); err == nil && retry > 0 {
		retryAfter = retry
	}
	newHook := func(shell string, warned string) (*Hook, error) {
		sh, err := Get(shell)
		if err != nil {
			return nil, err
		}
		dir, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		return &Hook{Shell: sh, Dir: dir, Home: home, Env: EnvMap(os.Environ()), Now: src.now,
			MinTTL: minTTL, Warned: warned, Source: src, Trust: NewTrustStore(home), Stderr: stderr}, nil
	}
	switch args[0] {
	case "hook":
		sh, err := Get(args[1])
		if err != nil {
			return fail(err)
		}
		self, _ := filepath.Abs(os.Args[0])
		fmt.Print(sh.Hook(self))
	case "hook-env":
		warned := ""
		for _, a := range args[2:] {
			if v, ok := strings.CutPrefix(a, "--warned="); ok {
				warned = v
			}
		}
		h, err := newHook(args[1], warned)
		if err != nil {
			return fail(err)
		}
		out, err := h.Run(nil)
		if err != nil {
			return fail(err)
		}
		fmt.Print(out)
	case "use":
		var shell string
		u := &Use{}
		for _, a := range args[1:] {
			switch {
			case strings.HasPrefix(a, "--shell="):
				shell = strings.TrimPrefix(a, "--shell=")
			case a == "--off":
				u.Off = true
			default:
				u.Profile = a
			}
		}
		h, err := newHook(shell, "")
		if err != nil {
			return fail(err)
		}
		out, err := h.Run(u)
		if err != nil {
			return fail(err)
		}
		fmt.Print(out)
	case "trust":
		dir, _ := os.Getwd()
		if len(args) > 1 {
			dir = args[1]
		}
		m, err := TrustMarker(dir, NewTrustStore(home), src.Defined)
		if err != nil {
			return fail(err)
		}
		fmt.Printf("trusted %s\n", m.Path)
	default:
		return fail(fmt.Errorf("fake awsx: unknown command %q", args[0]))
	}
	return 0
}
