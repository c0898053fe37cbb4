//go:build desktop && linux

package tray

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/godbus/dbus/v5"
)

// ErrNoSessionBus means there is no D-Bus session bus to show a tray on
// (a server, a container, an SSH session): the app runs without one.
var ErrNoSessionBus = errors.New("tray: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)")

// Available reports whether a tray can be shown. On Linux the tray is a
// StatusNotifierItem on the session bus; without a bus address Routex does
// not let godbus autolaunch one.
func Available() error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		rt := os.Getenv("XDG_RUNTIME_DIR")
		if _, err := os.Stat(filepath.Join(rt, "bus")); rt == "" || err != nil {
			return ErrNoSessionBus
		}
	}
	if _, err := dbus.SessionBus(); err != nil {
		return fmt.Errorf("tray: connect to the D-Bus session bus: %w", err)
	}
	return nil
}
