package shells

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The tests here put the hooks next to what users already have: bash's
// array PROMPT_COMMAND, bash-preexec, zsh options that change what array
// expansions mean; and check that the hooks do nothing where they must
// not: in non-interactive shells, and on the terminal at start-up.

// bashAtLeast skips unless bash is at least major.minor.
func bashAtLeast(t *testing.T, major, minor int) {
	t.Helper()
	out, err := exec.Command("bash", "-c", `echo "${BASH_VERSINFO[0]} ${BASH_VERSINFO[1]}"`).Output()
	if err != nil {
		t.Skip("no bash")
	}
	f := strings.Fields(string(out))
	maj, _ := strconv.Atoi(f[0])
	min, _ := strconv.Atoi(f[1])
	if maj < major || maj == major && min < minor {
		t.Skipf("bash %s.%s has no array PROMPT_COMMAND", f[0], f[1])
	}
}

func checkOut(t *testing.T, s *sessionEnv, checks map[string]string) {
	t.Helper()
	for file, want := range checks {
		if got := s.out(t, file); !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("%s = %q, want %s", file, got, want)
		}
	}
}

func runs(t *testing.T, s *sessionEnv, a, b string) int {
	t.Helper()
	x, err1 := strconv.Atoi(strings.TrimSpace(s.out(t, a)))
	y, err2 := strconv.Atoi(strings.TrimSpace(s.out(t, b)))
	if err1 != nil || err2 != nil {
		t.Fatalf("counts %s, %s: %v %v", a, b, err1, err2)
	}
	return y - x
}

// TestHookBashPromptCommandArray: bash 5.1's array PROMPT_COMMAND gets the
// hook as its first element, the user's elements keep running and the first
// sees the command's $?, and a prompt function's $(cd ...) costs nothing.
func TestHookBashPromptCommandArray(t *testing.T) {
	bashAtLeast(t, 5, 1)
	s := newSessionEnv(t, "bash")
	s.run(t, "bash", `pf() { local r; r=$(cd / && pwd); }
PROMPT_COMMAND=('echo "userpc1 $?" >> "$T/out/userpc"' pf)
eval "$("$AWSX" hook bash)"
declare -p PROMPT_COMMAND > "$T/out/pc0"
cd "$T/infra" && echo "$AWSX_PROFILE" > "$T/out/inline"
false
wc -l < "$T/count" > "$T/out/c1"
`+tenPrompts+`wc -l < "$T/count" > "$T/out/c2"
eval "$("$AWSX" hook bash)"
declare -p PROMPT_COMMAND > "$T/out/pc1"
cd "$T/plain"
echo "${AWSX_PROFILE-none}" > "$T/out/left"
exit
`)
	checkOut(t, s, map[string]string{
		"pc0":    `^declare -a PROMPT_COMMAND=\(\[0\]="_awsx_hook" \[1\]="echo .*userpc1.*" \[2\]="pf"\)$`,
		"inline": `^prod$`,
		"userpc": `(?m)^userpc1 1$`,
		"left":   `^none$`,
	})
	if a, b := s.out(t, "pc0"), s.out(t, "pc1"); a != b {
		t.Errorf("sourcing the hook twice changed PROMPT_COMMAND:\n%s\n---\n%s", a, b)
	}
	if n := runs(t, s, "c1", "c2"); n != 0 {
		t.Errorf("ten prompts in a tree ran awsx %d times", n)
	}
}

