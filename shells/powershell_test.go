package shells

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// psSingleQuotes are the characters PowerShell's tokenizer takes as a
// single quote: the ASCII one and U+2018..U+201B.
const psSingleQuotes = "'\u2018\u2019\u201a\u201b"

// unquotePowerShell reads a verbatim string literal the way PowerShell's
// tokenizer does (no pwsh is installable here): it opens and closes on any
// single quote, a doubled one inside stands for one, nothing else is
// special. It reports false for anything but one whole literal.
func unquotePowerShell(lit string) (string, bool) {
	r, size := utf8.DecodeRuneInString(lit)
	if !strings.ContainsRune(psSingleQuotes, r) {
		return "", false
	}
	var b strings.Builder
	for i := size; i < len(lit); {
		r, size := utf8.DecodeRuneInString(lit[i:])
		if !strings.ContainsRune(psSingleQuotes, r) || r == utf8.RuneError && size == 1 {
			b.WriteString(lit[i : i+size])
			i += size
			continue
		}
		next, nsize := utf8.DecodeRuneInString(lit[i+size:])
		if i+size < len(lit) && strings.ContainsRune(psSingleQuotes, next) {
			// A doubled quote: the second one is the literal character.
			b.WriteString(lit[i+size : i+size+nsize])
			i += size + nsize
			continue
		}
		return b.String(), i+size == len(lit)
	}
	return "", false
}

func TestQuotePowerShellReadsBack(t *testing.T) {
	for _, s := range []string{"", "plain", "it's", "''", "\u2018smart\u2019", "\u201a\u201b'", "$(Get-Date) `n ${env:HOME}", "line\nbreak", "\xff\xfe bad utf-8 \xc3", "x'\u2019'y"} {
		q := QuotePowerShell(s)
		got, ok := unquotePowerShell(q)
		if !ok || got != s {
			t.Errorf("QuotePowerShell(%q) = %s reads back as %q, %v", s, q, got, ok)
		}
	}
}

// FuzzQuotePowerShell: for any string, the literal reads back as it.
func FuzzQuotePowerShell(f *testing.F) {
	for _, s := range []string{"it's", "\u2019\u2018", "$x`", "\xff", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := QuotePowerShell(s)
		if got, ok := unquotePowerShell(q); !ok || got != s {
			t.Fatalf("QuotePowerShell(%q) = %q reads back as %q, %v", s, q, got, ok)
		}
	})
}
