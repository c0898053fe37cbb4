//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package observe

import (
	"errors"
	"syscall"
)

// ErrDiskUnsupported means the platform has no free-space probe here.
var ErrDiskUnsupported = errors.New("free disk space not supported on this platform")

// FreeDisk is the space available to this (unprivileged) user on the file
// system holding path. Readiness and `routex doctor` both measure with it.
func FreeDisk(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}
