package shells

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// recShell renders assignments as JSON lines so that tests can apply them
// to an environment map without a real shell.
type recShell struct{}

type recLine struct {
	A     Assignment
	Local bool
}

func (recShell) Name() string          { return "rec" }
func (recShell) Hook(string) string    { return "" }
func (recShell) Quote(s string) string { return s }
func (recShell) Export(as []Assignment) string {
	var b strings.Builder
	for _, a := range as {
		j, _ := json.Marshal(recLine{A: a})
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}
func (recShell) SetLocal(name, value string) string {
	j, _ := json.Marshal(recLine{A: Set(name, value), Local: true})
	return string(j) + "\n"
}

// testShell is one simulated shell: its environment, its local variables
// and a working directory, run through Hook.Run like the hook does.
type testShell struct {
	t      *testing.T
	env    map[string]string
	locals map[string]string
	dir    string
	home   string
	now    time.Time
	minTTL time.Duration
	src    *fakeSource
	source Source // src unless a test swaps it
	stderr bytes.Buffer
}

func newTestShell(t *testing.T, env map[string]string) *testShell {
	t.Helper()
	root := t.TempDir()
	home := filepath.Join(root, "home")
	mkdirs(t, home, filepath.Join(root, "infra", "dev"), filepath.Join(root, "plain"))
	writeMarker(t, filepath.Join(root, "infra"), "profile = prod\n")
	writeMarker(t, filepath.Join(root, "infra", "dev"), "profile = dev\nregion = eu-west-1 # comment\n")
	store := NewTrustStore(home)
	for _, d := range []string{"infra", "infra/dev"} {
		m, err := ReadMarker(filepath.Join(root, d, MarkerName))
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Trust(m); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Unix(1_800_000_000, 0)
	if env == nil {
		env = map[string]string{}
	}
	return &testShell{t: t, env: env, locals: map[string]string{}, dir: root, home: home, now: now, minTTL: 5 * time.Minute, src: &fakeSource{now: now}}
}

func mkdirs(t *testing.T, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func writeMarker(t *testing.T, dir, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, MarkerName), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (s *testShell) run(use *Use) error {
	s.t.Helper()
	s.src.now = s.now
	var src Source = s.src
	if s.source != nil {
		src = s.source
	}
	// Like the hook: the unexported secrets go to awsx for this run only.
	env := copyEnv(s.env)
	env[PrevSecretsEnv] = s.locals[prevSecretsLocal]
	h := &Hook{Shell: recShell{}, Dir: s.dir, Home: s.home, Env: env, Now: s.now, MinTTL: s.minTTL,
		Warned: s.locals[warnedLocal], Source: src, Trust: NewTrustStore(s.home), Stderr: &s.stderr}
	out, err := h.Run(use)
	if err != nil {
		return err
	}
	header, out, _ := strings.Cut(out, "\n")
	if header != OutputHeader {
		s.t.Fatalf("output starts with %q, want %q", header, OutputHeader)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var l recLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			s.t.Fatal(err)
		}
		switch {
		case l.Local:
			s.locals[l.A.Name] = l.A.Value
		case l.A.Unset:
			delete(s.env, l.A.Name)
		default:
			s.env[l.A.Name] = l.A.Value
		}
	}
	return nil
}

func (s *testShell) cd(rel string) {
	s.t.Helper()
	if filepath.IsAbs(rel) {
		s.dir = rel
	} else {
		s.dir = filepath.Join(s.dir, rel)
	}
	if err := s.run(nil); err != nil {
		s.t.Fatal(err)
	}
}

func (s *testShell) warnings() []string {
	out := strings.TrimSpace(s.stderr.String())
	s.stderr.Reset()
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

func copyEnv(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func sameEnv(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %q (set: %v), want %q", k, g, ok, v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s = %q, want it unset", k, v)
		}
	}
}

func TestHookSwitchAndRestore(t *testing.T) {
	before := map[string]string{"AWS_PROFILE": "orig", "AWS_REGION": "eu-north-1", "AWSX_FILE_PASSPHRASE": "keep", "HOME": "/h"}
	s := newTestShell(t, copyEnv(before))
	root := s.dir
	s.cd("infra")
	if s.env["AWSX_PROFILE"] != "prod" || s.env["AWSX_ACCOUNT_ID"] != "222222222222" || s.env["AWS_VAULT"] != "prod" {
		t.Fatalf("in infra: %v", s.env)
	}
	if _, ok := s.env["AWS_PROFILE"]; ok {
		t.Error("AWS_PROFILE still set in prod")
	}
	if s.env["AWSX_FILE_PASSPHRASE"] != "keep" {
		t.Error("keyring variable touched")
	}
	if s.env[CheckVar] != "1800028500" { // 8h - 5m
		t.Errorf("check = %s", s.env[CheckVar])
	}
	s.cd("dev")
	if s.env["AWSX_PROFILE"] != "dev" || s.env["AWS_REGION"] != "eu-west-1" {
		t.Fatalf("in dev: %v", s.env)
	}
	calls := s.src.calls
	s.cd(".") // a directory change inside the same tree
	if s.src.calls != calls {
		t.Error("same profile looked up again")
	}
	s.cd(filepath.Join(root, "plain"))
	sameEnv(t, s.env, before)
	if w := s.warnings(); w != nil {
		t.Errorf("warnings: %q", w)
	}
}

func TestHookSubshellInherits(t *testing.T) {
	before := map[string]string{"AWS_ACCESS_KEY_ID": "mine", "AWS_SECRET_ACCESS_KEY": "minesecret", "AWS_SESSION_TOKEN": "minetoken", "AWS_PROFILE": "orig"}
	for _, tc := range []struct {
		name string
		fork bool // ( ... ) keeps the shell's unexported variables; bash -i does not
	}{{"forked subshell", true}, {"new process", false}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestShell(t, copyEnv(before))
			root := s.dir
			s.cd("infra")
			sub := newTestShell(t, copyEnv(s.env))
			sub.home, sub.dir = s.home, s.dir
			if tc.fork {
				sub.locals = copyEnv(s.locals)
			}
			sub.cd(".")
			if sub.env["AWSX_PROFILE"] != "prod" {
				t.Fatal("subshell lost prod")
			}
			sub.cd(filepath.Join(root, "plain"))
			want := copyEnv(before)
			var wantWarnings []string
			if !tc.fork {
				delete(want, "AWS_ACCESS_KEY_ID")
				delete(want, "AWS_SECRET_ACCESS_KEY")
				delete(want, "AWS_SESSION_TOKEN")
				wantWarnings = []string{"awsx: the previous keys could not be restored in this shell (it is not the one that entered the tree): AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN unset"}
			}
			sameEnv(t, sub.env, want)
			if got := sub.warnings(); strings.Join(got, "\n") != strings.Join(wantWarnings, "\n") {
				t.Errorf("warnings = %q, want %q", got, wantWarnings)
			}
			if sub.locals[prevSecretsLocal] != "" {
				t.Error("the previous secrets stayed in the shell after leaving")
			}
			// The shell that entered the tree restores exactly.
			s.cd(filepath.Join(root, "plain"))
			sameEnv(t, s.env, before)
			if w := s.warnings(); w != nil {
				t.Errorf("warnings: %q", w)
			}
		})
	}
}

