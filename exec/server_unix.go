//go:build unix

package exec

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// notifyForwarded subscribes ch to the signals that ask a process to stop, so
// that awsx stays alive to pass them on and to report the child's status.
func notifyForwarded(ch chan<- os.Signal) {
	// SIGQUIT too: left to Go's default, Ctrl-\ would dump awsx's
	// goroutines and orphan the command it serves.
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
}

// forwardToChild passes sig on to the child. A SIGINT (or SIGQUIT) typed at the terminal
// already reached the child, which shares awsx's foreground process group;
// sending it again would look like a second Ctrl-C, which makes programs such
// as terraform abandon a graceful stop.
func forwardToChild(p *os.Process, sig os.Signal) {
	if (sig == syscall.SIGINT || sig == syscall.SIGQUIT) && inForeground() {
		return
	}
	_ = p.Signal(sig)
}

// inForeground reports whether awsx's process group is the foreground group
// of its controlling terminal, i.e. whether the terminal sends it and the
// child the signals typed there.
func inForeground() bool {
	tty, err := os.OpenFile("/dev/tty", os.O_RDONLY|unix.O_NOCTTY, 0)
	if err != nil {
		return false
	}
	defer tty.Close()
	pgrp, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// terminateChild asks the child to stop when awsx's context is cancelled.
func terminateChild(p *os.Process) { _ = p.Signal(syscall.SIGTERM) }

// shellExitCode reports a signal death as 128+N, as shells do, so that scripts
// around awsx see what they would have seen without it.
func shellExitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
