package completions

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testProfiles is what the fake awsx on PATH answers to "__profiles".
var testProfiles = []string{"bastion", "dev", "prod", "prod-eu"}

var (
	subcommands = []string{"exec", "export", "add", "login", "logout", "remove", "rotate", "list",
		"console", "config", "hook", "use", "trust", "prompt", "completion", "version"}
	backends = []string{"keychain", "secret-service", "kwallet", "wincred", "pass", "keyctl", "file"}
)

// completionCase is one command line, completed with the cursor at its end,
// and the candidates every shell must offer for it.
type completionCase struct {
	name string
	line string // what was typed, starting with "awsx "
	want []string
	// contains is true when want is a subset of the candidates, not all of
	// them (command names from PATH, say).
	contains bool
}

// completionCases hold for bash and fish alike. zsh is driven through a
// terminal and checked for fewer cases (TestZshInteractive).
var completionCases = []completionCase{
	{name: "subcommands", line: "awsx ", want: subcommands},
	{name: "subcommand prefix", line: "awsx ex", want: []string{"exec", "export"}},
	{name: "exec profile", line: "awsx exec ", want: testProfiles},
	{name: "profile prefix", line: "awsx exec prod", want: []string{"prod", "prod-eu"}},
	{name: "alias", line: "awsx x d", want: []string{"dev"}},
	{name: "profile after flag value", line: "awsx exec --duration 1h ", want: testProfiles},
	{name: "profile after global flag", line: "awsx --backend file export ", want: testProfiles},
	{name: "exec flags", line: "awsx exec --", want: []string{"--duration", "--region", "--server", "--mfa-token", "--help", "--debug", "--backend"}},
	{name: "flags after positional", line: "awsx exec prod --re", want: []string{"--region"}},
	{name: "hidden flag left out", line: "awsx --s", want: nil},
	{name: "format values", line: "awsx export --format ", want: []string{"env", "fish", "powershell", "json"}},
	{name: "format prefix", line: "awsx export --format j", want: []string{"json"}},
	{name: "prompt format is free text", line: "awsx prompt --format ", want: nil},
	{name: "backend values", line: "awsx --backend ", want: backends},
	{name: "inherited backend", line: "awsx exec --backend k", want: []string{"keychain", "kwallet", "keyctl"}},
	{name: "nested command", line: "awsx config ", want: []string{"generate"}},
	{name: "source profile flag", line: "awsx config generate --source-profile ", want: testProfiles},
	{name: "hook shells", line: "awsx hook ", want: []string{"bash", "zsh", "fish"}},
	{name: "completion shells", line: "awsx completion z", want: []string{"zsh"}},
	{name: "optional profile", line: "awsx logout ", want: testProfiles},
	{name: "no second profile", line: "awsx login prod ", want: nil},
	{name: "no arguments", line: "awsx list ", want: nil},
	{name: "passthrough command", line: "awsx exec prod aws", want: []string{"awsx"}, contains: true},
	{name: "passthrough after dashdash", line: "awsx exec prod -- aws", want: []string{"awsx"}, contains: true},
}

// shellEnv prepares a directory with a fake awsx on PATH that lists
// testProfiles, and returns the environment for the shells and the directory.
func shellEnv(t *testing.T) ([]string, string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	fake := "#!/bin/sh\n[ \"$1\" = __profiles ] || exit 2\nprintf '%s\\n' " + strings.Join(testProfiles, " ") + "\n"
	if err := os.WriteFile(filepath.Join(bin, "awsx"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + dir,
		"TERM=dumb",
		"LC_ALL=C",
		"XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(dir, ".local", "share"),
	}
	return env, dir
}

func needShell(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (.ci/run installs bash, zsh, fish, tmux)", name)
	}
	return path
}

// checkCandidates compares the offered candidates with c.want.
func checkCandidates(t *testing.T, c completionCase, got []string) {
	t.Helper()
	if c.contains {
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: %q missing from %q", c.line, w, got)
			}
		}
		return
	}
	want := slices.Clone(c.want)
	slices.Sort(want)
	slices.Sort(got)
	got = slices.Compact(got)
	if !slices.Equal(got, want) {
		t.Errorf("%q: got %q, want %q", c.line, got, want)
	}
}

