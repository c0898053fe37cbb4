//go:build !darwin && !windows

package autostart

import (
	"fmt"
	"os"
	"path/filepath"
)

// defaultName makes ~/.config/autostart/routex.desktop.
const defaultName = "routex"

// path is the entry's file: Dir, or $XDG_CONFIG_HOME/autostart (by default
// ~/.config/autostart), where desktop sessions look for login items.
func (e Entry) path() (string, error) {
	dir := e.Dir
	if dir == "" {
		cfg, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("autostart folder: %w", err)
		}
		dir = filepath.Join(cfg, "autostart")
	}
	return filepath.Join(dir, e.Name+".desktop"), nil
}

// Enable writes the autostart entry, replacing one that is there.
func (e Entry) Enable() error {
	if err := e.validate(); err != nil {
		return err
	}
	p, err := e.path()
	if err != nil {
		return err
	}
	return writeAtomic(p, []byte(desktopEntry(e)), 0o644)
}

// Disable removes the autostart entry; without one it does nothing.
func (e Entry) Disable() error {
	p, err := e.path()
	if err != nil {
		return err
	}
	return removeFile(p)
}

// Enabled reports whether the autostart entry exists.
func (e Entry) Enabled() (bool, error) {
	p, err := e.path()
	if err != nil {
		return false, err
	}
	return fileExists(p)
}
