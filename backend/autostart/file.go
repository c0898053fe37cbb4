//go:build !windows

package autostart

// On Linux, the BSDs and macOS the login item is one file (an XDG autostart
// entry, a LaunchAgent); path and content come from the platform's file.

// Enable writes the login item, replacing one that is there.
func (e Entry) Enable() error {
	if err := e.validate(); err != nil {
		return err
	}
	p, err := e.path()
	if err != nil {
		return err
	}
	return writeAtomic(p, e.content(), 0o644)
}

// Disable removes the login item; without one it does nothing.
func (e Entry) Disable() error {
	p, err := e.path()
	if err != nil {
		return err
	}
	return removeFile(p)
}

// Enabled reports whether the login item exists.
func (e Entry) Enabled() (bool, error) {
	p, err := e.path()
	if err != nil {
		return false, err
	}
	return fileExists(p)
}