// TestHookKeepsSecretsOutOfState: the exported state, which every child of
// the shell reads, holds none of the secrets exported before awsx.
func TestHookKeepsSecretsOutOfState(t *testing.T) {
	before := map[string]string{"AWS_ACCESS_KEY_ID": "AKIAMINE", "AWS_SECRET_ACCESS_KEY": "minesecret", "AWS_SESSION_TOKEN": "minetoken", "AWS_SECURITY_TOKEN": "minesectoken"}
	s := newTestShell(t, copyEnv(before))
	s.cd("infra")
	s.cd("dev")
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s.env[StateVar], stateVersion))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"minesecret", "minetoken", "minesectoken"} {
		if strings.Contains(string(data), v) {
			t.Errorf("%s holds the previous secret %s", StateVar, v)
		}
		for name, value := range s.env {
			if strings.Contains(value, v) {
				t.Errorf("%s holds the previous secret %s", name, v)
			}
		}
	}
	if !strings.Contains(string(data), "AKIAMINE") {
		t.Error("the previous key id is not in the state")
	}
}

func TestHookRenewsNearExpiry(t *testing.T) {
	s := newTestShell(t, nil)
	s.cd("infra")
	calls := s.src.calls
	s.now = s.now.Add(7*time.Hour + 56*time.Minute)
	s.cd(".")
	if s.src.calls != calls+1 {
		t.Fatal("not renewed within AWSX_MIN_TTL")
	}
	if s.env["AWSX_EXPIRATION"] != "1800057360" {
		t.Errorf("expiration = %s", s.env["AWSX_EXPIRATION"])
	}
}