func writeScript(t *testing.T, dir, shell string) string {
	t.Helper()
	path := filepath.Join(dir, "awsx."+shell)
	if err := os.WriteFile(path, []byte(generate(t, shell)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// bashWords splits a line the way bash fills COMP_WORDS: on blanks, and
// around "=" (which COMP_WORDBREAKS holds by default); the last word is the
// one under the cursor, possibly empty.
func bashWords(line string) []string {
	words := strings.Fields(strings.ReplaceAll(line, "=", " = "))
	if strings.HasSuffix(line, " ") {
		words = append(words, "")
	}
	return words
}

// bashComplete sources script in bash and calls its completion function
// with COMP_WORDS set to words, returning COMPREPLY.
func bashComplete(t *testing.T, env []string, dir, script string, words []string) []string {
	t.Helper()
	return bashRun(t, env, dir, `source "$1" || exit 1`, script, words)
}

// bashRun runs setup in bash, then calls _awsx with COMP_WORDS set to words
// and returns COMPREPLY. setup gets script as $1.
func bashRun(t *testing.T, env []string, dir, setup, script string, words []string) []string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, shQuote(w))
	}
	prog := setup + `
set -u
COMP_WORDS=(` + strings.Join(quoted, " ") + `)
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
_awsx awsx "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" || exit 1
[ "${#COMPREPLY[@]}" = 0 ] || printf '%s\n' "${COMPREPLY[@]}"
`
	cmd := exec.Command("bash", "--norc", "--noprofile", "-c", prog, "bash", script)
	cmd.Env, cmd.Dir = env, dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("bash %q: %v\n%s", words, err, stderr.String())
	}
	return lines(string(out))
}

func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestBashCompletion(t *testing.T) {
	needShell(t, "bash")
	env, dir := shellEnv(t)
	script := writeScript(t, dir, "bash")
	for _, c := range completionCases {
		t.Run(c.name, func(t *testing.T) {
			checkCandidates(t, c, bashComplete(t, env, dir, script, bashWords(c.line)))
		})
	}

	// Bash's own ways of splitting "--format=": with "=" as a word break the
	// cursor can sit on the "=" itself; without, on "--format=j".
	split := []struct {
		words []string
		want  []string
	}{
		{[]string{"awsx", "export", "--format", "="}, []string{"=env", "=fish", "=powershell", "=json"}},
		{[]string{"awsx", "export", "--format", "=", "p"}, []string{"powershell"}},
		{[]string{"awsx", "export", "--format=j"}, []string{"--format=json"}},
		{[]string{"awsx", "export", "--format", "=", "json", ""}, testProfiles},
	}
	for _, c := range split {
		t.Run(strings.Join(c.words, " "), func(t *testing.T) {
			checkCandidates(t, completionCase{line: strings.Join(c.words, " "), want: c.want},
				bashComplete(t, env, dir, script, c.words))
		})
	}

	t.Run("directories", func(t *testing.T) {
		if err := os.Mkdir(filepath.Join(dir, "infra"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "inventory"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		got := bashComplete(t, env, dir, script, []string{"awsx", "trust", "in"})
		checkCandidates(t, completionCase{line: "awsx trust in", want: []string{"infra"}}, got)
	})
}

// bashCompletionScript is where Debian's bash-completion package keeps
// its loader.
const bashCompletionScript = "/usr/share/bash-completion/bash_completion"

// TestBashCompletionLoader checks that bash-completion finds the script on
// its own in the per-user directory that install.sh writes to, and that
// with bash-completion loaded the command after "exec PROFILE --" completes
// as that command (here awsx itself, so its profiles).
func TestBashCompletionLoader(t *testing.T) {
	needShell(t, "bash")
	if _, err := os.Stat(bashCompletionScript); err != nil {
		t.Skip("bash-completion not installed")
	}
	env, dir := shellEnv(t)
	user := filepath.Join(dir, ".local", "share", "bash-completion", "completions")
	if err := os.MkdirAll(user, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(user, "awsx"), []byte(generate(t, "bash")), 0o644); err != nil {
		t.Fatal(err)
	}
	setup := `source ` + bashCompletionScript + ` || exit 1
__load_completion awsx || exit 1
[ "$(complete -p awsx)" = "complete -F _awsx awsx" ] || { complete -p awsx >&2; exit 1; }`
	for _, c := range []completionCase{
		{line: "awsx exec ", want: testProfiles},
		{line: "awsx exec prod -- awsx exec d", want: []string{"dev"}},
		{line: "awsx exec prod awsx --backend k", want: []string{"keychain", "kwallet", "keyctl"}},
	} {
		t.Run(c.line, func(t *testing.T) {
			checkCandidates(t, c, bashRun(t, env, dir, setup, "", bashWords(c.line)))
		})
	}
}

// TestBashShellcheck holds the generated bash to the same standard as the
// hand-written shell code.
func TestBashShellcheck(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("shellcheck not installed")
	}
	_, dir := shellEnv(t)
	out, err := exec.Command("shellcheck", "-s", "bash", writeScript(t, dir, "bash")).CombinedOutput()
	if err != nil {
		t.Fatalf("shellcheck: %v\n%s", err, out)
	}
}

// fishComplete asks fish what it would offer for line, through complete -C,
// with the script loaded the way fish autoloads it.
func fishComplete(t *testing.T, env []string, dir, script, line string) []string {
	t.Helper()
	cmd := exec.Command("fish", "--no-config", "-c", "source $argv[1]; or exit 1; complete -C $argv[2]", script, line)
	cmd.Env, cmd.Dir = env, dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("fish %q: %v\n%s", line, err, stderr.String())
	}
	var got []string
	for _, l := range lines(string(out)) {
		got = append(got, strings.SplitN(l, "\t", 2)[0])
	}
	return got
}

