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

// content is the autostart entry for e.
func (e Entry) content() []byte { return []byte(desktopEntry(e)) }
