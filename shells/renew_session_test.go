package shells

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestHookRenewSession: credentials that expire shortly after AWSX_MIN_TTL
// are renewed by the first prompt past the check time, in each shell, with
// one run of awsx; prompts before it start none. A region exported by hand
// in the tree survives the renewal and does not make awsx let go: leaving
// restores the environment from before.
func TestHookRenewSession(t *testing.T) {
	const posix = `eval "$("$AWSX" hook {SH})"
env | sort > "$T/out/env0"
cd "$T/infra"
echo "$AWSX_EXPIRATION" > "$T/out/exp1"
export AWS_REGION=us-west-2
wc -l < "$T/count" > "$T/out/c1"
` + tenPrompts + `wc -l < "$T/count" > "$T/out/c2"
sleep 5
echo "$AWSX_EXPIRATION $AWS_REGION $AWS_SESSION_TOKEN" > "$T/out/exp2"
wc -l < "$T/count" > "$T/out/c3"
cd "$T/plain"
env | sort > "$T/out/env1"
exit
`
	const fish = `$AWSX hook fish | source
env | sort > $T/out/env0
cd $T/infra
echo "$AWSX_EXPIRATION" > $T/out/exp1
set -gx AWS_REGION us-west-2
wc -l < $T/count > $T/out/c1
` + tenPrompts + `wc -l < $T/count > $T/out/c2
sleep 5
echo "$AWSX_EXPIRATION $AWS_REGION $AWS_SESSION_TOKEN" > $T/out/exp2
wc -l < $T/count > $T/out/c3
cd $T/plain
env | sort > $T/out/env1
exit
`
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			t.Parallel()
			s := newSessionEnv(t, sh)
			// The check falls 4s after the switch: MIN_TTL before expiry.
			s.env = append(s.env, "AWSX_FAKE_TTL=5m4s", "AWSX_MIN_TTL=5m", "AWSX_FAKE_RETRY=1s")
			session := strings.ReplaceAll(posix, "{SH}", sh)
			if sh == "fish" {
				session = fish
			}
			s.run(t, sh, session)

			count := func(name string) int {
				n, err := strconv.Atoi(strings.TrimSpace(s.out(t, name)))
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if c1, c2 := count("c1"), count("c2"); c2 != c1 {
				t.Errorf("prompts before the check time ran awsx %d times", c2-c1)
			}
			if c2, c3 := count("c2"), count("c3"); c3 != c2+1 {
				t.Errorf("the prompts past the check time ran awsx %d times, want 1 (the renewal)", c3-c2)
			}
			exp1, _ := strconv.ParseInt(s.out(t, "exp1"), 10, 64)
			after := strings.Fields(s.out(t, "exp2"))
			if len(after) != 3 {
				t.Fatalf("exp2 = %q", after)
			}
			if exp2, _ := strconv.ParseInt(after[0], 10, 64); exp2 < exp1+5 {
				t.Errorf("AWSX_EXPIRATION %d -> %d: not renewed", exp1, exp2)
			}
			if after[1] != "us-west-2" || after[2] != "token-prod" {
				t.Errorf("after the renewal: region %s, session token %s; want us-west-2, token-prod", after[1], after[2])
			}
			if d := envDiff(s.out(t, "env0"), s.out(t, "env1")); d != "" {
				t.Errorf("leaving the tree did not restore the environment:\n%s", d)
			}
			if data, _ := os.ReadFile(filepath.Join(s.root, "stderr")); len(data) > 0 {
				t.Errorf("unexpected warnings:\n%s", data)
			}
		})
	}
}

const tenPrompts = "\n\n\n\n\n\n\n\n\n\n"
