// Package importer reads other tools' configurations (and Routex's own
// export) into one plan of channels and routes, so `routex import` only has
// to apply it. It reads files and never writes: applying the plan (through
// the admin API) is the caller's business.
//
// Sources, recognised by content rather than by name:
//   - a Routex export (`routex export`);
//   - claude-code-router's config.json (its classic Providers/Router form
//     and the newer one with protocols and credential pools);
//   - cc-switch's SQLite database: Claude Code, Gemini CLI and Codex CLI
//     providers.
package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/protocol"
)

// ResponsesChannelType is the channel type a provider that speaks the
// OpenAI Responses API (Codex's providers) becomes.
const ResponsesChannelType = string(protocol.Responses)

// ExportFormat marks a Routex export file; import recognises it by this key.
const ExportFormat = 1

// Export is the file `routex export` writes and `routex import` reads.
type Export struct {
	Format     int             `json:"routex_export"`
	ExportedAt time.Time       `json:"exported_at"`
	Version    string          `json:"routex_version"`
	Channels   []Channel       `json:"channels"`
	Routes     json.RawMessage `json:"routes,omitempty"`
	Prices     json.RawMessage `json:"prices,omitempty"`
}

// Channel is a channel in the API's JSON form (docs/DESIGN.md#channel-json),
// without its identity; keys and credential headers only when the source
// has them. It is the API's own definition, so the two cannot drift.
type Channel = wire.Channel

// Plan is what an import will change, whatever the source file.
type Plan struct {
	Source   string    `json:"source"`
	Channels []Channel `json:"channels"`
	// RoutesDoc is a whole GET /api/routes document (Routex exports);
	// Routes sets single scenarios (other tools' files). At most one is set.
	RoutesDoc            json.RawMessage     `json:"routes_doc,omitempty"`
	Routes               map[string][]string `json:"routes,omitempty"`
	LongContextThreshold int                 `json:"long_context_threshold,omitempty"`
	Prices               json.RawMessage     `json:"prices,omitempty"`
	// Notes are things the source had that Routex leaves out.
	Notes []string `json:"notes,omitempty"`
}

// Error names the file that could not be read.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("import %s: %v", e.Path, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Read recognises a Routex export, a claude-code-router config.json or a
// cc-switch database by its content, not its name, and reads it.
func Read(path string) (Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Plan{}, &Error{path, err}
	}
	if bytes.HasPrefix(data, []byte("SQLite format 3\x00")) {
		p, err := readCCSwitch(path)
		if err != nil {
			return p, &Error{path, err}
		}
		return complete(p), nil
	}
	return readBytes(path, data)
}

// readBytes reads the content of a file named path; a cc-switch database
// goes through a private temporary copy, since SQLite opens files.
func readBytes(path string, data []byte) (Plan, error) {
	if bytes.HasPrefix(data, []byte("SQLite format 3\x00")) {
		dir, err := os.MkdirTemp("", "routex-import-")
		if err != nil {
			return Plan{}, &Error{path, err}
		}
		defer os.RemoveAll(dir)
		tmp := filepath.Join(dir, "cc-switch.db")
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			return Plan{}, &Error{path, err}
		}
		p, err := readCCSwitch(tmp)
		if err != nil {
			return p, &Error{path, err}
		}
		return complete(p), nil
	}
	var err error
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return Plan{}, &Error{path, fmt.Errorf("not JSON, nor a cc-switch database: %w", err)}
	}
	lower := map[string]bool{}
	for k := range probe {
		lower[strings.ToLower(k)] = true
	}
	var p Plan
	switch {
	case lower["routex_export"]:
		p, err = readRoutexExport(data)
	case lower["providers"]:
		p, err = readCCR(data)
	default:
		err = errors.New("unknown file: expected a Routex export, a claude-code-router config.json or a cc-switch database")
	}
	if err != nil {
		return p, &Error{path, err}
	}
	return complete(p), nil
}

// complete gives every planned channel the empty collections a source left
// out, so the plan shows, and the API stores, [] and {} rather than null.
func complete(p Plan) Plan {
	for i := range p.Channels {
		c := &p.Channels[i]
		if c.Models == nil {
			c.Models = []string{}
		}
		if c.ModelMap == nil {
			c.ModelMap = map[string]string{}
		}
		if c.Headers == nil {
			c.Headers = map[string]string{}
		}
		if len(c.Transformers) == 0 || string(c.Transformers) == "null" {
			c.Transformers = json.RawMessage("[]")
		}
	}
	return p
}

func readRoutexExport(data []byte) (Plan, error) {
	var doc Export
	if err := json.Unmarshal(data, &doc); err != nil {
		return Plan{}, err
	}
	if doc.Format > ExportFormat {
		return Plan{}, fmt.Errorf("export format %d is newer than this Routex reads (%d): upgrade Routex", doc.Format, ExportFormat)
	}
	return Plan{Source: "Routex", Channels: doc.Channels, RoutesDoc: doc.Routes, Prices: doc.Prices}, nil
}

// cleanName makes another tool's provider name a valid channel name.
func cleanName(s string) string {
	s = strings.TrimSpace(strings.NewReplacer(",", " ", "\n", " ", "\t", " ").Replace(s))
	if r := []rune(s); len(s) > 64 {
		for len(string(r)) > 64 {
			r = r[:len(r)-1]
		}
		s = string(r)
	}
	return s
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
