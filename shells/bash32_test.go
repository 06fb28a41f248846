package shells

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// bash4Only are constructs that macOS's bash 3.2, which cannot be installed
// here, rejects or reads differently; the bash hook must use none of them
// (where it needs a newer feature, it checks BASH_VERSINFO first, as for
// EPOCHSECONDS and printf %(%s)T). Each comes with a line it must catch.
var bash4Only = []struct {
	what, pattern, sample string
}{
	{"declare -g (4.2)", `\b(declare|typeset|local)\s+-[a-zA-Z]*g`, `declare -g x=1`},
	{"associative arrays (4.0)", `\b(declare|typeset|local)\s+-[a-zA-Z]*A`, `local -A m`},
	{"namerefs (4.3)", `\b(declare|typeset|local)\s+-[a-zA-Z]*n\b`, `local -n r=x`},
	{"case modification (4.0)", `\$\{[!#]?[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?(,|\^)`, `y=${x,,} z=${x^^}`},
	{"transformations (4.4)", `\$\{[^}]*@[QEPAKaUuL]\}`, `echo "${x@Q}"`},
	{"mapfile and readarray (4.0)", `\b(mapfile|readarray)\b`, `mapfile -t lines < f`},
	{"[[ -v (4.2)", `\[\[\s+(!\s+)?-v\s`, `[[ -v x ]]`},
	{"negative subscripts (4.3)", `[A-Za-z0-9_]\[\s*-\s*[0-9]`, `echo "${a[-1]}"`},
	{"negative substring lengths (4.2)", `\$\{[^}]*:[^}:]*:\s*-[0-9]`, `echo "${x:1:-1}"`},
	{"|& (4.0)", `\|&`, `cmd |& less`},
	{"&>> (4.0)", `&>>`, `cmd &>> log`},
	{";& and ;;& in case (4.0)", `;;?&`, `a) echo a ;&`},
	{"coproc (4.0)", `\bcoproc\b`, `coproc cat`},
	{"wait -n (4.3)", `\bwait\s+-n\b`, `wait -n`},
	{"shopt options of bash 4", `\bshopt\s+-s\s+(globstar|autocd|checkjobs|dirspell|direxpand|lastpipe)`, `shopt -s globstar`},
}

// TestBashHookIsBash32 keeps hook.bash to bash 3.2's syntax.
func TestBashHookIsBash32(t *testing.T) {
	var code []string
	for _, l := range strings.Split(bashHook, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			code = append(code, l)
		}
	}
	for _, c := range bash4Only {
		re := regexp.MustCompile(c.pattern)
		if !re.MatchString(c.sample) {
			t.Errorf("the check for %s misses %q", c.what, c.sample)
		}
		for i, l := range code {
			if re.MatchString(l) {
				t.Errorf("hook.bash uses %s, which bash 3.2 lacks: %q (code line %d)", c.what, strings.TrimSpace(l), i+1)
			}
		}
	}
}

// TestBashHookShellcheck keeps hook.bash shellcheck-clean.
func TestBashHookShellcheck(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("shellcheck not installed")
	}
	out, err := exec.Command("shellcheck", "-s", "bash", "hook.bash").CombinedOutput()
	if err != nil {
		t.Fatalf("shellcheck: %v\n%s", err, out)
	}
}
