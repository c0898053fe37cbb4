// Package presets holds the providers Routex knows how to reach, as one
// embedded JSON file (presets.json) that the dashboard imports at build time
// and the CLI reads here, so both offer the same list. Base URLs are written
// as each vendor documents them (see docs/DESIGN.md#channel-json); models
// are suggestions the user edits before saving.
package presets

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/routex-app/routex/backend/api/wire"
)

// Groups, in the order the dashboard shows them.
const (
	GroupOfficial = "official" // the model makers' own APIs
	GroupChinese  = "chinese"  // Chinese model makers
	GroupRelay    = "relay"    // services that resell many makers' models
	GroupLocal    = "local"    // servers on the user's own machine
)

// Groups lists every group, in display order.
var Groups = []string{GroupOfficial, GroupChinese, GroupRelay, GroupLocal}

// Preset is one provider the add-channel forms can fill in.
type Preset struct {
	// ID is stable: the suggested channel name and the dashboard's value.
	ID string `json:"id"`
	// Name is the vendor's name as written in English.
	Name string `json:"name"`
	// NameKey, when set, is the locale key of a name that differs by
	// language (Zhipu GLM is 智谱 GLM in Chinese).
	NameKey string `json:"name_key,omitempty"`
	// Group is one of Groups.
	Group string `json:"group" tstype:"PresetGroup"`
	// Type is the wire format: anthropic, openai or gemini.
	Type string `json:"type" tstype:"ChannelType"`
	// BaseURL is the API's base as the vendor documents it.
	BaseURL string `json:"base_url"`
	// Models are suggestions, the first the default.
	Models []string `json:"models"`
	// DocsURL is where the vendor documents this API.
	DocsURL string `json:"docs_url"`
	// KeyURL is where a user gets an API key; empty when none is needed.
	KeyURL string `json:"key_url,omitempty"`
	// NeedsKey is false for servers that take no key (Ollama).
	NeedsKey bool `json:"needs_key"`
	// ClaudeModels are the Claude Code model slots a channel made from the
	// preset gets, as the vendor's Claude Code guide maps them; absent
	// where the vendor names none.
	ClaudeModels *wire.ClaudeModels `json:"claude_models,omitempty"`
}

//go:embed presets.json
var raw []byte

// all is the parsed file. A parse error is a build defect (the file is
// embedded and checked by the tests): the list is then empty rather than a
// panic at start.
var all, errParse = parse(raw)

func parse(b []byte) ([]Preset, error) {
	var out []Preset
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("presets: parse presets.json: %w", err)
	}
	return out, nil
}

// All returns every preset in display order. The slice is a copy.
func All() []Preset {
	out := make([]Preset, len(all))
	for i, p := range all {
		p.Models = append([]string(nil), p.Models...)
		out[i] = p
	}
	return out
}

// ByID returns the preset with that id.
func ByID(id string) (Preset, bool) {
	for _, p := range All() {
		if p.ID == id {
			return p, true
		}
	}
	return Preset{}, false
}
