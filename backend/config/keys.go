package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/tidwall/sjson"
)

// Keys holds the access key (for /v1) and the admin token (for /api) of a
// running engine. The proxy and the API read them on every request, so a
// key regenerated from the dashboard is accepted, and the old one refused,
// at once, without a restart. Safe for concurrent use.
type Keys struct {
	mu     sync.RWMutex
	access string
	admin  string
}

// NewKeys returns a holder with the given keys.
func NewKeys(access, admin string) *Keys { return &Keys{access: access, admin: admin} }

// Access returns the current access key.
func (k *Keys) Access() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.access
}

// Admin returns the current admin token.
func (k *Keys) Admin() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.admin
}

// SetAccess replaces the access key.
func (k *Keys) SetAccess(v string) {
	k.mu.Lock()
	k.access = v
	k.mu.Unlock()
}

// SetAdmin replaces the admin token.
func (k *Keys) SetAdmin(v string) {
	k.mu.Lock()
	k.admin = v
	k.mu.Unlock()
}

// Patch sets top-level fields of home/config.json (listen, language,
// access_key, …) and keeps every other key as the file has it, settings this
// version does not know included: Save would re-encode the whole Config and
// drop them. The write is atomic, mode 0600. Environment overrides are not
// consulted: Patch changes the file, not the running process.
func Patch(home string, values map[string]any) error {
	path := Path(home)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		data, err = []byte("{}"), nil
	}
	if err != nil {
		return fmt.Errorf("config: read %s: %w", path, err)
	}
	for key, v := range values {
		if data, err = sjson.SetBytes(data, key, v); err != nil {
			return fmt.Errorf("config: set %s in %s: %w", key, path, err)
		}
	}
	if !json.Valid(data) {
		return fmt.Errorf("config: update %s: the result is not valid JSON", path)
	}
	return writeFile(path, data)
}