func TestFishCompletion(t *testing.T) {
	needShell(t, "fish")
	env, dir := shellEnv(t)
	script := writeScript(t, dir, "fish")
	for _, c := range completionCases {
		t.Run(c.name, func(t *testing.T) {
			checkCandidates(t, c, fishComplete(t, env, dir, script, c.line))
		})
	}
	t.Run("nested awsx", func(t *testing.T) {
		got := fishComplete(t, env, dir, script, "awsx exec prod -- awsx exec d")
		checkCandidates(t, completionCase{line: "nested", want: []string{"dev"}}, got)
	})
	t.Run("format=", func(t *testing.T) {
		got := fishComplete(t, env, dir, script, "awsx export --format=p")
		checkCandidates(t, completionCase{line: "--format=p", want: []string{"--format=powershell"}}, got)
	})
	t.Run("directories", func(t *testing.T) {
		if err := os.Mkdir(filepath.Join(dir, "infra"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "inventory"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		got := fishComplete(t, env, dir, script, "awsx trust in")
		checkCandidates(t, completionCase{line: "awsx trust in", want: []string{"infra/"}}, got)
	})
}

// TestBashCompletionQuotesProfiles checks that a hand-written profile name
// with a space or a command substitution is offered quoted: inserted into
// the command line, it stays one literal word.
func TestBashCompletionQuotesProfiles(t *testing.T) {
	needShell(t, "bash")
	env, dir := shellEnv(t)
	fake := "#!/bin/sh\nprintf '%s\\n' 'team dev' '$(touch PWNED)'\n"
	if err := os.WriteFile(filepath.Join(dir, "bin", "awsx"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	script := writeScript(t, dir, "bash")
	got := bashComplete(t, env, dir, script, []string{"awsx", "exec", ""})
	want := []string{`team\ dev`, `\$\(touch\ PWNED\)`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("COMPREPLY = %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
		t.Fatal("a profile name was executed")
	}
}