// TestHookCheckAfterNoRenewal: a run that finds nothing to renew (the
// check time passed, but AWSX_MIN_TTL is now shorter) sets a new check
// time; the old one would make every later prompt start awsx.
func TestHookCheckAfterNoRenewal(t *testing.T) {
	s := newTestShell(t, nil)
	s.cd("infra")
	exp := s.now.Add(8 * time.Hour)
	calls := s.src.calls
	s.minTTL = time.Minute
	s.now = exp.Add(-4 * time.Minute)
	s.cd(".")
	if s.src.calls != calls {
		t.Fatal("renewed although the credentials hold for more than AWSX_MIN_TTL")
	}
	if got, want := s.env[CheckVar], fmt.Sprint(exp.Add(-time.Minute).Unix()); got != want {
		t.Errorf("check = %s, want %s (expiry - AWSX_MIN_TTL)", got, want)
	}
	// Within a retry of the expiry, the next check is a retry away.
	s.minTTL = 0
	s.now = exp.Add(-30 * time.Second)
	s.cd(".")
	if got, want := s.env[CheckVar], fmt.Sprint(s.now.Add(retryAfter).Unix()); got != want {
		t.Errorf("check = %s, want %s (now + a retry)", got, want)
	}
	if s.src.calls != calls {
		t.Error("renewed with AWSX_MIN_TTL=0 before the expiry")
	}
}

// TestHookRegionByHand: a region changed by hand in a tree is the user's:
// awsx does not let go of the shell for it (it would leave the tree's keys
// behind), renewals keep it, and leaving restores the region from before.
func TestHookRegionByHand(t *testing.T) {
	before := map[string]string{"AWS_PROFILE": "orig", "AWS_REGION": "eu-north-1", "AWS_ACCESS_KEY_ID": "AKIAORIG"}
	s := newTestShell(t, copyEnv(before))
	root := s.dir
	s.cd("infra")
	s.env["AWS_REGION"] = "us-west-2"
	s.cd(".")
	if w := s.warnings(); w != nil {
		t.Errorf("warnings: %q", w)
	}
	calls := s.src.calls
	s.now = s.now.Add(7*time.Hour + 56*time.Minute)
	s.cd(".")
	if s.src.calls != calls+1 {
		t.Fatal("not renewed after a region change by hand")
	}
	if s.env["AWS_REGION"] != "us-west-2" || s.env["AWS_DEFAULT_REGION"] != "us-east-1" {
		t.Errorf("renewal changed the regions: AWS_REGION=%s AWS_DEFAULT_REGION=%s", s.env["AWS_REGION"], s.env["AWS_DEFAULT_REGION"])
	}
	if s.env["AWSX_EXPIRATION"] != fmt.Sprint(s.now.Add(8*time.Hour).Unix()) {
		t.Errorf("expiration = %s", s.env["AWSX_EXPIRATION"])
	}
	s.cd(filepath.Join(root, "plain"))
	sameEnv(t, s.env, before)
	if w := s.warnings(); w != nil {
		t.Errorf("warnings: %q", w)
	}
}

func TestHookLoginNeeded(t *testing.T) {
	before := map[string]string{"AWS_PROFILE": "orig"}
	s := newTestShell(t, copyEnv(before))
	writeMarker(t, filepath.Join(s.dir, "plain"), "profile = needslogin\n")
	m, _ := ReadMarker(filepath.Join(s.dir, "plain", MarkerName))
	if err := NewTrustStore(s.home).Trust(m); err != nil {
		t.Fatal(err)
	}
	s.cd("plain")
	sameEnv(t, s.env, before)
	if w := s.warnings(); len(w) != 1 || w[0] != "awsx: needslogin needs 'awsx login bastion'" {
		t.Errorf("warnings: %q", w)
	}
	s.cd(".")
	if w := s.warnings(); w != nil {
		t.Errorf("warned twice: %q", w)
	}
}

