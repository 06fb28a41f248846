package completions

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The install.sh tests run the script the way users do, into a HOME and a
// PREFIX under a temporary directory whose name has a space and a dollar
// sign in it, with rc files that exist (one without a final newline), one
// that does not, and one that is a symlink, as dotfile managers make them.

// fakeMain stands in for awsx in a checkout of its own, so that install.sh
// is tested on its own terms: its completion output names the shell.
const fakeMain = `package main

import (
	"fmt"
	"os"
)

var version = "unset"

func main() {
	switch {
	case len(os.Args) == 3 && os.Args[1] == "completion":
		fmt.Printf("# fake %s completion for awsx\n", os.Args[2])
	case len(os.Args) == 2 && os.Args[1] == "version":
		fmt.Println(version)
	default:
		os.Exit(2)
	}
}
`

var hookLines = map[string]string{
	"bash": `if command -v awsx >/dev/null 2>&1; then eval "$(awsx hook bash)"; fi`,
	"zsh":  `if command -v awsx >/dev/null 2>&1; then eval "$(awsx hook zsh)"; fi`,
	"fish": `status is-interactive; and command -q awsx; and awsx hook fish | source`,
}

// zshFpathLine is the line install.sh puts before the zsh hook line when
// zsh's default fpath lacks dir.
func zshFpathLine(dir string) string {
	return `fpath=('` + dir + `' "${fpath[@]}"); (( $+functions[compdef] )) && { autoload -Uz _awsx && compdef _awsx awsx; }`
}

// installEnv is a HOME and PREFIX to install into, with rc files.
type installEnv struct {
	root, home, prefix string
	env                []string
	before             map[string][]byte // rc file -> content before install; nil: absent
}

var goEnv = sync.OnceValues(func() ([]string, error) {
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT").Output()
	if err != nil {
		return nil, err
	}
	vals := strings.Split(strings.TrimSpace(string(out)), "\n")
	names := []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT"}
	var env []string
	for i, v := range vals {
		env = append(env, names[i]+"="+v)
	}
	return env, nil
})

func newInstallEnv(t *testing.T) *installEnv {
	t.Helper()
	for _, sh := range Shells {
		needShell(t, sh)
	}
	root := filepath.Join(t.TempDir(), "my home $HOME")
	e := &installEnv{root: root, home: filepath.Join(root, "home"), prefix: filepath.Join(root, "prefix dir")}
	dotfiles := filepath.Join(root, "dotfiles")
	for _, d := range []string{e.home, dotfiles} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e.before = map[string][]byte{
		filepath.Join(e.home, ".bashrc"):                        []byte("# my bashrc\nalias ll='ls -l'"),
		filepath.Join(dotfiles, "zshrc"):                        []byte("setopt autocd\n\n"),
		filepath.Join(e.home, ".config", "fish", "config.fish"): nil,
	}
	for path, content := range e.before {
		if content != nil {
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Symlink(filepath.Join(dotfiles, "zshrc"), filepath.Join(e.home, ".zshrc")); err != nil {
		t.Fatal(err)
	}
	goenv, err := goEnv()
	if err != nil {
		t.Fatal(err)
	}
	// HOME moves, so the Go caches are named explicitly: a build must not
	// start from empty caches (or download modules) inside the test's HOME.
	e.env = append(goenv,
		"PATH="+os.Getenv("PATH"),
		"HOME="+e.home,
		"PREFIX="+e.prefix,
		"SHELL=/bin/zsh",
		"GOTOOLCHAIN=local",
		"GOFLAGS=",
		"LC_ALL=C",
	)
	return e
}

// run runs install.sh from src with args and returns its output.
func (e *installEnv) run(t *testing.T, src string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(src, "install.sh"), args...)
	cmd.Env = e.env
	cmd.Dir = e.root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("install.sh %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func (e *installEnv) completionFiles() map[string]string {
	return map[string]string{
		"bash": filepath.Join(e.home, ".local", "share", "bash-completion", "completions", "awsx"),
		"zsh":  filepath.Join(e.prefix, "share", "zsh", "site-functions", "_awsx"),
		"fish": filepath.Join(e.home, ".config", "fish", "completions", "awsx.fish"),
	}
}

func (e *installEnv) rcFiles() map[string]string {
	return map[string]string{
		"bash": filepath.Join(e.home, ".bashrc"),
		"zsh":  filepath.Join(e.home, ".zshrc"),
		"fish": filepath.Join(e.home, ".config", "fish", "config.fish"),
	}
}

// checkInstalled checks the binary, the completions (each what the binary
// prints for its shell) and one hook line per rc file.
func (e *installEnv) checkInstalled(t *testing.T) {
	t.Helper()
	bin := filepath.Join(e.prefix, "bin", "awsx")
	for sh, path := range e.completionFiles() {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s completion: %v", sh, err)
			continue
		}
		cmd := exec.Command(bin, "completion", sh)
		cmd.Env = e.env
		want, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s completion %s: %v", bin, sh, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s holds\n%s\nwant\n%s", path, got, want)
		}
	}
	for sh, path := range e.rcFiles() {
		content, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s rc: %v", sh, err)
			continue
		}
		if n := strings.Count(string(content), "\n"+hookLines[sh]+"\n"); n != 1 {
			t.Errorf("%s has the hook line %d times:\n%s", path, n, content)
		}
	}
	// The test's PREFIX is not in zsh's default fpath.
	zshrc, _ := os.ReadFile(e.rcFiles()["zsh"])
	fpath := zshFpathLine(filepath.Dir(e.completionFiles()["zsh"]))
	if n := strings.Count(string(zshrc), "\n"+fpath+"\n"+hookLines["zsh"]+"\n"); n != 1 {
		t.Errorf(".zshrc has the fpath line before the hook line %d times:\n%s", n, zshrc)
	}
	// The zshrc symlink still points into the dotfiles.
	if fi, err := os.Lstat(filepath.Join(e.home, ".zshrc")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf(".zshrc is no longer a symlink: %v", err)
	}
}

