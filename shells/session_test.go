package shells

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// These tests run the real hooks in real interactive bash, zsh and fish on
// a terminal (util-linux script(1) gives them a pty, so readline, zle and
// fish_prompt behave as for a user), with this test binary standing in for
// awsx (fakeMain: the real Hook logic over fakeSource). Each session writes
// what it observes into $T/out; the Go side compares.

// sessionEnv is a tree with trusted prod and dev markers, a plain
// directory, and the fake awsx installed under a hostile path.
type sessionEnv struct {
	root, home, bin string
	env             []string
}

// hostileDir is a directory name that runs code wherever it is evaluated
// instead of quoted.
const hostileDir = "bin $(touch PWNED) `touch PWNED`; touch PWNED 'q' \"dq\" ü"

func newSessionEnv(t *testing.T, shell string) *sessionEnv {
	t.Helper()
	if _, err := exec.LookPath(shell); err != nil {
		t.Skipf("%s not installed", shell)
	}
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script(1) not installed")
	}
	root := t.TempDir()
	s := &sessionEnv{root: root, home: filepath.Join(root, "home"), bin: filepath.Join(root, hostileDir, "awsx")}
	mkdirs(t, s.home, filepath.Join(root, "infra", "dev"), filepath.Join(root, "plain"), filepath.Join(root, "out"), filepath.Dir(s.bin))
	writeMarker(t, filepath.Join(root, "infra"), "profile = prod\n")
	writeMarker(t, filepath.Join(root, "infra", "dev"), "profile = dev # the dev account\nregion = eu-west-1\n")
	for _, d := range []string{"infra", "infra/dev"} {
		m, err := ReadMarker(filepath.Join(root, d, MarkerName))
		if err != nil {
			t.Fatal(err)
		}
		if err := NewTrustStore(s.home).Trust(m); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, self, s.bin, 0o755)
	s.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + s.home,
		"TERM=xterm",
		"LANG=C.UTF-8",
		"T=" + root,
		"AWSX=" + s.bin,
		"AWSX_FAKE_BIN=1",
		"AWSX_FAKE_COUNT=" + filepath.Join(root, "count"),
		"AWSX_FAKE_STDERR=" + filepath.Join(root, "stderr"),
		"AWS_PROFILE=orig",
		"AWS_REGION=eu-north-1",
		"AWSX_FILE_PASSPHRASE=keep",
		"XDG_CONFIG_HOME=" + filepath.Join(s.home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(s.home, ".local", "share"),
	}
	return s
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// shellCommand is how each shell starts interactive without user config.
var shellCommand = map[string]string{
	"bash": "bash --norc --noprofile -i",
	"zsh":  "zsh -f -i",
	"fish": "fish --no-config -i",
}

// run types input into shell on a pty and waits for it to exit.
func (s *sessionEnv) run(t *testing.T, shell, input string) {
	t.Helper()
	s.runCommand(t, shellCommand[shell], input)
}

// runCommand types input into the shell command line on a pty, waits for
// it to exit and returns what the terminal showed.
func (s *sessionEnv) runCommand(t *testing.T, command, input string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "script", "-qec", command, "/dev/null")
	cmd.Dir = s.root
	cmd.Env = s.env
	cmd.Stdin = strings.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", command, err, out.String())
	}
	return out.String()
}

func (s *sessionEnv) out(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(s.root, "out", name))
	if err != nil {
		t.Fatalf("session wrote no %s: %v", name, err)
	}
	return strings.TrimRight(string(data), "\n")
}

func (s *sessionEnv) write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.root, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// envDiff compares two `env | sort` dumps, ignoring variables that a
// directory change or a new shell changes by itself.
func envDiff(a, b string, ignore ...string) string {
	parse := func(s string) map[string]string {
		m := map[string]string{}
		for _, l := range strings.Split(s, "\n") {
			k, v, _ := strings.Cut(l, "=")
			m[k] = v
		}
		for _, k := range append(ignore, "PWD", "OLDPWD", "_") {
			delete(m, k)
		}
		return m
	}
	ma, mb := parse(a), parse(b)
	var diff []string
	for k, v := range ma {
		if w, ok := mb[k]; !ok || w != v {
			diff = append(diff, fmt.Sprintf("%s: %q -> %q (set: %v)", k, v, w, ok))
		}
	}
	for k, v := range mb {
		if _, ok := ma[k]; !ok {
			diff = append(diff, fmt.Sprintf("%s: unset -> %q", k, v))
		}
	}
	return strings.Join(diff, "\n")
}

const fiftyPrompts = "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"

