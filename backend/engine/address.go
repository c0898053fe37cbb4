package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// AddressFile names the file in ROUTEX_HOME where a running engine says
// where it listens, so the CLI finds an engine started with `serve
// --listen` (not only one on config.json's address or ROUTEX_LISTEN).
const AddressFile = "engine.json"

// Address is the content of AddressFile.
type Address struct {
	URL     string    `json:"url"`
	Listen  string    `json:"listen"`
	PID     int       `json:"pid"`
	Version string    `json:"version"`
	Started time.Time `json:"started"`
}

// ReadAddress reads home's AddressFile; ok is false when there is none (no
// engine runs, or it stopped without removing it: the caller checks that
// the URL answers).
func ReadAddress(home string) (Address, bool, error) {
	data, err := os.ReadFile(filepath.Join(home, AddressFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Address{}, false, nil
	}
	if err != nil {
		return Address{}, false, fmt.Errorf("engine: read %s: %w", AddressFile, err)
	}
	var a Address
	if err := json.Unmarshal(data, &a); err != nil {
		return Address{}, false, fmt.Errorf("engine: read %s: %w", filepath.Join(home, AddressFile), err)
	}
	return a, a.URL != "", nil
}

// writeAddress writes AddressFile atomically (0600: it says where the
// admin API is, not how to enter it).
func (e *Engine) writeAddress() error {
	a := Address{URL: e.URL(), Listen: e.addr.String(), PID: os.Getpid(), Version: e.opts.Version, Started: time.Now().UTC()}
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(e.cfg.Home, AddressFile)
	tmp, err := os.CreateTemp(e.cfg.Home, ".engine-*.json")
	if err != nil {
		return fmt.Errorf("engine: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("engine: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("engine: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("engine: write %s: %w", path, err)
	}
	return nil
}

// removeAddress removes AddressFile if it is still this process's (another
// engine of the same home may have started since).
func (e *Engine) removeAddress() {
	a, ok, err := ReadAddress(e.cfg.Home)
	if err == nil && ok && a.PID == os.Getpid() {
		os.Remove(filepath.Join(e.cfg.Home, AddressFile))
	}
}