// checkUninstalled checks that the rc files are back byte for byte, and the
// binary and completions gone.
func (e *installEnv) checkUninstalled(t *testing.T) {
	t.Helper()
	for path, want := range e.before {
		got, err := os.ReadFile(path)
		switch {
		case want == nil && err == nil:
			t.Errorf("%s was created by install.sh and is still there:\n%s", path, got)
		case want == nil:
		case err != nil:
			t.Errorf("%s: %v", path, err)
		case !bytes.Equal(got, want):
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	for _, path := range append(mapValues(e.completionFiles()), filepath.Join(e.prefix, "bin", "awsx")) {
		if _, err := os.Lstat(path); err == nil {
			t.Errorf("%s is still there", path)
		}
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// fakeCheckout makes a checkout of fakeMain holding a copy of install.sh.
func fakeCheckout(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	script, err := os.ReadFile(filepath.Join("..", "install.sh"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod":     "module github.com/awsx-cli/awsx\n\ngo 1.22\n",
		"main.go":    fakeMain,
		"install.sh": string(script),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

func TestInstallScript(t *testing.T) {
	e := newInstallEnv(t)
	src := fakeCheckout(t)

	out := e.run(t, src, "--shell-rc")
	for _, want := range []string{"installed " + filepath.Join(e.prefix, "bin", "awsx"), "added '" + hookLines["fish"] + "'", "fpath=("} {
		if !strings.Contains(out, want) {
			t.Errorf("first run does not say %q:\n%s", want, out)
		}
	}
	out = e.run(t, src, "--shell-rc")
	if !strings.Contains(out, "already has the awsx hook") {
		t.Errorf("second run does not say the hook is there:\n%s", out)
	}
	e.checkInstalled(t)
	cmd := exec.Command(filepath.Join(e.prefix, "bin", "awsx"), "version")
	if v, err := cmd.Output(); err != nil || strings.TrimSpace(string(v)) != "dev" {
		t.Errorf("awsx version = %q, %v; want dev (no git outside a repository)", v, err)
	}

	e.run(t, src, "--uninstall")
	e.checkUninstalled(t)
	// Uninstalling twice is harmless.
	e.run(t, src, "--uninstall")
	e.checkUninstalled(t)
}

// TestInstallScriptEdits: lines the user wrote around ours survive the
// uninstall, and a hook line the user wrote by hand is left alone.
func TestInstallScriptEdits(t *testing.T) {
	e := newInstallEnv(t)
	src := fakeCheckout(t)
	bashrc := e.rcFiles()["bash"]
	zshrc := e.rcFiles()["zsh"]
	byHand := []byte("setopt autocd\n" + hookLines["zsh"] + "\n")
	if err := os.WriteFile(zshrc, byHand, 0o600); err != nil {
		t.Fatal(err)
	}

	out := e.run(t, src, "--shell-rc")
	if !strings.Contains(out, "added by hand") {
		t.Errorf("install does not mention the hand-written zsh hook:\n%s", out)
	}
	if fpath := zshFpathLine(filepath.Dir(e.completionFiles()["zsh"])); !strings.Contains(out, "\n    "+fpath+"\n") {
		t.Errorf("install does not give the fpath line to add by hand:\n%s", out)
	}
	f, err := os.OpenFile(bashrc, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("export EDITOR=vi"); err != nil {
		t.Fatal(err)
	}
	f.Close()

	e.run(t, src, "--uninstall")
	if got, _ := os.ReadFile(zshrc); !bytes.Equal(got, byHand) {
		t.Errorf(".zshrc = %q, want the hand-written %q", got, byHand)
	}
	want := "# my bashrc\nalias ll='ls -l'\nexport EDITOR=vi"
	if got, _ := os.ReadFile(bashrc); string(got) != want {
		t.Errorf(".bashrc = %q, want %q", got, want)
	}
}

// TestInstallScriptNoShellRC: without --shell-rc no rc file changes, and
// the line to add by hand is printed for the login shell.
func TestInstallScriptNoShellRC(t *testing.T) {
	e := newInstallEnv(t)
	src := fakeCheckout(t)
	out := e.run(t, src)
	if !strings.Contains(out, hookLines["zsh"]) || strings.Contains(out, hookLines["bash"]) {
		t.Errorf("output does not give the zsh line alone:\n%s", out)
	}
	if fpath := zshFpathLine(filepath.Dir(e.completionFiles()["zsh"])); !strings.Contains(out, "\n    "+fpath+"\n") {
		t.Errorf("output does not give the fpath line:\n%s", out)
	}
	for path, want := range e.before {
		got, err := os.ReadFile(path)
		if want == nil && err == nil || want != nil && !bytes.Equal(got, want) {
			t.Errorf("%s changed without --shell-rc: %q", path, got)
		}
	}
	e.run(t, src, "--uninstall")
	e.checkUninstalled(t)
}

// TestInstallScriptCheckout installs the real checkout, whose completion
// files come from the real CLI, and checks that bash-completion and fish
// load them from where install.sh put them.
func TestInstallScriptCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds awsx")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	requireRealBinary(t)
	e := newInstallEnv(t)
	e.run(t, root, "--shell-rc")
	e.run(t, root, "--shell-rc")
	e.checkInstalled(t)

	cfg := filepath.Join(e.root, "config")
	if err := os.WriteFile(cfg, []byte("[profile bastion]\nregion = eu-west-1\n[profile prod]\nsource_profile = bastion\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(e.env, "AWS_CONFIG_FILE="+cfg,
		"PATH="+filepath.Join(e.prefix, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	// bash-completion 2.11 splits its user directory on blanks, so it
	// cannot load from this HOME; TestBashCompletionLoader checks that it
	// looks in this place. Here the installed file is sourced.
	got := bashRun(t, env, e.root, `source "$1" || exit 1`, e.completionFiles()["bash"], []string{"awsx", "exec", ""})
	checkCandidates(t, completionCase{line: "bash: awsx exec ", want: []string{"bastion", "prod"}}, got)
	cmd := exec.Command("fish", "--no-config", "-c", `set fish_complete_path $argv[1] $fish_complete_path; complete -C "awsx exec "`,
		filepath.Dir(e.completionFiles()["fish"]))
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("fish: %v\n%s", err, out)
	}
	checkCandidates(t, completionCase{line: "fish: awsx exec ", want: []string{"bastion", "prod"}}, firstFields(string(out)))

	// fish reads config.fish for scripts too: only an interactive fish
	// runs awsx for the hook. A wrapper in front of the real awsx counts.
	wrapDir := filepath.Join(e.root, "wrap")
	runsLog := filepath.Join(e.root, "awsx-runs")
	if err := os.MkdirAll(wrapDir, 0o755); err != nil {
		t.Fatal(err)
	}
	wrapper := "#!/bin/sh\necho \"$*\" >> '" + runsLog + "'\nexec '" + filepath.Join(e.prefix, "bin", "awsx") + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(wrapDir, "awsx"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	fishEnv := append(env, "PATH="+wrapDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	for _, args := range [][]string{{"-c", "true"}, {"-i", "-c", "true"}} {
		cmd := exec.Command("fish", args...)
		cmd.Env, cmd.Dir = fishEnv, e.root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("fish %v: %v\n%s", args, err, out)
		}
	}
	if got, _ := os.ReadFile(runsLog); string(got) != "hook fish\n" {
		t.Errorf("awsx runs for a fish script and an interactive fish: %q, want only the interactive one's `hook fish`", got)
	}

	// zsh finds the completion through the lines in ~/.zshrc, whether the
	// user's compinit runs before them or after.
	zshrc := e.rcFiles()["zsh"]
	installed, err := os.ReadFile(zshrc)
	if err != nil {
		t.Fatal(err)
	}
	const compinit = "autoload -Uz compinit && compinit -u\n"
	for name, rc := range map[string]string{"compinit before": compinit + string(installed), "compinit after": string(installed) + compinit} {
		if err := os.WriteFile(zshrc, []byte(rc), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("zsh", "-i", "-c", `print -r -- "${_comps[awsx]-none}"; autoload +X _awsx && print loaded`)
		cmd.Env, cmd.Dir = env, e.root
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != "_awsx\nloaded" {
			t.Errorf("zsh, %s: %q (%v), want the completion registered and loaded from fpath", name, got, err)
		}
	}
	if err := os.WriteFile(zshrc, installed, 0o600); err != nil {
		t.Fatal(err)
	}

	e.run(t, root, "--uninstall")
	e.checkUninstalled(t)
}

func firstFields(s string) []string {
	var out []string
	for _, l := range lines(s) {
		out = append(out, strings.SplitN(l, "\t", 2)[0])
	}
	return out
}

// TestInstallShellcheck keeps install.sh POSIX sh and shellcheck-clean.
func TestInstallShellcheck(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("shellcheck not installed")
	}
	out, err := exec.Command("shellcheck", "-s", "sh", filepath.Join("..", "install.sh")).CombinedOutput()
	if err != nil {
		t.Fatalf("shellcheck: %v\n%s", err, out)
	}
}

// TestInstallScriptUninstallsEarlierLine: a config.fish that an earlier
// install.sh edited, with the hook line it wrote then, is restored byte
// for byte by --uninstall now.
func TestInstallScriptUninstallsEarlierLine(t *testing.T) {
	e := newInstallEnv(t)
	src := fakeCheckout(t)
	e.run(t, src, "--shell-rc")
	fish := e.rcFiles()["fish"]
	mine := []byte("set -gx EDITOR vi\n")
	earlier := append(append([]byte{}, mine...), "# Added by awsx install.sh; ./install.sh --uninstall removes it.\ncommand -q awsx; and awsx hook fish | source\n"...)
	if err := os.WriteFile(fish, earlier, 0o600); err != nil {
		t.Fatal(err)
	}
	e.run(t, src, "--uninstall")
	if got, _ := os.ReadFile(fish); !bytes.Equal(got, mine) {
		t.Errorf("config.fish = %q, want %q", got, mine)
	}
}
