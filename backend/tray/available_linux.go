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

// ErrNoHost means the session bus has no StatusNotifier host: the desktop
// (plain GNOME without the AppIndicator extension, a bare window manager)
// shows no tray icons, so the icon would register nowhere.
var ErrNoHost = errors.New("tray: the desktop shows no tray icons (no org.kde.StatusNotifierWatcher on the session bus)")

// HostAvailable reports whether a tray host will show the icon: a
// StatusNotifierWatcher owns its name on the session bus. Call it after
// Available succeeded.
func HostAvailable() error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return fmt.Errorf("tray: connect to the D-Bus session bus: %w", err)
	}
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has); err != nil {
		return fmt.Errorf("tray: ask the session bus for a tray host: %w", err)
	}
	if !has {
		return ErrNoHost
	}
	return nil
}
