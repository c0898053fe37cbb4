package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// RequestLog is one finished exchange, written by the observe package in
// batches and read by the dashboard. The schema will grow in later work.
type RequestLog struct {
	ID            int64
	Time          time.Time // when the request arrived; zero means now
	Format        string    // inbound format: anthropic | openai | gemini
	ChannelID     int64
	ChannelName   string // kept as well as the id: logs outlive channels
	ClientModel   string
	UpstreamModel string
	Status        int
	Stream        bool
	LatencyMS     int64
	TTFTMS        int64
	InputTokens   int64
	OutputTokens  int64
	Error         string
	UserAgent     string

	CacheReadTokens  int64
	CacheWriteTokens int64
	// UsageEstimated is true when the upstream reported no usage and Routex
	// counted the tokens itself.
	UsageEstimated bool
	// UpstreamFormat is the channel's wire format; it differs from Format
	// when Routex converted the exchange.
	UpstreamFormat string

	// Scenario and Rule say why routing chose the channel.
	Scenario string
	Rule     string
	// Attempts lists the tries that failed before the one that answered
	// (or all of them, when none did).
	Attempts []Attempt
	// SessionKey identifies the conversation, for session affinity.
	SessionKey string
}

// Attempt is one failed try of a request on a channel.
type Attempt struct {
	ChannelID   int64  `json:"channel_id"`
	ChannelName string `json:"channel"`
	Model       string `json:"model,omitempty"`
	Status      int    `json:"status,omitempty"`
	Error       string `json:"error"`
	LatencyMS   int64  `json:"latency_ms"`
}

// DefaultRecentLimit is how many logs RecentRequestLogs returns for a limit
// of zero or less; MaxRecentLimit caps larger limits so one call cannot load
// the whole table into memory.
const (
	DefaultRecentLimit = 100
	MaxRecentLimit     = 10000
)

// InsertRequestLogs writes a batch in one transaction: one fsync per batch
// instead of per request keeps logging off the proxy's latency.
func (s *Store) InsertRequestLogs(ctx context.Context, logs []RequestLog) error {
	if len(logs) == 0 {
		return nil
	}
	if err := s.insertRequestLogs(ctx, logs); err != nil {
		return fmt.Errorf("store: insert %d request logs in %s: %w", len(logs), s.path, err)
	}
	return nil
}

func (s *Store) insertRequestLogs(ctx context.Context, logs []RequestLog) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO request_logs (time, format, channel_id, channel_name,
		client_model, upstream_model, status, stream, latency_ms, ttft_ms, input_tokens, output_tokens,
		error, user_agent, cache_read_tokens, cache_write_tokens, usage_estimated, upstream_format,
		scenario, rule, attempts, session_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	now := nowMS()
	for _, l := range logs {
		at := now
		if !l.Time.IsZero() {
			at = l.Time.UnixMilli()
		}
		if _, err := stmt.ExecContext(ctx, at, l.Format, l.ChannelID, l.ChannelName, l.ClientModel,
			l.UpstreamModel, l.Status, l.Stream, l.LatencyMS, l.TTFTMS, l.InputTokens, l.OutputTokens,
			l.Error, l.UserAgent, l.CacheReadTokens, l.CacheWriteTokens, l.UsageEstimated,
			l.UpstreamFormat, l.Scenario, l.Rule, encodeAttempts(l.Attempts), l.SessionKey); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// RecentRequestLogs returns up to limit logs, newest first (by time, then
// id). A limit <= 0 means DefaultRecentLimit; above MaxRecentLimit is capped.
func (s *Store) RecentRequestLogs(ctx context.Context, limit int) ([]RequestLog, error) {
	if limit <= 0 {
		limit = DefaultRecentLimit
	}
	limit = min(limit, MaxRecentLimit)
	rows, err := s.db.QueryContext(ctx, `SELECT id, time, format, channel_id, channel_name, client_model,
		upstream_model, status, stream, latency_ms, ttft_ms, input_tokens, output_tokens, error, user_agent,
		cache_read_tokens, cache_write_tokens, usage_estimated, upstream_format, scenario, rule, attempts, session_key
		FROM request_logs ORDER BY time DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: read request logs in %s: %w", s.path, err)
	}
	defer rows.Close()
	out := []RequestLog{}
	for rows.Next() {
		var l RequestLog
		var at int64
		var attempts string
		if err := rows.Scan(&l.ID, &at, &l.Format, &l.ChannelID, &l.ChannelName, &l.ClientModel,
			&l.UpstreamModel, &l.Status, &l.Stream, &l.LatencyMS, &l.TTFTMS, &l.InputTokens, &l.OutputTokens,
			&l.Error, &l.UserAgent, &l.CacheReadTokens, &l.CacheWriteTokens, &l.UsageEstimated,
			&l.UpstreamFormat, &l.Scenario, &l.Rule, &attempts, &l.SessionKey); err != nil {
			return nil, fmt.Errorf("store: read request logs in %s: %w", s.path, err)
		}
		l.Time = time.UnixMilli(at)
		if attempts != "" && attempts != "[]" {
			// A row written by hand with bad JSON keeps its other fields.
			_ = json.Unmarshal([]byte(attempts), &l.Attempts)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read request logs in %s: %w", s.path, err)
	}
	return out, nil
}

func encodeAttempts(a []Attempt) string {
	if len(a) == 0 {
		return "[]"
	}
	b, err := json.Marshal(a)
	if err != nil {
		return "[]"
	}
	return string(b)
}
