//go:build windows

package exec

import (
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
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

// lookPathIn finds name in the Path of env, trying each PATHEXT extension when
// name has none, as cmd.exe does.
func lookPathIn(name string, env []string) (string, error) {
	exts := []string{""}
	if filepath.Ext(name) == "" {
		pathext := lastEnvValue(env, "PATHEXT")
		if pathext == "" {
			pathext = ".com;.exe;.bat;.cmd"
		}
		exts = nil
		for _, e := range strings.Split(pathext, ";") {
			if e != "" {
				exts = append(exts, strings.ToLower(e))
			}
		}
	}
	find := func(base string) (string, bool) {
		for _, e := range exts {
			if fi, err := os.Stat(base + e); err == nil && fi.Mode().IsRegular() {
				return base + e, true
			}
		}
		return "", false
	}
	if strings.ContainsAny(name, `/\:`) {
		if p, ok := find(name); ok {
			return p, nil
		}
		return "", errors.New("command not found")
	}
	for _, dir := range filepath.SplitList(lastEnvValue(env, "PATH")) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		if p, ok := find(filepath.Join(dir, name)); ok {
			return p, nil
		}
	}
	return "", errors.New("command not found in PATH")
}

// sameEnvName compares variable names as Windows does: ignoring case.
func sameEnvName(a, b string) bool { return strings.EqualFold(a, b) }

// lastEnvValue returns the last value of name in env, the one a child would see.
func lastEnvValue(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && sameEnvName(k, name) {
			return v
		}
	}
	return ""
}
