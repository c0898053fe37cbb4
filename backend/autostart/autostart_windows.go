//go:build windows

package autostart

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"golang.org/x/sys/windows/registry"
)

// defaultName is the value name under the Run key, as Task Manager's
// Startup tab shows it.
const defaultName = "Routex"

// runKey is where Windows looks for the user's login programs.
const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

func (e Entry) key() string {
	if e.Dir != "" {
		return e.Dir
	}
	return runKey
}

// commandLine quotes Exec and Args as CreateProcess parses them.
func (e Entry) commandLine() string {
	parts := []string{`"` + e.Exec + `"`}
	for _, a := range e.Args {
		parts = append(parts, syscall.EscapeArg(a))
	}
	return strings.Join(parts, " ")
}

// Enable writes the Run value under HKEY_CURRENT_USER, replacing one that
// is there.
func (e Entry) Enable() error {
	if err := e.validate(); err != nil {
		return err
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, e.key(), registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open HKCU\\%s: %w", e.key(), err)
	}
	defer k.Close()
	if err := k.SetStringValue(e.Name, e.commandLine()); err != nil {
		return fmt.Errorf("write HKCU\\%s\\%s: %w", e.key(), e.Name, err)
	}
	return nil
}

// Disable deletes the Run value; without one it does nothing.
func (e Entry) Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, e.key(), registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open HKCU\\%s: %w", e.key(), err)
	}
	defer k.Close()
	if err := k.DeleteValue(e.Name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("delete HKCU\\%s\\%s: %w", e.key(), e.Name, err)
	}
	return nil
}

// Enabled reports whether the Run value exists.
func (e Entry) Enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, e.key(), registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open HKCU\\%s: %w", e.key(), err)
	}
	defer k.Close()
	_, _, err = k.GetStringValue(e.Name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, registry.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("read HKCU\\%s\\%s: %w", e.key(), e.Name, err)
	}
}