// TestHookBashPreexec: with bash-preexec, which owns PROMPT_COMMAND, the
// hook goes first into precmd_functions, whether it is loaded after
// bash-preexec or before; the user's precmd functions keep running, the
// switch still happens on the cd itself, and sourcing twice adds nothing.
func TestHookBashPreexec(t *testing.T) {
	bp, err := filepath.Abs(filepath.Join("testdata", "bash-preexec", "bash-preexec.sh"))
	if err != nil {
		t.Fatal(err)
	}
	const bpFirst = `source "$BP"
eval "$("$AWSX" hook bash)"
`
	const hookFirst = `eval "$("$AWSX" hook bash)"
source "$BP"
`
	for name, load := range map[string]string{"bash-preexec first": bpFirst, "hook first": hookFirst} {
		t.Run(name, func(t *testing.T) {
			s := newSessionEnv(t, "bash")
			s.env = append(s.env, "BP="+bp)
			s.run(t, "bash", `userpc() { echo "userpc $?" >> "$T/out/userpc"; }
pf() { local r; r=$(cd / && pwd); }
precmd_functions+=(userpc pf)
`+load+`
echo "${__bp_imported-}" > "$T/out/imported"
{ declare -p precmd_functions; echo "$PROMPT_COMMAND"; } > "$T/out/pc0"
env | sort > "$T/out/env0"
cd "$T/infra" && echo "$AWSX_PROFILE" > "$T/out/inline"
false
wc -l < "$T/count" > "$T/out/c1"
`+tenPrompts+`wc -l < "$T/count" > "$T/out/c2"
eval "$("$AWSX" hook bash)"
{ declare -p precmd_functions; echo "$PROMPT_COMMAND"; } > "$T/out/pc1"
cd "$T/plain"
env | sort > "$T/out/env1"
exit
`)
			checkOut(t, s, map[string]string{
				"imported": `^defined$`,
				"inline":   `^prod$`,
				"userpc":   `(?m)^userpc 1$`,
				"pc1":      `_awsx_hook`,
			})
			if a, b := s.out(t, "pc0"), s.out(t, "pc1"); a != b {
				t.Errorf("sourcing the hook twice changed the hooks:\n%s\n---\n%s", a, b)
			}
			if strings.Count(s.out(t, "pc1"), "_awsx_hook") != 1 {
				t.Errorf("the hook is installed more than once:\n%s", s.out(t, "pc1"))
			}
			if n := runs(t, s, "c1", "c2"); n != 0 {
				t.Errorf("ten prompts in a tree ran awsx %d times", n)
			}
			if d := envDiff(s.out(t, "env0"), s.out(t, "env1")); d != "" {
				t.Errorf("leaving the tree did not restore the environment:\n%s", d)
			}
		})
	}
}

// TestHookZshUserOptions: options that change what the hook's code means
// (ksh_arrays makes $array its first element, sh_word_split splits
// unquoted values) neither drop the user's hook functions nor break the
// switch.
func TestHookZshUserOptions(t *testing.T) {
	s := newSessionEnv(t, "zsh")
	s.run(t, "zsh", `setopt ksh_arrays sh_word_split
c1() { echo c1 >> "$T/out/cd" }
c2() { echo c2 >> "$T/out/cd" }
p1() { echo p1 >> "$T/out/pc" }
p2() { echo p2 >> "$T/out/pc" }
chpwd_functions=(c1 c2)
precmd_functions=(p1 p2)
eval "$("$AWSX" hook zsh)"
eval "$("$AWSX" hook zsh)"
{ print -r -- "${chpwd_functions[@]}"; print -r -- "${precmd_functions[@]}"; } > "$T/out/fns"
cd "$T/infra" && echo "$AWSX_PROFILE $AWSX_ACCOUNT_ID" > "$T/out/inline"
awsx_prompt_info > "$T/out/info"
echo "$AWSX_PROMPT" > "$T/out/prompt-var"
cd "$T/plain"
echo "${AWSX_PROFILE-none}" > "$T/out/left"
exit
`)
	checkOut(t, s, map[string]string{
		"fns":        `^_awsx_chpwd c1 c2\n_awsx_hook p1 p2$`,
		"cd":         `c1\nc2`,
		"pc":         `p1\np2`,
		"inline":     `^prod 222222222222$`,
		"info":       `^prod 222222222222 (7h59m|8h0m)$`,
		"prompt-var": `^prod 222222222222 (7h59m|8h0m)$`,
		"left":       `^none$`,
	})
}