// posixSession drives bash and zsh; {SH} is the shell's name, {SETUP} its
// pre-existing prompt and cd hooks, {POST} what the user adds after the
// hook (a prompt function whose $(cd ...) must cost nothing), {PC} a dump
// of the hooks, {SUB} a nested interactive shell with the hook.
const posixSession = `{SETUP}
eval "$("$AWSX" hook {SH})"
{POST}
{PC} > "$T/out/pc0"
env | sort > "$T/out/env0"
cd "$T/infra" && echo "$AWSX_PROFILE $AWSX_ACCOUNT_ID ${AWS_PROFILE-unset} $AWSX_FILE_PASSPHRASE $AWS_REGION $AWS_VAULT" > "$T/out/inline"
printf '%s' "$AWS_SECRET_ACCESS_KEY" > "$T/out/secret"
awsx_prompt_info > "$T/out/info"
cd dev && echo "$AWSX_PROFILE $AWS_REGION" > "$T/out/dev"
false
{SUB} < "$T/sub" > /dev/null 2>&1
cd "$T/plain"
env | sort > "$T/out/env1"
pushd "$T/infra" > /dev/null && echo "$AWSX_PROFILE" > "$T/out/pushd"
popd > /dev/null && echo "${AWSX_PROFILE-none}" > "$T/out/popd"
(cd "$T/infra" && echo "$AWSX_PROFILE" > "$T/out/paren")
deploy() { (cd "$T/infra" && echo "$AWSX_PROFILE" > "$T/out/fn-sub"); }
deploy
wc -l < "$T/count" > "$T/out/count1"
` + fiftyPrompts + `wc -l < "$T/count" > "$T/out/count2"
cd "$T/infra"
wc -l < "$T/count" > "$T/out/count3"
` + fiftyPrompts + `wc -l < "$T/count" > "$T/out/count4"
echo "$AWSX_PROMPT" > "$T/out/prompt-var"
cd "$T/plain"
echo "${AWSX_PROMPT:-empty}" > "$T/out/prompt-var-out"
eval "$("$AWSX" hook {SH})"
{PC} > "$T/out/pc1"
env | sort > "$T/out/env2"
awsx use dev && echo "$AWSX_PROFILE" > "$T/out/use"
cd "$T/infra" && echo "$AWSX_PROFILE" > "$T/out/use-wins"
awsx use --off && echo "${AWSX_PROFILE-none}" > "$T/out/use-off"
cd "$T/plain"
env | sort > "$T/out/env3"
exit
`

const posixSub = `eval "$("$AWSX" hook {SH})"
echo "$AWSX_PROFILE" > "$T/out/sub-in"
cd "$T/plain"
env | sort > "$T/out/env-sub"
exit
`

const fishSession = `function usercd --on-variable PWD; echo usercd >> $T/out/usercd; end
function fish_prompt; echo "userpc $status" >> $T/out/userpc; echo '> '; end
$AWSX hook fish | source
functions --handlers > $T/out/pc0
env | sort > $T/out/env0
cd $T/infra && echo "$AWSX_PROFILE $AWSX_ACCOUNT_ID "(set -q AWS_PROFILE; and echo $AWS_PROFILE; or echo unset)" $AWSX_FILE_PASSPHRASE $AWS_REGION $AWS_VAULT" > $T/out/inline
printf '%s' "$AWS_SECRET_ACCESS_KEY" > $T/out/secret
echo (awsx_prompt_info) > $T/out/info
cd dev && echo "$AWSX_PROFILE $AWS_REGION" > $T/out/dev
false
fish --no-config -i < $T/sub > /dev/null 2>&1
cd $T/plain
env | sort > $T/out/env1
pushd $T/infra && echo "$AWSX_PROFILE" > $T/out/pushd
popd && echo (set -q AWSX_PROFILE; and echo $AWSX_PROFILE; or echo none) > $T/out/popd
wc -l < $T/count > $T/out/count1
` + fiftyPrompts + `wc -l < $T/count > $T/out/count2
cd $T/infra
wc -l < $T/count > $T/out/count3
` + fiftyPrompts + `wc -l < $T/count > $T/out/count4
echo "$AWSX_PROMPT" > $T/out/prompt-var
cd $T/plain
echo (test -n "$AWSX_PROMPT"; and echo $AWSX_PROMPT; or echo empty) > $T/out/prompt-var-out
$AWSX hook fish | source
functions --handlers > $T/out/pc1
env | sort > $T/out/env2
awsx use dev && echo "$AWSX_PROFILE" > $T/out/use
cd $T/infra && echo "$AWSX_PROFILE" > $T/out/use-wins
awsx use --off && echo (set -q AWSX_PROFILE; and echo $AWSX_PROFILE; or echo none) > $T/out/use-off
cd $T/plain
env | sort > $T/out/env3
exit
`

const fishSub = `$AWSX hook fish | source
echo "$AWSX_PROFILE" > $T/out/sub-in
cd $T/plain
env | sort > $T/out/env-sub
exit
`

