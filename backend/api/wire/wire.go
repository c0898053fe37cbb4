// Package wire holds the JSON shapes of the admin API that more than one
// side reads: the API writes them, the CLI and `routex export` read and
// write them, and the dashboard's TypeScript types are generated from them
// (`make generate`, checked by `make lint`). A field changes here, once.
package wire

import (
	"encoding/json"
	"time"
)

// Channel is a channel in its JSON form (docs/DESIGN.md#channel-json). Reads
// carry the identity, previews and timestamps; writes may echo them back and
// they are ignored. api_key and api_keys are write-only: the API never
// answers them, and only `routex export --include-keys` writes them.
type Channel struct {
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name"`
	// Type is the wire format the channel speaks: anthropic, openai or gemini.
	Type    string `json:"type" tstype:"ChannelType"`
	BaseURL string `json:"base_url"`
	// APIKey is write-only; an empty one on a write keeps the stored key.
	APIKey string `json:"api_key,omitempty"`
	// APIKeys replaces the key set when the channel rotates several keys.
	APIKeys []string `json:"api_keys,omitempty"`
	// APIKeyPreview shows the first key as sk-…abcd.
	APIKeyPreview string `json:"api_key_preview,omitempty"`
	// APIKeyPreviews has one preview per key; KeyCount says how many.
	APIKeyPreviews []string          `json:"api_key_previews,omitempty"`
	KeyCount       int               `json:"key_count,omitempty"`
	Models         []string          `json:"models"`
	ModelMap       map[string]string `json:"model_map"`
	// Priority: lower is tried first.
	Priority int  `json:"priority"`
	Weight   int  `json:"weight"`
	Enabled  bool `json:"enabled"`
	// Headers are sent upstream with every request; reads hide the values
	// of those that carry credentials.
	Headers      map[string]string `json:"headers"`
	Transformers json.RawMessage   `json:"transformers" tstype:"unknown[]"`
	// TimeoutMS is 0 for the defaults of config.json.
	TimeoutMS int        `json:"timeout_ms"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	// Health is the channel's live state when the engine runs the proxy.
	Health *ChannelHealth `json:"health,omitempty"`
	// ClaudeModels are the model names Claude Code's settings get when it
	// is attached to this channel (or it becomes the active provider);
	// empty slots leave the choice to Routex's routing.
	ClaudeModels *ClaudeModels `json:"claude_models,omitempty"`
	// BalanceQuery is how Routex asks the provider what the account has
	// left (credit.Query); absent for the built-in query of a known
	// provider. Reads show credential header values as previews. On a
	// write, {} goes back to the built-in query and {"off": true} asks
	// nothing.
	BalanceQuery json.RawMessage `json:"balance_query,omitempty" tstype:"BalanceQuery"`
}

// ClaudeModels are Claude Code's model slots: ANTHROPIC_MODEL,
// ANTHROPIC_DEFAULT_OPUS_MODEL, …_SONNET_MODEL, …_HAIKU_MODEL and
// ANTHROPIC_SMALL_FAST_MODEL (read by older Claude Code versions).
type ClaudeModels struct {
	Model     string `json:"model,omitempty"`
	Opus      string `json:"opus,omitempty"`
	Sonnet    string `json:"sonnet,omitempty"`
	Haiku     string `json:"haiku,omitempty"`
	SmallFast string `json:"small_fast,omitempty"`
}

// ChannelHealth is a channel's breaker, cooldown and latency as the
// balancer sees them.
type ChannelHealth struct {
	// State is closed (healthy), open or half_open.
	State         string     `json:"state"`
	Failures      int        `json:"failures"`
	CooldownUntil *time.Time `json:"cooldown_until,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	TTFTMillis    float64    `json:"ttft_ms"`
	InFlight      int        `json:"in_flight"`
	Requests      int64      `json:"requests"`
	Failed        int64      `json:"failed"`
}
