//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package observe

import "errors"

// ErrDiskUnsupported means the platform has no free-space probe here.
var ErrDiskUnsupported = errors.New("free disk space not supported on this platform")

// FreeDisk is not measured on this platform (Windows would need
// GetDiskFreeSpaceEx); the disk check then reports ok with a note.
func FreeDisk(string) (uint64, error) { return 0, ErrDiskUnsupported }
