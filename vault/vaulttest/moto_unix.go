//go:build !windows

package vaulttest

import (
	"os"
	"os/exec"
	"syscall"
)

// ownProcessGroup puts cmd in a process group of its own, so that Stop
// reaches anything moto may spawn.
func ownProcessGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// terminateGroup signals p's process group: SIGTERM, or SIGKILL when kill.
func terminateGroup(p *os.Process, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-p.Pid, sig)
}