func TestHookRenewalFailureKeepsCredentials(t *testing.T) {
	s := newTestShell(t, nil)
	s.cd("infra")
	keys := s.env["AWS_ACCESS_KEY_ID"]
	s.now = s.now.Add(8 * time.Hour)
	s.source = &failingSource{s.src}
	s.cd(".")
	if s.env["AWS_ACCESS_KEY_ID"] != keys || s.env["AWSX_PROFILE"] != "prod" {
		t.Error("renewal failure dropped the credentials")
	}
	if s.env[CheckVar] != "1800028860" { // retried a minute later
		t.Errorf("check = %s", s.env[CheckVar])
	}
	if w := s.warnings(); len(w) != 1 {
		t.Errorf("warnings: %q", w)
	}
}

type failingSource struct{ *fakeSource }

func (f *failingSource) Switch(p, r string) ([]Assignment, time.Time, error) {
	return f.fakeSource.Switch("needslogin", r)
}

func TestHookHandsOff(t *testing.T) {
	for _, name := range handVars {
		t.Run(name, func(t *testing.T) { testHandsOff(t, name) })
	}
}

func testHandsOff(t *testing.T, name string) {
	before := map[string]string{"AWS_PROFILE": "orig"}
	s := newTestShell(t, copyEnv(before))
	root := s.dir
	s.cd("infra")
	s.env[name] = "mine"
	s.cd(filepath.Join(root, "plain"))
	if s.env[name] != "mine" || s.env["AWSX_PROFILE"] != "prod" {
		t.Fatalf("hand-set values not left alone: %v", s.env)
	}
	if w := s.warnings(); len(w) != 1 || !strings.Contains(w[0], "awsx use") {
		t.Errorf("warnings: %q", w)
	}
	s.cd(filepath.Join(root, "infra", "dev"))
	if s.env["AWSX_PROFILE"] != "prod" {
		t.Fatal("switched while hands off")
	}
	if err := s.run(&Use{Off: true}); err != nil {
		t.Fatal(err)
	}
	if s.env["AWSX_PROFILE"] != "dev" {
		t.Fatalf("use --off did not resume: %v", s.env)
	}
	s.cd(filepath.Join(root, "plain"))
	sameEnv(t, s.env, before)
}

func TestHookUse(t *testing.T) {
	before := map[string]string{"AWS_REGION": "ap-south-1"}
	s := newTestShell(t, copyEnv(before))
	root := s.dir
	if err := s.run(&Use{Profile: "dev"}); err != nil {
		t.Fatal(err)
	}
	if s.env["AWSX_PROFILE"] != "dev" {
		t.Fatal("use dev")
	}
	s.cd("infra")
	if s.env["AWSX_PROFILE"] != "dev" {
		t.Fatal("marker won over use")
	}
	if err := s.run(&Use{Off: true}); err != nil {
		t.Fatal(err)
	}
	if s.env["AWSX_PROFILE"] != "prod" {
		t.Fatal("use --off in prod tree")
	}
	s.cd(filepath.Join(root, "plain"))
	sameEnv(t, s.env, before)
	for _, bad := range []string{"nope", "a b", "$(x)"} {
		if err := s.run(&Use{Profile: bad}); err == nil {
			t.Errorf("use %q accepted", bad)
		}
	}
	sameEnv(t, s.env, before)
	if err := s.run(&Use{Profile: "needslogin"}); err == nil || err.Error() != "needslogin needs 'awsx login bastion'" {
		t.Errorf("use needslogin: %v", err)
	}
}

