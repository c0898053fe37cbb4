//go:build !windows

package main

import (
	"fmt"
	"syscall"
)

// raiseFileLimit lifts the soft open-files limit to the hard one: a
// thousand streams need three thousand sockets in this process.
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("read open-files limit: %w", err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("raise open-files limit to %d: %w", lim.Max, err)
	}
	return lim.Cur, nil
}
