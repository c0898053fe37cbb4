//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package config

import "os"

// lockFile cannot lock on this platform: every engine gets the home, as
// before locks existed. Routex ships for Linux, macOS and Windows.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) error { return nil }