func TestHookDirs(t *testing.T) {
	s := newTestShell(t, nil)
	root := s.dir
	mkdirs(t, filepath.Join(s.home, "work", "acme-prod", "sub"), filepath.Join(s.home, "work", "acme-prod", "sub", "dev"))
	writeMarker(t, filepath.Join(s.home, "work", "acme-prod", "sub", "dev"), "profile = dev\n")
	m, _ := ReadMarker(filepath.Join(s.home, "work", "acme-prod", "sub", "dev", MarkerName))
	NewTrustStore(s.home).Trust(m)
	s.src.dirs = []DirRule{{Profile: "prod", Pattern: "~/work/*-prod"}, {Profile: "dev", Pattern: "relative/dir"}, {Profile: "colorful", Pattern: root + "/plain"}}
	s.cd(filepath.Join(s.home, "work", "acme-prod", "sub"))
	if s.env["AWSX_PROFILE"] != "prod" {
		t.Fatalf("glob dirs: %v", s.env)
	}
	if w := s.warnings(); len(w) != 1 || !strings.Contains(w[0], "relative/dir") {
		t.Errorf("warnings: %q", w)
	}
	s.cd("dev")
	if s.env["AWSX_PROFILE"] != "dev" {
		t.Fatal("nearer marker lost to awsx_dirs")
	}
	s.cd(filepath.Join(root, "plain"))
	if s.env["AWSX_PROFILE"] != "colorful" || s.env[ColorVar] != "red" {
		t.Fatalf("literal dirs / colour: %v", s.env)
	}
	if w := s.warnings(); w != nil {
		t.Errorf("warned again: %q", w)
	}
}

func TestHookRefusesBadMarkers(t *testing.T) {
	cases := []struct {
		name, content string
		mode          os.FileMode
		trust         bool
		edit          string
		want          string
	}{
		{"untrusted", "profile = prod\n", 0o644, false, "", "is not trusted; run 'awsx trust'"},
		{"edited", "profile = prod\n", 0o644, true, "profile = prod\nregion = x\n", "changed since it was trusted"},
		{"world-writable", "profile = prod\n", 0o666, true, "", "writable by group or others"},
		{"group-writable", "profile = prod\n", 0o664, true, "", "writable by group or others"},
		{"unreadable", "profile = prod\n", 0o000, true, "", "cannot read"},
		{"undefined", "profile = nosuch\n", 0o644, true, "", "names profile nosuch, which /home/u/.aws/config does not define"},
		{"command", "profile = $(touch PWNED)\n", 0o644, true, "", "line 1: profile must be made of"},
		{"backticks", "profile = `touch PWNED`\n", 0o644, true, "", "line 1: profile must be made of"},
		{"semicolon", "profile = prod; touch PWNED\n", 0o644, true, "", "line 1: profile must be made of"},
		{"quote", "profile = 'prod'\n", 0o644, true, "", "line 1: profile must be made of"},
		{"unicode", "profile = prоd\n", 0o644, true, "", "line 1: profile must be made of"},
		{"region", "profile = prod\nregion = us east\n", 0o644, true, "", "line 2: region must be made of"},
		{"nokey", "prod\n", 0o644, true, "", "line 1: want key = value"},
		{"unknown key", "profile = prod\nrole = x\n", 0o644, true, "", "unknown key role"},
		{"empty", "# nothing\n", 0o644, true, "", "no profile = NAME line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := map[string]string{"AWS_PROFILE": "orig"}
			s := newTestShell(t, copyEnv(before))
			dir := filepath.Join(s.dir, "plain")
			p := filepath.Join(dir, MarkerName)
			writeMarker(t, dir, c.content)
			if c.trust {
				data, _ := os.ReadFile(p)
				m, err := ParseMarker(data)
				if err != nil {
					m = &Marker{Sum: sha(data)}
				}
				m.Path = p
				if err := NewTrustStore(s.home).Trust(m); err != nil {
					t.Fatal(err)
				}
			}
			if c.edit != "" {
				writeMarker(t, dir, c.edit)
			}
			if err := os.Chmod(p, c.mode); err != nil {
				t.Fatal(err)
			}
			s.cd("plain")
			sameEnv(t, s.env, before)
			w := s.warnings()
			if len(w) != 1 || !strings.Contains(w[0], c.want) || !strings.HasPrefix(w[0], "awsx: ") {
				t.Fatalf("warnings: %q, want one with %q", w, c.want)
			}
			s.cd(".")
			if w := s.warnings(); w != nil {
				t.Errorf("warned twice: %q", w)
			}
			// Leaving a managed tree for a bad one restores, never keeps
			// the other tree's account.
			s.cd(filepath.Join(s.dir, "..", "infra"))
			s.cd(filepath.Join(s.dir, "..", "plain"))
			sameEnv(t, s.env, before)
		})
	}
}

