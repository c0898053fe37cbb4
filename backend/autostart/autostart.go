// Package autostart starts Routex when the user logs in: an XDG autostart
// entry on Linux and the BSDs, a LaunchAgent on macOS and a value under the
// Run key on Windows. The entry format is built by pure functions here; the
// per-OS files only put it where the OS looks.
package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoExecutable means the running program's path is unknown, so there is
// nothing an entry could start.
var ErrNoExecutable = errors.New("autostart: the path of the running program is unknown")

// Entry is one login item. The zero Dir means the OS default, so tests and
// portable installs can point it elsewhere without touching the user's own.
type Entry struct {
	// Name names the entry: the file name without extension on Linux
	// (routex.desktop), the LaunchAgent label on macOS (dev.routex.plist),
	// the value name on Windows.
	Name string
	// Exec is the absolute path of the program to start.
	Exec string
	// Args follow Exec on the command line.
	Args []string
	// Dir is where the entry lives: a folder on Linux and macOS, a key
	// under HKEY_CURRENT_USER on Windows. Empty means the OS default.
	Dir string
}

// New is the entry that starts the running binary at login, with no
// arguments: the desktop app opens (or, without a display, the headless
// server starts), as when the user runs `routex`.
func New() (Entry, error) {
	exe, err := os.Executable()
	if err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrNoExecutable, err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return Entry{Name: defaultName, Exec: exe}, nil
}

// validate refuses entries that would start nothing or the wrong thing: a
// relative Exec depends on the directory the session starts in.
func (e Entry) validate() error {
	if e.Name == "" || strings.ContainsAny(e.Name, `/\`) {
		return fmt.Errorf("autostart: invalid entry name %q", e.Name)
	}
	if e.Exec == "" || !filepath.IsAbs(e.Exec) && !strings.HasPrefix(e.Exec, `\\`) && !isWindowsAbs(e.Exec) {
		return fmt.Errorf("autostart: program path %q is not absolute", e.Exec)
	}
	return nil
}

// isWindowsAbs accepts C:\ paths so an entry built for Windows validates on
// any OS in tests.
func isWindowsAbs(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}

// writeAtomic replaces path with data through a temporary file in the same
// folder, so a crash never leaves a half-written entry the OS would run.
func writeAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// removeFile deletes path; an absent file is already the wanted state.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}

// fileExists reports whether path exists, failing only on errors other
// than absence (a folder we may not read, say).
func fileExists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("read %s: %w", path, err)
	}
}
