package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent asks Linux to stop the engine if the bench dies first
// (killed, or its output pipe closed), so no engine is left running.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
