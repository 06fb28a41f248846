//go:build windows

package exec

import (
	"os"
	"os/signal"
)

// notifyForwarded subscribes ch to Ctrl-C. The console already delivers it to
// every process attached to it, the child included, so awsx only has to
// survive it to report the child's status.
func notifyForwarded(ch chan<- os.Signal) {
	signal.Notify(ch, os.Interrupt)
}

// forwardToChild does nothing: see notifyForwarded.
func forwardToChild(p *os.Process, sig os.Signal) {}

// terminateChild stops the child when awsx's context is cancelled; Windows has no
// polite equivalent of SIGTERM for an arbitrary process.
func terminateChild(p *os.Process) { _ = p.Kill() }

// shellExitCode returns the child's exit code.
func shellExitCode(ps *os.ProcessState) int { return ps.ExitCode() }
