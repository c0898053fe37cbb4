package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Channel is one upstream provider account: where to send requests, with
// which key, for which models. Its JSON form over /api belongs to the api
// package; this struct is the stored form.
type Channel struct {
	ID      int64
	Name    string
	Type    string // "anthropic" | "openai" | "gemini" (validated by the API, not here)
	BaseURL string
	APIKey  string
	// APIKeys holds every key when the channel has several, rotated
	// round-robin; APIKey is then the first. Empty for one key.
	APIKeys      []string
	Models       []string          // never nil after a read (empty slice)
	ModelMap     map[string]string // client model -> upstream model; never nil after a read
	Priority     int               // lower is tried first
	Weight       int
	Enabled      bool
	Headers      map[string]string // extra upstream headers; never nil after a read
	Transformers json.RawMessage   // a JSON array, "[]" when empty
	TimeoutMS    int
	// ClaudeModels are the model names Claude Code's settings get when it
	// is attached to this channel; empty fields leave Routex's routing to
	// choose.
	ClaudeModels ClaudeModels
	// BalanceQuery says how to ask the provider what the account has left:
	// a JSON object the credit package reads, or empty for the built-in
	// query of a known provider.
	BalanceQuery json.RawMessage
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ClaudeModels are Claude Code's model slots (ANTHROPIC_MODEL and the
// ANTHROPIC_DEFAULT_*_MODEL variables) as one channel fills them.
type ClaudeModels struct {
	Model     string `json:"model,omitempty"`
	Opus      string `json:"opus,omitempty"`
	Sonnet    string `json:"sonnet,omitempty"`
	Haiku     string `json:"haiku,omitempty"`
	SmallFast string `json:"small_fast,omitempty"`
}

// IsZero reports whether no slot is set.
func (m ClaudeModels) IsZero() bool { return m == ClaudeModels{} }

const channelColumns = `id, name, type, base_url, api_key, models, model_map, priority, weight,
	enabled, headers, transformers, timeout_ms, created_at, updated_at, api_keys, claude_models, balance_query`

// Keys returns the channel's keys in rotation order: APIKeys when set, else
// the single APIKey (possibly empty, for local servers that need none).
func (c *Channel) Keys() []string {
	if len(c.APIKeys) > 0 {
		return c.APIKeys
	}
	return []string{c.APIKey}
}

// Channels returns every channel ordered by priority, then id: the order in
// which failover tries them.
func (s *Store) Channels(ctx context.Context) ([]Channel, error) {
	out, err := readChannels(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("store: list channels in %s: %w", s.path, err)
	}
	return out, nil
}

func readChannels(ctx context.Context, q querier) ([]Channel, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+channelColumns+" FROM channels ORDER BY priority, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Channel{}
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Channel returns the channel with the given id, or ErrNotFound.
func (s *Store) Channel(ctx context.Context, id int64) (Channel, error) {
	c, err := scanChannel(s.db.QueryRowContext(ctx, "SELECT "+channelColumns+" FROM channels WHERE id = ?", id))
	if err != nil {
		return Channel{}, fmt.Errorf("store: channel %d in %s: %w", id, s.path, notFound(err))
	}
	return c, nil
}

// ChannelByName returns the channel with the given name, or ErrNotFound;
// routes name their channels, so this is how a route target is resolved.
func (s *Store) ChannelByName(ctx context.Context, name string) (Channel, error) {
	c, err := scanChannel(s.db.QueryRowContext(ctx, "SELECT "+channelColumns+" FROM channels WHERE name = ?", name))
	if err != nil {
		return Channel{}, fmt.Errorf("store: channel %q in %s: %w", name, s.path, notFound(err))
	}
	return c, nil
}

// CreateChannel inserts c (its ID and timestamps are ignored) and returns the
// stored row with its new ID and timestamps. A name already taken gives
// ErrDuplicateName. The Catalog is refreshed on success.
func (s *Store) CreateChannel(ctx context.Context, c Channel) (Channel, error) {
	enc, err := encodeChannel(c)
	if err != nil {
		return Channel{}, fmt.Errorf("store: create channel %q in %s: %w", c.Name, s.path, err)
	}
	now := nowMS()
	var id int64
	err = s.write(ctx, TopicCatalog, func(tx rtx) error {
		// RETURNING works on both backends; PostgreSQL has no LastInsertId.
		return tx.QueryRowContext(ctx, `INSERT INTO channels (name, type, base_url, api_key, models, model_map,
		priority, weight, enabled, headers, transformers, timeout_ms, created_at, updated_at, api_keys,
		claude_models, balance_query)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Name, c.Type, c.BaseURL, c.APIKey, enc.models, enc.modelMap, c.Priority, c.Weight, c.Enabled,
			enc.headers, enc.transformers, c.TimeoutMS, now, now, enc.apiKeys, enc.claudeModels, enc.balanceQuery).Scan(&id)
	})
	if err != nil {
		return Channel{}, fmt.Errorf("store: create channel %q in %s: %w", c.Name, s.path, duplicate(err))
	}
	return s.afterChannelWrite(ctx, id)
}

// UpdateChannel replaces the whole row c.ID with c, keeping its CreatedAt,
// and returns the stored row. ErrNotFound if there is no such channel,
// ErrDuplicateName if the new name is taken. The Catalog is refreshed.
func (s *Store) UpdateChannel(ctx context.Context, c Channel) (Channel, error) {
	enc, err := encodeChannel(c)
	if err != nil {
		return Channel{}, fmt.Errorf("store: update channel %d in %s: %w", c.ID, s.path, err)
	}
	err = s.write(ctx, TopicCatalog, func(tx rtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE channels SET name = ?, type = ?, base_url = ?, api_key = ?,
		models = ?, model_map = ?, priority = ?, weight = ?, enabled = ?, headers = ?, transformers = ?,
		timeout_ms = ?, updated_at = ?, api_keys = ?, claude_models = ?, balance_query = ? WHERE id = ?`,
			c.Name, c.Type, c.BaseURL, c.APIKey, enc.models, enc.modelMap, c.Priority, c.Weight, c.Enabled,
			enc.headers, enc.transformers, c.TimeoutMS, nowMS(), enc.apiKeys, enc.claudeModels, enc.balanceQuery, c.ID)
		if err != nil {
			return duplicate(err)
		}
		return oneRow(res)
	})
	if err != nil {
		return Channel{}, fmt.Errorf("store: update channel %d in %s: %w", c.ID, s.path, err)
	}
	return s.afterChannelWrite(ctx, c.ID)
}

// DeleteChannel removes the channel with the given id, or returns
// ErrNotFound. Route targets naming it are left for the caller to fix:
// routes refer to names, not ids. The Catalog is refreshed.
func (s *Store) DeleteChannel(ctx context.Context, id int64) error {
	err := s.write(ctx, TopicCatalog, func(tx rtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM channels WHERE id = ?", id)
		if err != nil {
			return err
		}
		if err := oneRow(res); err != nil {
			return err
		}
		return deleteAccountCaches(ctx, tx, id)
	})
	if err != nil {
		return fmt.Errorf("store: delete channel %d in %s: %w", id, s.path, err)
	}
	return s.Reload(ctx)
}

// afterChannelWrite refreshes the Catalog and returns the row as stored.
func (s *Store) afterChannelWrite(ctx context.Context, id int64) (Channel, error) {
	if err := s.Reload(ctx); err != nil {
		return Channel{}, err
	}
	for _, c := range s.Catalog().Channels {
		if c.ID == id {
			return c, nil
		}
	}
	// Deleted by another process between our write and the reload.
	return Channel{}, fmt.Errorf("store: channel %d in %s: %w", id, s.path, ErrNotFound)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanChannel(r scanner) (Channel, error) {
	var (
		c                                       Channel
		models, modelMap, headers, transformers string
		apiKeys, claudeModels, balanceQuery     string
		created, updated                        int64
	)
	err := r.Scan(&c.ID, &c.Name, &c.Type, &c.BaseURL, &c.APIKey, &models, &modelMap, &c.Priority,
		&c.Weight, &c.Enabled, &headers, &transformers, &c.TimeoutMS, &created, &updated, &apiKeys,
		&claudeModels, &balanceQuery)
	if err != nil {
		return Channel{}, err
	}
	c.Models = []string{}
	c.ModelMap = map[string]string{}
	c.Headers = map[string]string{}
	for _, f := range []struct {
		name, raw string
		dst       any
	}{{"models", models, &c.Models}, {"model_map", modelMap, &c.ModelMap}, {"headers", headers, &c.Headers},
		{"api_keys", apiKeys, &c.APIKeys}, {"claude_models", claudeModels, &c.ClaudeModels}} {
		if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
			return Channel{}, fmt.Errorf("channel %d: column %s: %w", c.ID, f.name, err)
		}
	}
	// A stored JSON null decodes to nil; keep the never-nil promise.
	if c.Models == nil {
		c.Models = []string{}
	}
	if c.ModelMap == nil {
		c.ModelMap = map[string]string{}
	}
	if c.Headers == nil {
		c.Headers = map[string]string{}
	}
	if len(c.APIKeys) == 0 {
		c.APIKeys = nil
	}
	c.Transformers = json.RawMessage(transformers)
	if balanceQuery != "" {
		c.BalanceQuery = json.RawMessage(balanceQuery)
	}
	c.CreatedAt = time.UnixMilli(created)
	c.UpdatedAt = time.UnixMilli(updated)
	return c, nil
}

// encodedChannel holds a channel's JSON columns.
type encodedChannel struct {
	models, modelMap, headers, transformers, apiKeys string
	claudeModels, balanceQuery                       string
}

func encodeChannel(c Channel) (encodedChannel, error) {
	var e encodedChannel
	var err error
	if e.models, err = jsonOr(c.Models, "[]"); err != nil {
		return e, err
	}
	if e.modelMap, err = jsonOr(c.ModelMap, "{}"); err != nil {
		return e, err
	}
	if e.headers, err = jsonOr(c.Headers, "{}"); err != nil {
		return e, err
	}
	if e.transformers, err = jsonArray(c.Transformers, "transformers"); err != nil {
		return e, err
	}
	if e.apiKeys, err = jsonOr(c.APIKeys, "[]"); err != nil {
		return e, err
	}
	if e.claudeModels, err = jsonOr(c.ClaudeModels, "{}"); err != nil {
		return e, err
	}
	if e.balanceQuery, err = jsonObject(c.BalanceQuery, "balance_query"); err != nil {
		return e, err
	}
	return e, nil
}

// jsonOr encodes v, or returns empty when v is a nil slice or map.
func jsonOr[T any](v T, empty string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if string(b) == "null" {
		return empty, nil
	}
	return string(b), nil
}

// jsonArray checks that raw is a JSON array (empty or null means "[]") and
// returns it compacted, so opaque JSON from the API cannot corrupt a row.
func jsonArray(raw json.RawMessage, field string) (string, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return "[]", nil
	}
	if t[0] != '[' || !json.Valid(t) {
		return "", fmt.Errorf("%s must be a JSON array", field)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, t); err != nil {
		return "", fmt.Errorf("%s: %w", field, err)
	}
	return buf.String(), nil
}

// jsonObject checks that raw is a JSON object (empty or null means "")
// and returns it compacted.
func jsonObject(raw json.RawMessage, field string) (string, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return "", nil
	}
	if t[0] != '{' || !json.Valid(t) {
		return "", fmt.Errorf("%s must be a JSON object", field)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, t); err != nil {
		return "", fmt.Errorf("%s: %w", field, err)
	}
	return buf.String(), nil
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func duplicate(err error) error {
	if isUniqueViolation(err) {
		return fmt.Errorf("%w: %v", ErrDuplicateName, err)
	}
	return err
}

func oneRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