func TestHookVarsDropsKeyringVariables(t *testing.T) {
	in := []Assignment{Set("AWS_ACCESS_KEY_ID", "a"), Unset("AWSX_FILE_PASSPHRASE"), Set("AWSX_FILE_PASSPHRASE", "x"),
		Unset("AWS_VAULT_FILE_PASSPHRASE"), Unset("AWSX_BACKEND"), Set("AWSX_PROFILE", "p"), Unset("AWS_PROFILE"), Set("HOME", "/")}
	got := HookVars(in)
	want := []Assignment{Set("AWS_ACCESS_KEY_ID", "a"), Set("AWSX_PROFILE", "p"), Unset("AWS_PROFILE")}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("got %v, want %v", got[i], want[i])
		}
	}
}

func TestHookForgetsForeignState(t *testing.T) {
	s := newTestShell(t, map[string]string{StateVar: "garbage", CheckVar: "1"})
	s.cd("plain")
	if _, ok := s.env[StateVar]; ok {
		t.Error("foreign AWSX_HOOK kept")
	}
}

// TestHookRefusesForeignNamesInState: AWSX_HOOK is exported, so anything
// that can set an environment variable can craft one; restoring it must
// never export a variable the hook does not manage.
func TestHookRefusesForeignNamesInState(t *testing.T) {
	for _, name := range []string{"LD_PRELOAD", "PROMPT_COMMAND", "AWSX_FILE_PASSPHRASE", StateVar} {
		t.Run(name, func(t *testing.T) {
			evil := "/tmp/evil.so"
			env := map[string]string{"AWS_PROFILE": "orig"}
			st := &state{Prev: map[string]*string{name: &evil, "AWS_PROFILE": nil}}
			// A correct checksum: the state looks like awsx's own.
			st.Sum = fingerprint(st.names(), func(n string) *string {
				if v, ok := env[n]; ok {
					return &v
				}
				return nil
			})
			env[StateVar] = st.encode()
			s := newTestShell(t, env)
			s.cd("plain")
			if v, ok := s.env[name]; ok && v == evil {
				t.Errorf("restoring a crafted state exported %s=%s", name, v)
			}
			if _, ok := s.env[StateVar]; ok {
				t.Error("crafted state kept")
			}
			if s.env["AWS_PROFILE"] != "orig" {
				t.Error("AWS_PROFILE changed")
			}
			w := s.warnings()
			if len(w) != 1 || !strings.Contains(w[0], "ignoring AWSX_HOOK: it names "+name+", which awsx never sets") {
				t.Errorf("warnings = %q, want one about %s", w, name)
			}
			s.cd("plain")
			if w := s.warnings(); w != nil {
				t.Errorf("warned again: %q", w)
			}
		})
	}
}

// TestHookStateFromEarlierAwsx: a shell whose AWSX_HOOK an earlier awsx
// wrote, when the fingerprint covered every managed variable, is not taken
// for one whose variables were changed by hand after an upgrade.
func TestHookStateFromEarlierAwsx(t *testing.T) {
	s := newTestShell(t, map[string]string{})
	root := s.dir
	s.cd("infra")
	st, err := decodeState(s.env[StateVar])
	if err != nil {
		t.Fatal(err)
	}
	st.Sum = fingerprint(st.names(), func(n string) *string {
		if v, ok := s.env[n]; ok {
			return &v
		}
		return nil
	})
	s.env[StateVar] = st.encode()
	s.cd(filepath.Join(root, "infra", "dev"))
	if w := s.warnings(); len(w) != 0 {
		t.Fatalf("warnings after the upgrade: %q", w)
	}
	if s.env["AWSX_PROFILE"] != "dev" {
		t.Fatalf("did not switch: %v", s.env)
	}
}
