package shells

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHookEvaluatesOnlyAwsxOutput: whatever runs as awsx, the hooks
// evaluate its output only when it exited 0 and printed awsx's header
// first; help text, errors and anything else are never run as code.
func TestHookEvaluatesOnlyAwsxOutput(t *testing.T) {
	fakes := map[string]string{
		"junk0":   "#!/bin/sh\necho 'touch PWNED-junk0'\n",
		"junk1":   "#!/bin/sh\necho 'touch PWNED-junk1'\nexit 1\n",
		"header1": "#!/bin/sh\nprintf '# awsx-hook 1\\ntouch PWNED-header1\\n'\nexit 1\n",
		"late":    "#!/bin/sh\nprintf 'touch PWNED-late\\n# awsx-hook 1\\n'\n",
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			s := newSessionEnv(t, sh)
			var b strings.Builder
			if sh == "fish" {
				b.WriteString("$AWSX hook fish | source\n")
			} else {
				b.WriteString(`eval "$("$AWSX" hook ` + sh + ")\"\n")
			}
			for name, script := range fakes {
				s.write(t, name, script)
				if err := os.Chmod(filepath.Join(s.root, name), 0o755); err != nil {
					t.Fatal(err)
				}
				if sh == "fish" {
					b.WriteString("set -g _awsx_bin $T/" + name + "\n")
				} else {
					b.WriteString("_awsx_bin=$T/" + name + "\n")
				}
				// A directory change, a prompt and awsx use each run it.
				b.WriteString("cd $T/infra\n\nawsx use dev\ncd $T/plain\n")
			}
			b.WriteString("echo done > $T/out/done\nexit\n")
			s.run(t, sh, b.String())
			if got := s.out(t, "done"); got != "done" {
				t.Fatalf("session did not finish: %q", got)
			}
			assertNoPwned(t, s.root)
		})
	}
}

// TestHookSecretsSession: the previous keys exported before a tree stay out
// of the exported state; the shell that entered the tree (and its ( ... )
// subshells) restores them exactly; a new shell cannot, so it unsets them
// and says so once.
func TestHookSecretsSession(t *testing.T) {
	const session = `{HOOK}
env | sort > $T/out/env0
cd $T/infra
env | sort > $T/out/env-in
{SUB} < $T/sub > /dev/null 2>&1
{PAREN}
cd $T/plain
env | sort > $T/out/env1
exit
`
	const sub = `{HOOK}
cd $T/plain
env | sort > $T/out/env-sub
exit
`
	secrets := []string{"origsecret-Zq9", "origtoken-Zq9"}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			s := newSessionEnv(t, sh)
			s.env = append(s.env, "AWS_ACCESS_KEY_ID=AKIAORIG", "AWS_SECRET_ACCESS_KEY="+secrets[0], "AWS_SESSION_TOKEN="+secrets[1])
			hook := `eval "$("$AWSX" hook ` + sh + `)"`
			paren := `(cd "$T/plain" && env | sort > "$T/out/env-paren")`
			if sh == "fish" {
				hook, paren = "$AWSX hook fish | source", ""
			}
			subShell := shellCommand[sh]
			if sh == "zsh" {
				subShell += " +Z" // no line editor on a file
			}
			r := strings.NewReplacer("{HOOK}", hook, "{SUB}", subShell, "{PAREN}", paren)
			s.write(t, "sub", r.Replace(sub))
			s.run(t, sh, r.Replace(session))

			env0 := s.out(t, "env0")
			for _, line := range strings.Split(s.out(t, "env-in"), "\n") {
				name, value, _ := strings.Cut(line, "=")
				if name == StateVar {
					data, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(value, stateVersion))
					if err != nil {
						t.Fatalf("%s: %v", StateVar, err)
					}
					value = string(data)
				}
				for _, secret := range secrets {
					if strings.Contains(value, secret) {
						t.Errorf("in the tree, the exported %s holds the previous secret %s", name, secret)
					}
				}
			}
			if d := envDiff(env0, s.out(t, "env1")); d != "" {
				t.Errorf("leaving the tree did not restore the environment:\n%s", d)
			}
			if sh != "fish" {
				if d := envDiff(env0, s.out(t, "env-paren")); d != "" {
					t.Errorf("a ( ... ) subshell leaving the tree did not restore the environment:\n%s", d)
				}
			}
			want := `AWS_ACCESS_KEY_ID: "AKIAORIG" -> "" (set: false)
AWS_SECRET_ACCESS_KEY: "origsecret-Zq9" -> "" (set: false)
AWS_SESSION_TOKEN: "origtoken-Zq9" -> "" (set: false)`
			if d := sortedLines(envDiff(env0, s.out(t, "env-sub"), "SHLVL")); d != want {
				t.Errorf("a new shell leaving the tree: got\n%s\nwant\n%s", d, want)
			}
			data, _ := os.ReadFile(filepath.Join(s.root, "stderr"))
			if got := strings.TrimSpace(string(data)); got != "awsx: the previous keys could not be restored in this shell (it is not the one that entered the tree): AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN unset" {
				t.Errorf("warnings:\n%s", got)
			}
		})
	}
}

func sortedLines(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		for j := i + 1; j < len(lines); j++ {
			if lines[j] < lines[i] {
				lines[i], lines[j] = lines[j], lines[i]
			}
		}
	}
	return strings.Join(lines, "\n")
}
