// Package argv reads awsx's command line the little that start-up code
// needs before kong parses it: which command runs, with which words, and
// which keyring backend the flags name.
package argv

import "strings"

// Parse finds the command in args (the first word that is not a global
// flag), the words after it that are not flags, up to "--", and the value
// of the last --backend. A flag's separate value other than --backend's
// is taken for a word: callers only guess from the words.
//
// exec passes everything from its command on to that command, so for exec
// Parse stops at the second word after it (the profile, then a flag's
// value or the command): nothing of the command's is taken for awsx's.
// Stopping early can only miss a --backend of awsx's own.
func Parse(args []string) (cmd string, words []string, backend string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return cmd, words, backend
		case a == "--backend" && i+1 < len(args):
			backend = args[i+1]
			i++
		case strings.HasPrefix(a, "--backend="):
			backend = strings.TrimPrefix(a, "--backend=")
		case strings.HasPrefix(a, "-"):
		case cmd == "":
			cmd = a
		default:
			words = append(words, a)
			if cmd == "exec" && len(words) == 2 {
				return cmd, words, backend
			}
		}
	}
	return cmd, words, backend
}
