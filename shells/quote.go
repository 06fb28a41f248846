package shells

import (
	"strings"
	"unicode/utf8"
)

// QuotePOSIX quotes s for bash, zsh and sh so that the shell reads back
// exactly s: single quotes keep every byte literal, and a single quote
// itself is closed, escaped and reopened.
func QuotePOSIX(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// QuoteFish quotes s for fish, whose single quotes treat only \\ and \' as
// escapes.
func QuoteFish(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}

// QuotePowerShell quotes s for PowerShell: a verbatim string in which a
// single quote is doubled. PowerShell also treats the typographic quotes
// U+2018..U+201B as single quotes, so those are doubled too.
// Bytes that are not UTF-8 are kept as they are, not turned into U+FFFD.
func QuotePowerShell(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\'', '\u2018', '\u2019', '\u201a', '\u201b':
			b.WriteString(s[i : i+size])
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}
