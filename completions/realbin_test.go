package completions

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// realBinary builds the awsx of this checkout once.
var realBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "awsx-completions-test")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "awsx")
	if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// requireRealBinary returns the built awsx, and skips the test while main.go
// does not have the completion command yet.
func requireRealBinary(t *testing.T) string {
	t.Helper()
	bin, err := realBinary()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "completion", "bash").CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "unexpected argument completion") {
			t.Skip("main.go does not wire CompletionCmd yet")
		}
		t.Fatalf("awsx completion bash: %v\n%s", err, out)
	}
	return bin
}

// TestRealCLI completes against the scripts and the __profiles command of
// the real binary, with profiles from a config file.
func TestRealCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds awsx")
	}
	bin := requireRealBinary(t)
	needShell(t, "bash")
	needShell(t, "fish")
	dir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(dir, "awsx")); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte(`[default]
region = eu-west-1
[profile bastion]
region = eu-west-1
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile prod]
source_profile = bastion
role_arn = arn:aws:iam::222222222222:role/AssumableAdmin
`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_CONFIG_FILE=" + cfg,
		// __profiles must never reach for the keyring: a broken backend
		// setting proves it.
		"AWSX_BACKEND=no-such-backend",
		"AWSX_FILE_PASSPHRASE=",
		"LC_ALL=C",
	}
	cmd := exec.Command(bin, "__profiles")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "bastion\ndefault\nprod\n" {
		t.Fatalf("awsx __profiles = %q, %v; want bastion, default, prod", out, err)
	}

	scripts := map[string]string{}
	for _, sh := range Shells {
		cmd := exec.Command(bin, "completion", sh)
		cmd.Env = env
		s, err := cmd.Output()
		if err != nil {
			t.Fatalf("awsx completion %s: %v", sh, err)
		}
		path := filepath.Join(dir, "awsx."+sh)
		if err := os.WriteFile(path, s, 0o644); err != nil {
			t.Fatal(err)
		}
		scripts[sh] = path
	}
	profiles := []string{"bastion", "default", "prod"}
	cases := []completionCase{
		{line: "awsx ex", want: []string{"exec", "export"}},
		{line: "awsx exec ", want: profiles},
		{line: "awsx login b", want: []string{"bastion"}},
		{line: "awsx export --format ", want: []string{"env", "fish", "powershell", "json"}},
		{line: "awsx --backend ", want: backends},
		{line: "awsx exec --", want: []string{"--duration", "--region", "--server", "--mfa-token"}, contains: true},
		{line: "awsx __", want: nil},
	}
	if _, err := exec.LookPath("shellcheck"); err == nil {
		if out, err := exec.Command("shellcheck", "-s", "bash", scripts["bash"]).CombinedOutput(); err != nil {
			t.Errorf("shellcheck: %v\n%s", err, out)
		}
	}
	if _, err := exec.LookPath("tmux"); err == nil {
		t.Run("zsh", func(t *testing.T) {
			needShell(t, "zsh")
			fpath := filepath.Join(dir, "site-functions")
			if err := os.Mkdir(fpath, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(scripts["zsh"], filepath.Join(fpath, "_awsx")); err != nil {
				t.Fatal(err)
			}
			term := startTmux(t, append(env, "TERM=xterm"), dir, "zsh", "-f", "-i")
			term.typeLine(fmt.Sprintf("fpath=(%s $fpath); autoload -Uz compinit; compinit -u -d %s; PS1='%%%% '; print -r READY",
				shQuote(fpath), shQuote(filepath.Join(dir, "dump"))))
			term.waitLine(func(l string) bool { return l == "READY" })
			term.literal("awsx exec ")
			term.keys("Tab")
			term.waitScreen(func(s string) bool {
				return strings.Contains(s, "bastion") && strings.Contains(s, "default") && strings.Contains(s, "prod")
			})
		})
	}
	for _, c := range cases {
		t.Run("bash "+c.line, func(t *testing.T) {
			checkCandidates(t, c, bashComplete(t, env, dir, scripts["bash"], bashWords(c.line)))
		})
		t.Run("fish "+c.line, func(t *testing.T) {
			checkCandidates(t, c, fishComplete(t, env, dir, scripts["fish"], c.line))
		})
	}
}
