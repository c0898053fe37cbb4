//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package observe

import "errors"

// errDiskUnsupported means the platform has no free-space probe here.
var errDiskUnsupported = errors.New("free disk space not supported on this platform")

// freeDisk is not measured on this platform (Windows would need
// GetDiskFreeSpaceEx); the disk check then reports ok with a note.
func freeDisk(string) (uint64, error) { return 0, errDiskUnsupported }
