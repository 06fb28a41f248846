// Package earlyprompt answers `awsx prompt` while awsx is still starting.
// main imports it for its init alone.
//
// A prompt may run `awsx prompt` before every line it draws (a starship
// custom module, a PS1 with $(…)), and the answer needs nothing but the
// environment. Go initialises every linked package before main, and the
// AWS SDK's generated endpoint tables, schemas and regexps alone take about
// 1 ms of the 3 ms that awsx needs to start. This package and package
// prompt import only standard packages that Go initialises early (it
// initialises a package as soon as its imports are, the first in
// import-path order among those ready), so its init prints the prompt and
// exits before the SDK's service and config packages, kong and the keyring
// library initialise; only two of the SDK's small internal packages come
// first. TestEarlyPromptBeforeSDK in main fails if any of them begins.
//
// It answers only the plain lines that kong parses to PromptCmd with the
// same format (TestEarlyPromptMatchesKong and FuzzEarlyPrompt in main hold
// it to that); help, --debug, a misspelt flag and the rest go on to main.
package earlyprompt

import (
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awsx-cli/awsx/shells/prompt"
)

func init() {
	if line, ok := Answer(os.Args[1:], os.Getenv, time.Now()); ok {
		os.Stdout.WriteString(line)
		os.Exit(0)
	}
}

// Answer returns what `awsx ARGS...` prints, when args is `prompt`,
// `prompt --format FMT` or `prompt --format=FMT`; ok is false for any
// other line.
func Answer(args []string, getenv func(string) string, now time.Time) (out string, ok bool) {
	format, ok := formatOf(args)
	if !ok {
		return "", false
	}
	p, active := prompt.FromEnv(getenv)
	if !active {
		return "", true
	}
	return prompt.Format(format, p, now) + "\n", true
}

func formatOf(args []string) (string, bool) {
	if len(args) == 0 || args[0] != "prompt" {
		return "", false
	}
	var format string
	switch {
	case len(args) == 1:
		return prompt.DefaultFormat, true
	case len(args) == 2 && strings.HasPrefix(args[1], "--format="):
		format = strings.TrimPrefix(args[1], "--format=")
	case len(args) == 3 && args[1] == "--format" && !strings.HasPrefix(args[2], "-"):
		// kong reads a next word that begins with - as a flag, not a value.
		format = args[2]
	default:
		return "", false
	}
	// kong replaces bytes that are not UTF-8.
	return format, utf8.ValidString(format)
}
