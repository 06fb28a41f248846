package completions

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestZshCompinit loads the script both ways zsh users do, through $fpath
// and compinit, and by sourcing it after compinit, and checks that either
// registers _awsx for awsx without a word on stderr.
func TestZshCompinit(t *testing.T) {
	needShell(t, "zsh")
	env, dir := shellEnv(t)
	fpath := filepath.Join(dir, "site-functions")
	if err := os.Mkdir(fpath, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fpath, "_awsx"), []byte(generate(t, "zsh")), 0o644); err != nil {
		t.Fatal(err)
	}
	script := writeScript(t, dir, "zsh")
	for name, prog := range map[string]string{
		"fpath":  `fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$3/dump1"; print -r -- $_comps[awsx]`,
		"source": `autoload -Uz compinit; compinit -u -d "$3/dump2"; source "$2"; print -r -- $_comps[awsx]`,
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command("zsh", "-f", "-c", prog, "zsh", fpath, script, dir)
			cmd.Env = env
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil || stderr.Len() > 0 {
				t.Fatalf("zsh: %v\n%s", err, stderr.String())
			}
			if got := strings.TrimSpace(string(out)); got != "_awsx" {
				t.Fatalf("_comps[awsx] = %q, want _awsx", got)
			}
		})
	}
}

// TestZshInteractive types into a real interactive zsh in tmux and reads
// what the completion system shows after a TAB.
func TestZshInteractive(t *testing.T) {
	needShell(t, "zsh")
	needShell(t, "tmux")
	env, dir := shellEnv(t)
	fpath := filepath.Join(dir, "site-functions")
	if err := os.Mkdir(fpath, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fpath, "_awsx"), []byte(generate(t, "zsh")), 0o644); err != nil {
		t.Fatal(err)
	}
	term := startTmux(t, env, dir, "zsh", "-f", "-i")
	term.typeLine(fmt.Sprintf("fpath=(%s $fpath); autoload -Uz compinit; compinit -u -d %s; PS1='%%%% '; print -r READY", shQuote(fpath), shQuote(filepath.Join(dir, "dump"))))
	term.waitLine(func(l string) bool { return l == "READY" })

	cases := []struct {
		typed string
		want  []string // words the screen must show after TAB
	}{
		{"awsx exec ", testProfiles},
		{"awsx exec ba", []string{"% awsx exec bastion"}},
		{"awsx ex", []string{"exec", "export", "Run a command with credentials."}},
		{"awsx export --format ", []string{"env", "fish", "powershell", "json"}},
		{"awsx export --format=pow", []string{"% awsx export --format=powershell"}},
		{"awsx --backend sec", []string{"% awsx --backend secret-service"}},
		{"awsx config generate --source-profile ba", []string{"% awsx config generate --source-profile bastion"}},
		{"awsx hook ", []string{"bash", "zsh", "fish"}},
		{"awsx exec prod -- awsx exec de", []string{"% awsx exec prod -- awsx exec dev"}},
	}
	for _, c := range cases {
		t.Run(c.typed, func(t *testing.T) {
			term := term.with(t)
			term.keys("clear", "Enter")
			term.waitScreen(func(s string) bool { return strings.TrimSpace(s) == "%" })
			term.literal(c.typed)
			term.keys("Tab")
			screen := term.waitScreen(func(s string) bool {
				for _, w := range c.want {
					if !strings.Contains(s, w) {
						return false
					}
				}
				return true
			})
			if strings.Contains(screen, "command not found") || strings.Contains(screen, "_awsx:") {
				t.Errorf("error on screen:\n%s", screen)
			}
			term.keys("C-u")
		})
	}
}

// tmuxTerm is a shell running in a detached tmux session on its own server.
type tmuxTerm struct {
	t      *testing.T
	socket string
	env    []string
}

var tmuxCount atomic.Int32

func startTmux(t *testing.T, env []string, dir string, argv ...string) *tmuxTerm {
	t.Helper()
	term := &tmuxTerm{t: t, socket: fmt.Sprintf("awsx-test-%d-%d", os.Getpid(), tmuxCount.Add(1)), env: env}
	term.run(append([]string{"new-session", "-d", "-x", "160", "-y", "40", "-c", dir}, argv...)...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", term.socket, "kill-server").Run() })
	return term
}

// with returns term reporting to t, so that a subtest fails itself.
func (term *tmuxTerm) with(t *testing.T) *tmuxTerm {
	c := *term
	c.t = t
	return &c
}

func (term *tmuxTerm) run(args ...string) string {
	term.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-L", term.socket, "-f", "/dev/null"}, args...)...)
	cmd.Env = term.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %q: %v\n%s", args, err, out)
	}
	return string(out)
}

func (term *tmuxTerm) keys(keys ...string) {
	term.t.Helper()
	term.run(append([]string{"send-keys", "-t", "0"}, keys...)...)
}

func (term *tmuxTerm) literal(s string) {
	term.t.Helper()
	term.run("send-keys", "-t", "0", "-l", s)
}

func (term *tmuxTerm) typeLine(s string) {
	term.t.Helper()
	term.literal(s)
	term.keys("Enter")
}

// waitScreen polls the screen until ok accepts it, and fails the test with
// the last screen after ten seconds.
func (term *tmuxTerm) waitScreen(ok func(string) bool) string {
	term.t.Helper()
	var screen string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		screen = term.run("capture-pane", "-p", "-t", "0")
		if ok(screen) {
			return screen
		}
	}
	term.t.Fatalf("timed out; screen:\n%s", screen)
	return ""
}

func (term *tmuxTerm) waitLine(ok func(string) bool) string {
	term.t.Helper()
	return term.waitScreen(func(s string) bool {
		for l := range strings.SplitSeq(s, "\n") {
			if ok(strings.TrimRight(l, " ")) {
				return true
			}
		}
		return false
	})
}
