//go:build darwin

package autostart

import (
	"fmt"
	"os"
	"path/filepath"
)

// defaultName is the LaunchAgent label: ~/Library/LaunchAgents/dev.routex.plist.
const defaultName = "dev.routex"

// path is the entry's property list: Dir, or ~/Library/LaunchAgents, which
// launchd reads for the user at login.
func (e Entry) path() (string, error) {
	dir := e.Dir
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("LaunchAgents folder: %w", err)
		}
		dir = filepath.Join(home, "Library", "LaunchAgents")
	}
	return filepath.Join(dir, e.Name+".plist"), nil
}

// Enable writes the LaunchAgent, replacing one that is there. launchd
// picks it up at the next login; Routex is running already.
func (e Entry) Enable() error {
	if err := e.validate(); err != nil {
		return err
	}
	p, err := e.path()
	if err != nil {
		return err
	}
	return writeAtomic(p, []byte(launchAgent(e)), 0o644)
}

// Disable removes the LaunchAgent; without one it does nothing.
func (e Entry) Disable() error {
	p, err := e.path()
	if err != nil {
		return err
	}
	return removeFile(p)
}

// Enabled reports whether the LaunchAgent exists.
func (e Entry) Enabled() (bool, error) {
	p, err := e.path()
	if err != nil {
		return false, err
	}
	return fileExists(p)
}
