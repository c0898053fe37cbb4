//go:build !(linux || darwin || freebsd)

package cli

import "errors"

// freeBytes is not measured on this platform; doctor says so.
func freeBytes(string) (uint64, error) {
	return 0, errors.ErrUnsupported
}