// TestHookInertNonInteractive: in a script (-c), loading the hook defines
// nothing, runs no hook and starts no awsx beyond `awsx hook` itself.
func TestHookInertNonInteractive(t *testing.T) {
	scripts := map[string][]string{
		"bash": {"bash", "--norc", "--noprofile", "-c", `PROMPT_COMMAND=mine
eval "$("$AWSX" hook bash)"
cd "$T/infra"
echo "${AWSX_PROFILE-none} $PROMPT_COMMAND $(declare -F | grep -c _awsx)"`},
		"zsh": {"zsh", "-f", "-c", `eval "$("$AWSX" hook zsh)"
cd "$T/infra"
echo "${AWSX_PROFILE-none} ${#precmd_functions} ${#chpwd_functions} ${(k)#functions[(I)*awsx*]}"`},
		"fish": {"fish", "--no-config", "-c", `$AWSX hook fish | source
cd $T/infra
echo (set -q AWSX_PROFILE; and echo $AWSX_PROFILE; or echo none) (functions -n -a | string match '*awsx*' | count)`},
	}
	want := map[string]string{"bash": "none mine 0", "zsh": "none 0 0 0", "fish": "none 0"}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			s := newSessionEnv(t, sh)
			cmd := exec.Command(scripts[sh][0], scripts[sh][1:]...)
			cmd.Dir, cmd.Env = s.root, s.env
			out, err := cmd.CombinedOutput()
			if got := strings.TrimSpace(string(out)); err != nil || got != want[sh] {
				t.Errorf("%s -c: %q (%v), want %q", sh, got, err, want[sh])
			}
			data, _ := os.ReadFile(filepath.Join(s.root, "count"))
			if got := strings.TrimSpace(string(data)); got != "hook "+sh {
				t.Errorf("awsx runs:\n%s\nwant only `hook %s`", got, sh)
			}
		})
	}
}

// visible leaves out of a terminal transcript the carriage returns, which
// depend on when input typed ahead arrives: fish sometimes returns the
// cursor to the line's start before a prompt and sometimes not. Anything
// else the hook printed, text or control sequence, still shows.
func visible(transcript string) string { return strings.ReplaceAll(transcript, "\r", "") }

// TestHookSilentAtStartup: a shell whose rc file loads the hook, started
// in a tree it switches to at once, shows on its terminal exactly what the
// same shell without the hook shows (powerlevel10k's instant prompt warns
// about any output at start-up).
func TestHookSilentAtStartup(t *testing.T) {
	rc := map[string]string{
		"bash": `PS1='$ '
cd "$T/infra"
{HOOK}`,
		"zsh": `PS1='$ '
unsetopt prompt_sp
cd "$T/infra"
{HOOK}`,
		"fish": `function fish_prompt; echo '$ '; end
cd $T/infra
{HOOK}`,
	}
	hooks := map[string]string{
		"bash": `eval "$("$AWSX" hook bash)"`,
		"zsh":  `eval "$("$AWSX" hook zsh)"`,
		"fish": `$AWSX hook fish | source`,
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			s := newSessionEnv(t, sh)
			command := map[string]string{
				"bash": "bash --noprofile --rcfile rc -i",
				"zsh":  "zsh -i",
				"fish": "fish --no-config --private -C 'source rc'",
			}[sh]
			s.env = append(s.env, "ZDOTDIR="+filepath.Join(s.root, "zdot"))
			mkdirs(t, filepath.Join(s.root, "zdot"))
			transcript := func(hook string) string {
				script := strings.ReplaceAll(rc[sh], "{HOOK}", hook)
				s.write(t, "rc", script)
				s.write(t, filepath.Join("zdot", ".zshrc"), script)
				input := "echo \"${AWSX_PROFILE:-none}\" > \"$T/out/profile\"\nexit\n"
				if sh == "fish" {
					input = "echo (set -q AWSX_PROFILE; and echo $AWSX_PROFILE; or echo none) > $T/out/profile\nexit\n"
				}
				return s.runCommand(t, command, input)
			}
			without := transcript("")
			if got := s.out(t, "profile"); got != "none" {
				t.Fatalf("without the hook the profile is %q", got)
			}
			with := transcript(hooks[sh])
			if got := s.out(t, "profile"); got != "prod" {
				t.Errorf("the first prompt did not switch: profile %q", got)
			}
			if visible(with) != visible(without) {
				t.Errorf("the hook printed at start-up:\nwith the hook:\n%q\nwithout:\n%q", visible(with), visible(without))
			}
		})
	}
}
