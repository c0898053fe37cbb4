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

// content is the LaunchAgent for e; launchd picks it up at the next login.
func (e Entry) content() []byte { return []byte(launchAgent(e)) }
