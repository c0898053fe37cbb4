//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package observe

import (
	"errors"
	"syscall"
)

// errDiskUnsupported means the platform has no free-space probe here.
var errDiskUnsupported = errors.New("free disk space not supported on this platform")

// freeDisk is the space available to this (unprivileged) user on the file
// system holding path.
func freeDisk(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}
