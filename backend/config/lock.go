package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// One engine per home: two engines on one ROUTEX_HOME would share a
// database and config.json yet hold different keys in memory (a key
// regenerated on one stays valid on the other), and fight over the port.
// The first engine takes an exclusive lock on ROUTEX_HOME/routex.lock
// (flock on Unix, LockFileEx on Windows) and writes where it listens to
// ROUTEX_HOME/engine.json; a second one is refused with that address, and
// the CLI and the desktop app use it to reach the running engine. The
// operating system drops the lock when the process ends, however it ends,
// so a killed engine never leaves a home locked.

// LockPath is the lock file inside home.
func LockPath(home string) string { return filepath.Join(home, "routex.lock") }

// EnginePath is where the engine holding the lock says where it listens.
func EnginePath(home string) string { return filepath.Join(home, "engine.json") }

// RunningEngine is what engine.json holds.
type RunningEngine struct {
	URL     string    `json:"url"`
	PID     int       `json:"pid"`
	Version string    `json:"version,omitempty"`
	Started time.Time `json:"started"`
	// Desktop is true for the desktop app, which can show its window when
	// asked (POST /api/window/show).
	Desktop bool `json:"desktop,omitempty"`
}

// LockedError is returned by LockHome when another engine holds the home.
type LockedError struct {
	Home string
	// Running is what the holder published; its URL is empty while that
	// engine is still starting.
	Running RunningEngine
}

func (e *LockedError) Error() string {
	who := "another Routex engine"
	if e.Running.PID > 0 {
		who += fmt.Sprintf(" (pid %d)", e.Running.PID)
	}
	where := ""
	if e.Running.URL != "" {
		where = " at " + e.Running.URL
	}
	return fmt.Sprintf("config: %s already runs on %s%s", who, e.Home, where)
}

// errLocked is what the platform lock returns when another holds it.
var errLocked = errors.New("locked")

// HomeLock is one engine's exclusive hold on its home. Release it when the
// engine stops.
type HomeLock struct {
	home string
	f    *os.File
}

// lockTries and lockPause let a probe (Running, which takes the lock for
// an instant) pass before a starting engine gives up.
const (
	lockTries = 5
	lockPause = 40 * time.Millisecond
)

// LockHome takes home's lock, or returns a *LockedError naming the engine
// that holds it.
func LockHome(home string) (*HomeLock, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("config: create %s: %w", home, err)
	}
	path := LockPath(home)
	for try := 1; ; try++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("config: open %s: %w", path, err)
		}
		err = lockFile(f)
		if err == nil {
			return &HomeLock{home: home, f: f}, nil
		}
		f.Close()
		if !errors.Is(err, errLocked) {
			return nil, fmt.Errorf("config: lock %s: %w", path, err)
		}
		if try == lockTries {
			running, _ := readRunning(home)
			return nil, &LockedError{Home: home, Running: running}
		}
		time.Sleep(lockPause)
	}
}

// Publish writes where the engine listens next to the lock, atomically.
func (l *HomeLock) Publish(r RunningEngine) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("config: encode engine.json: %w", err)
	}
	return writeFile(EnginePath(l.home), append(data, '\n'))
}

// Unpublish removes engine.json while the lock is still held: the engine
// is stopping, and a launch that finds the home locked without an address
// waits for the lock rather than joining an engine on its way out.
func (l *HomeLock) Unpublish() {
	if l != nil && l.f != nil {
		os.Remove(EnginePath(l.home))
	}
}

// Release removes engine.json and lets another engine take the home.
// Calling it again does nothing.
func (l *HomeLock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	os.Remove(EnginePath(l.home))
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("config: release %s: %w", LockPath(l.home), err)
	}
	return nil
}

// Running reports the engine that holds home's lock: ok is false when none
// does (an engine.json left by a killed engine is ignored). The URL is
// empty while the holder is still starting.
func Running(home string) (RunningEngine, bool) {
	f, err := os.OpenFile(LockPath(home), os.O_RDWR, 0o600)
	if err != nil {
		return RunningEngine{}, false // no lock file: no engine ever ran here
	}
	defer f.Close()
	if err := lockFile(f); err == nil {
		unlockFile(f)
		return RunningEngine{}, false
	} else if !errors.Is(err, errLocked) {
		return RunningEngine{}, false
	}
	r, _ := readRunning(home)
	return r, true
}

func readRunning(home string) (RunningEngine, error) {
	var r RunningEngine
	data, err := os.ReadFile(EnginePath(home))
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(data, &r)
}
