package shells

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// nasty are strings that break naive quoting.
var nasty = []string{
	"", "plain", "it's", `"dq"`, "$(touch PWNED)", "`touch PWNED`", "a;b", "a && touch PWNED",
	"a\nb", "\n", "\n\n", "trailing\\", `\'`, `\\'`, "a'b'c", "'", "''", "tab\there", "\r\n",
	"ünïcødé ✓", "\u2018typo\u2019", "\x1b[31mred\x1b[0m", "*", "?", "[a]", "~", "~root", "!", "!!", "^x",
	"$HOME", "${HOME}", "$", "\\", "%s%n", "--", "-n", "-e", "{a,b}", "a b  c", " ", "#c", "\x01\x7f",
	"\xff\xfe", "(x)", "<x>", "|", "&", "$'x'", "\\x41", "fish\\'s", "\\\\",
}

type quoter struct {
	shell string
	args  []string
	quote func(string) string
}

var quoters = []quoter{
	{"bash", []string{"--norc", "--noprofile", "-c"}, QuotePOSIX},
	{"zsh", []string{"-f", "-c"}, QuotePOSIX},
	{"fish", []string{"--no-config", "-c"}, QuoteFish},
}

// evalInShell has sh print each quoted string back, NUL-terminated.
func evalInShell(t testing.TB, q quoter, values []string) []string {
	t.Helper()
	if _, err := exec.LookPath(q.shell); err != nil {
		t.Skipf("%s not installed", q.shell)
	}
	var script strings.Builder
	script.WriteString(`printf '%s\0'`)
	for _, v := range values {
		script.WriteString(" ")
		script.WriteString(q.quote(v))
	}
	cmd := exec.Command(q.shell, append(q.args, script.String())...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", q.shell, err, stderr.String())
	}
	got := strings.Split(string(out), "\x00")
	return got[:len(got)-1]
}

func TestQuoteRealShells(t *testing.T) {
	for _, q := range quoters {
		t.Run(q.shell, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			got := evalInShell(t, q, nasty)
			if len(got) != len(nasty) {
				t.Fatalf("got %d values, want %d: %q", len(got), len(nasty), got)
			}
			for i, want := range nasty {
				if got[i] != want {
					t.Errorf("%q came back as %q", want, got[i])
				}
			}
			assertNoPwned(t, dir)
		})
	}
}

func fuzzQuote(f *testing.F, qs []quoter) {
	// The seed corpus is in testdata/fuzz; nasty runs in TestQuoteRealShells.
	f.Fuzz(func(t *testing.T, s string) {
		if strings.IndexByte(s, 0) >= 0 {
			t.Skip("no shell variable can hold NUL")
		}
		for _, q := range qs {
			got := evalInShell(t, q, []string{s})
			if len(got) != 1 || got[0] != s {
				t.Fatalf("%s: %q came back as %q", q.shell, s, got)
			}
		}
	})
}

// FuzzQuotePOSIX checks that bash and zsh read back what QuotePOSIX quoted.
func FuzzQuotePOSIX(f *testing.F) { fuzzQuote(f, quoters[:2]) }

// FuzzQuoteFish checks that fish reads back what QuoteFish quoted.
func FuzzQuoteFish(f *testing.F) { fuzzQuote(f, quoters[2:]) }
