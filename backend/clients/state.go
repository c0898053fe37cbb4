package clients

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"
)

// record is what Routex did to one settings file, kept in
// ROUTEX_HOME/clients/<client>.json until Detach undoes it.
type record struct {
	Mode       Mode        `json:"mode"`
	AttachedAt time.Time   `json:"attached_at"`
	Keys       []keyRecord `json:"keys"`
	// BaseURL is the URL the tool was pointed at, so Status can tell a
	// direct attach from a URL someone else wrote.
	BaseURL string `json:"base_url,omitempty"`
	// CreatedFile, CreatedDir and CreatedContainer say what did not exist
	// before the first attach (the file, its folder, settings.json's "env").
	CreatedFile      bool `json:"created_file,omitempty"`
	CreatedDir       bool `json:"created_dir,omitempty"`
	CreatedContainer bool `json:"created_container,omitempty"`
	// Original is the file before the first attach. When the file is still
	// exactly what Routex last wrote (Written), Detach puts it back byte
	// for byte; nil once the user has edited the file in between.
	Original *string `json:"original,omitempty"`
	Written  string  `json:"written_sha256"`
}

// state is one client's record file: a record per settings file, since
// CLAUDE_CONFIG_DIR can point Claude Code at several.
type state struct {
	Version int                `json:"version"`
	Files   map[string]*record `json:"files"`
}

func statePath(home, client string) string {
	return filepath.Join(home, "clients", client+".json")
}

func loadState(home, client string) (*state, error) {
	path := statePath(home, client)
	data, ok, err := readFile(path)
	if err != nil {
		return nil, err
	}
	st := &state{Version: 1, Files: map[string]*record{}}
	if !ok {
		return st, nil
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("clients: read the attach record %s: %w (move it away to forget what Routex changed)", path, err)
	}
	if st.Files == nil {
		st.Files = map[string]*record{}
	}
	return st, nil
}

func saveState(home, client string, st *state) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("clients: encode the attach record: %w", err)
	}
	return writeAtomic(statePath(home, client), append(data, '\n'), nil)
}

// withRecord returns a copy of st with path's record replaced (or removed
// when rec is nil), leaving st as it was for a rollback.
func (st *state) withRecord(path string, rec *record) *state {
	out := &state{Version: st.Version, Files: make(map[string]*record, len(st.Files)+1)}
	for k, v := range st.Files {
		out.Files[k] = v
	}
	if rec == nil {
		delete(out.Files, path)
	} else {
		out.Files[path] = rec
	}
	return out
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
