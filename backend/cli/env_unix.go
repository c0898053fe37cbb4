//go:build !windows

package cli

import "syscall"

// detachedProcAttr puts the background engine in its own session, so
// closing the terminal (SIGHUP) or Ctrl-C in Claude Code does not stop it.
func detachedProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