func TestHookSession(t *testing.T) {
	shells := map[string][4]string{ // setup, after the hook, dump of hooks, nested shell
		"bash": {
			`cd() { echo usercd >> "$T/out/usercd"; builtin cd "$@"; }
PROMPT_COMMAND='echo "userpc $?" >> "$T/out/userpc"'`,
			// A theme's prompt function: its cd runs in a subshell.
			`pf() { local r; r=$(cd / && pwd); }
PROMPT_COMMAND+=$'\n'pf`,
			`{ declare -p PROMPT_COMMAND; declare -f cd pushd popd; }`,
			`bash --norc --noprofile -i`,
		},
		"zsh": {
			`userchpwd() { echo usercd >> "$T/out/usercd" }
chpwd_functions=(userchpwd)
unsetopt prompt_sp`,
			// zsh itself runs each precmd function with the command's $?;
			// userpc shows that the hook leaves the user's functions in
			// place. pf and PS1 are a theme's: their cd runs in a subshell.
			`userpc() { echo "userpc $?" >> "$T/out/userpc" }
pf() { local r=$(cd / && pwd) }
precmd_functions+=(userpc pf)
setopt prompt_subst
PS1='$(cd /; echo "> ")'`,
			`{ print -l -- $precmd_functions $chpwd_functions; functions precmd }`,
			`zsh -f -i +Z`,
		},
		"fish": {},
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			s := newSessionEnv(t, sh)
			var session, sub string
			if sh == "fish" {
				session, sub = fishSession, fishSub
			} else {
				r := strings.NewReplacer("{SH}", sh, "{SETUP}", shells[sh][0], "{POST}", shells[sh][1], "{PC}", shells[sh][2], "{SUB}", shells[sh][3])
				session, sub = r.Replace(posixSession), r.Replace(posixSub)
			}
			s.write(t, "sub", sub)
			s.run(t, sh, session)

			checks := []struct{ file, want string }{
				{"inline", `^prod 222222222222 unset keep us-east-1 prod$`},
				{"info", `^prod 222222222222 (7h59m|8h0m)$`},
				{"dev", `^dev eu-west-1$`},
				{"sub-in", `^dev$`},
				{"pushd", `^prod$`},
				{"popd", `^none$`},
				{"use", `^dev$`},
				{"use-wins", `^dev$`},
				{"use-off", `^prod$`},
				{"userpc", `(?m)^userpc 1$`},
				{"usercd", `usercd`},
				{"prompt-var", `^prod 222222222222 (7h59m|8h0m)$`},
				{"prompt-var-out", `^empty$`},
			}
			if sh != "fish" {
				checks = append(checks, struct{ file, want string }{"paren", `^prod$`}, struct{ file, want string }{"fn-sub", `^prod$`})
			}
			for _, c := range checks {
				if got := s.out(t, c.file); !regexp.MustCompile(c.want).MatchString(got) {
					t.Errorf("%s = %q, want %s", c.file, got, c.want)
				}
			}
			if got, want := s.out(t, "secret"), "s'e\"c$(touch PWNED)`r`\\et;prod"; got != want {
				t.Errorf("secret = %q, want %q", got, want)
			}
			env0 := s.out(t, "env0")
			if d := envDiff(env0, s.out(t, "env1")); d != "" {
				t.Errorf("leaving the tree did not restore the environment:\n%s", d)
			}
			if d := envDiff(env0, s.out(t, "env-sub"), "SHLVL"); d != "" {
				t.Errorf("a subshell leaving the tree did not restore the environment:\n%s", d)
			}
			if d := envDiff(env0, s.out(t, "env2")); d != "" {
				t.Errorf("sourcing the hook twice changed the environment:\n%s", d)
			}
			if d := envDiff(env0, s.out(t, "env3")); d != "" {
				t.Errorf("use --off and leaving did not restore the environment:\n%s", d)
			}
			if a, b := s.out(t, "pc0"), s.out(t, "pc1"); a != b {
				t.Errorf("sourcing the hook twice changed the hooks:\n%s\n---\n%s", a, b)
			}
			if a, b := s.out(t, "count1"), s.out(t, "count2"); a != b {
				t.Errorf("50 prompts in an unchanged directory ran awsx: %s -> %s runs", a, b)
			}
			if a, b := s.out(t, "count3"), s.out(t, "count4"); a != b {
				t.Errorf("50 prompts in an unchanged directory in a tree ran awsx: %s -> %s runs", a, b)
			}
			if sh == "fish" {
				if n := strings.Count(s.out(t, "pc1"), "_awsx_on_pwd"); n != 1 {
					t.Errorf("after sourcing the hook twice, fish has %d _awsx_on_pwd handlers:\n%s", n, s.out(t, "pc1"))
				}
			}
			if data, _ := os.ReadFile(filepath.Join(s.root, "stderr")); len(data) > 0 {
				t.Errorf("unexpected warnings:\n%s", data)
			}
			assertNoPwned(t, s.root)
		})
	}
}

// TestFishClockWithoutHistory: fish before 3.5 reads the time from its
// history, which a new user does not have yet; the prompt then shows no
// time left rather than one counted from 1970.
func TestFishClockWithoutHistory(t *testing.T) {
	s := newSessionEnv(t, "fish")
	s.run(t, "fish", `$AWSX hook fish | source
functions -e _awsx_clock; functions -c _awsx_clock_history _awsx_clock
set -gx AWSX_PROFILE prod; set -gx AWSX_ACCOUNT_ID 222222222222
set -gx AWSX_EXPIRATION (math 2000000000)
builtin history clear
awsx_prompt_info > $T/out/info
exit
`)
	if got := s.out(t, "info"); got != "prod 222222222222" {
		t.Fatalf("awsx_prompt_info = %q", got)
	}
}
