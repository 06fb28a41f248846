package vaulttest

import (
	"os"
	"os/exec"
)

// ownProcessGroup does nothing on Windows: moto exits when its stdin
// closes.
func ownProcessGroup(*exec.Cmd) {}

// terminateGroup kills p; Windows has no process groups to signal.
func terminateGroup(p *os.Process, _ bool) { _ = p.Kill() }
