//go:build !windows

package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// procStart matches an strace -f line that starts a process: a fork, a
// vfork, a clone that is not a new thread, or an execve.
var procStart = regexp.MustCompile(`^\d+\s+(execve|execveat|fork|vfork|clone|clone3)\(`)

// proc-starts TRACE FROM TO prints how many processes the strace -f output
// TRACE shows starting between the first line that names FROM and the next
// line that names TO (the markers a session opens), then those lines. A
// $(...) that forks counts as much as an exec.
func cmdProcStarts(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: proc-starts TRACE FROM TO")
	}
	inside, done := false, false
	var starts []string
	for _, l := range strings.Split(ts.ReadFile(args[0]), "\n") {
		switch {
		case !inside && strings.Contains(l, args[1]):
			inside = true
		case inside && strings.Contains(l, args[2]):
			done = true
		case inside && procStart.MatchString(l) && !strings.Contains(l, "CLONE_THREAD"):
			starts = append(starts, l)
		}
		if done {
			break
		}
	}
	if !done {
		ts.Fatalf("proc-starts: %s has no %s ... %s window", args[0], args[1], args[2])
	}
	fmt.Fprintln(ts.Stdout(), len(starts))
	for _, l := range starts {
		fmt.Fprintln(ts.Stdout(), l)
	}
}
