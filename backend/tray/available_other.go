//go:build desktop && !linux

package tray

// Available reports whether a tray can be shown: always on macOS and
// Windows, whose trays are part of the desktop.
func Available() error { return nil }

// HostAvailable reports whether a tray host will show the icon: always on
// macOS and Windows.
func HostAvailable() error { return nil }
