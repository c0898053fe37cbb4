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
	// Status is the health in plain words, one of HealthStatuses: what the
	// window, the tray and the CLI show instead of the breaker's state.
	Status string `json:"status" tstype:"HealthStatus"`
	// LastTest is the channel's latest connection test since the engine
	// started, when there was one.
	LastTest *LastTest `json:"last_test,omitempty"`
	// Keys has one entry per API key when the channel has several.
	Keys []KeyHealth `json:"keys,omitempty"`
}

// Health statuses (ChannelHealth.Status), the order they are checked in.
const (
	// HealthPaused: the breaker is open after failures in a row; the
	// channel gets no traffic until cooldown_until.
	HealthPaused = "paused"
	// HealthRetrying: the pause is over and the next request probes it.
	HealthRetrying = "retrying"
	// HealthRateLimited: the provider asked to wait until cooldown_until.
	HealthRateLimited = "rate_limited"
	// HealthTestFailed: the last connection test failed and no request
	// has gone through it since.
	HealthTestFailed = "test_failed"
	// HealthFailing: its last requests failed, not yet enough to pause it.
	HealthFailing = "failing"
	// HealthUntested: no request and no test yet.
	HealthUntested = "untested"
	// HealthHealthy: its last request or test worked.
	HealthHealthy = "healthy"
)

// HealthStatuses lists every ChannelHealth.Status.
var HealthStatuses = []string{HealthPaused, HealthRetrying, HealthRateLimited, HealthTestFailed, HealthFailing,
	HealthUntested, HealthHealthy}

// LastTest is the outcome of a channel's latest connection test.
type LastTest struct {
	Verdict string    `json:"verdict"`
	At      time.Time `json:"at"`
	// Key is the index of the key tested alone; -1 when the channel was
	// tested as a whole (with its first key).
	Key int `json:"key"`
}

// KeyHealth is one API key's state.
type KeyHealth struct {
	// CooldownUntil is set while the provider rate-limits this key.
	CooldownUntil *time.Time `json:"cooldown_until,omitempty"`
	// LastTest is this key's own latest test.
	LastTest *LastTest `json:"last_test,omitempty"`
}

// KeyUsage is a key per person's use in one period and when the period
// ends.
type KeyUsage struct {
	Requests int64     `json:"requests"`
	Tokens   int64     `json:"tokens"`
	CostUSD  float64   `json:"cost_usd"`
	ResetsAt time.Time `json:"resets_at"`
}

// Key is a key per person as GET /api/keys shows it and the CLI reads it.
// The secret appears once, as Key, in the answer to its creation.
type Key struct {
	ID               int64      `json:"id"`
	Name             string     `json:"name"`
	Owner            string     `json:"owner"`
	Prefix           string     `json:"prefix"`
	ExpiresAt        *time.Time `json:"expires_at"`
	Expired          bool       `json:"expired"`
	Models           []string   `json:"models"`
	Channels         []string   `json:"channels"`
	RPM              int64      `json:"rpm"`
	TPM              int64      `json:"tpm"`
	BudgetDailyUSD   float64    `json:"budget_daily_usd"`
	BudgetMonthlyUSD float64    `json:"budget_monthly_usd"`
	Revoked          bool       `json:"revoked"`
	RevokedAt        *time.Time `json:"revoked_at"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	// Usage is this minute's, today's and this month's use (UTC).
	Usage struct {
		Minute KeyUsage `json:"minute"`
		Today  KeyUsage `json:"today"`
		Month  KeyUsage `json:"month"`
	} `json:"usage"`
	Key string `json:"key,omitempty"`
}
