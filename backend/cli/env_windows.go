//go:build windows

package cli

import "syscall"

// Process creation flags from the Windows API.
const (
	createNewProcessGroup = 0x00000200
	detachedProcess       = 0x00000008
)

// detachedProcAttr runs the background engine without a console and out of
// this console's process group, so closing the terminal does not stop it.
func detachedProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: createNewProcessGroup | detachedProcess, HideWindow: true}
}
