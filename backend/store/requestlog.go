package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
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

	// CostUSD is what the exchange cost at the price in effect when it
	// finished (0 for a model with no price).
	CostUSD float64
	// RequestBytes and ResponseBytes are the body sizes as sent and received
	// by the client.
	RequestBytes  int64
	ResponseBytes int64
	// OutputTPS is output tokens per second after the first token.
	OutputTPS float64
	// RequestBody and ResponseBody are the captured bodies, empty unless
	// capture is on. The store keeps them as given: redaction and size caps
	// are the caller's job. Lists leave them empty; RequestLogByID fills them.
	RequestBody  string
	ResponseBody string

	// KeyID and KeyName are the key per person the client presented; 0
	// and "" for the access key. The name is kept as well as the id, as
	// for channels.
	KeyID   int64
	KeyName string
	// KeyAdmitted is true when the key's limits admitted the request, so
	// its tokens and cost count against them. Not stored.
	KeyAdmitted bool
	// Instance names the Routex instance that served the request (several
	// can share one PostgreSQL database).
	Instance string
}

// Attempt is one failed try of a request on a channel, or a channel the
// request passed over because it was paused (Skipped set, nothing sent).
type Attempt struct {
	ChannelID   int64  `json:"channel_id"`
	ChannelName string `json:"channel"`
	Model       string `json:"model,omitempty"`
	Status      int    `json:"status,omitempty"`
	Error       string `json:"error"`
	LatencyMS   int64  `json:"latency_ms"`
	// Skipped is why the channel was not tried (balance.Skip reasons:
	// paused, probing, rate_limited); "" for a real try.
	Skipped string `json:"skipped,omitempty"`
	// Failures is how many failures in a row paused it; Until is when it
	// may serve again. Both only for a skipped channel.
	Failures int        `json:"failures,omitempty"`
	Until    *time.Time `json:"until,omitempty"`
}

// DefaultRecentLimit is how many logs RecentRequestLogs returns for a limit
// of zero or less; MaxRecentLimit caps larger limits so one call cannot load
// the whole table into memory.
const (
	DefaultRecentLimit = 100
	MaxRecentLimit     = 10000
)

// InsertRequestLogs writes a batch in one transaction: one fsync per batch
// instead of per request keeps logging off the proxy's latency. SQLite
// takes multi-row INSERTs; PostgreSQL takes the batch with COPY, in one
// round trip whatever its size. Rows keep their order (ids grow with it).
func (s *Store) InsertRequestLogs(ctx context.Context, logs []RequestLog) error {
	if len(logs) == 0 {
		return nil
	}
	insert := s.insertRequestLogs
	if s.d.pg {
		insert = s.copyRequestLogs
	}
	if err := insert(ctx, logs); err != nil {
		return fmt.Errorf("store: insert %d request logs in %s: %w", len(logs), s.path, err)
	}
	return nil
}

// logInsertColumns are the columns of one request_logs row, in the order
// logValues gives them.
const logInsertColumns = `time, format, channel_id, channel_name, client_model, upstream_model, status,
	stream, latency_ms, ttft_ms, input_tokens, output_tokens, error, user_agent, cache_read_tokens,
	cache_write_tokens, usage_estimated, upstream_format, scenario, rule, attempts, session_key, cost_usd,
	request_bytes, response_bytes, output_tps, key_id, key_name, instance`

const logInsertWidth = 29

// rowsPerInsert is how many rows one INSERT carries: far fewer statement
// executions than one per row, well under SQLite's variable limit.
const rowsPerInsert = 32

func logValues(dst []any, l RequestLog, now int64) []any {
	at := now
	if !l.Time.IsZero() {
		at = l.Time.UnixMilli()
	}
	return append(dst, at, l.Format, l.ChannelID, l.ChannelName, l.ClientModel,
		l.UpstreamModel, l.Status, l.Stream, l.LatencyMS, l.TTFTMS, l.InputTokens, l.OutputTokens,
		l.Error, l.UserAgent, l.CacheReadTokens, l.CacheWriteTokens, l.UsageEstimated,
		l.UpstreamFormat, l.Scenario, l.Rule, encodeAttempts(l.Attempts), l.SessionKey,
		l.CostUSD, l.RequestBytes, l.ResponseBytes, l.OutputTPS, l.KeyID, l.KeyName, l.Instance)
}

func insertSQL(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", logInsertWidth), ", ") + ")"
	return "INSERT INTO request_logs (" + logInsertColumns + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

func (s *Store) insertRequestLogs(ctx context.Context, logs []RequestLog) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := nowMS()
	// Rows go in multi-row statements, in order; a row with captured bodies
	// goes alone, since its id links the bodies.
	var full *sql.Stmt
	args := make([]any, 0, rowsPerInsert*logInsertWidth)
	flush := func(rows []RequestLog) error {
		for len(rows) > 0 {
			n := min(len(rows), rowsPerInsert)
			args = args[:0]
			for _, l := range rows[:n] {
				args = logValues(args, l, now)
			}
			var err error
			if n == rowsPerInsert {
				if full == nil {
					if full, err = tx.PrepareContext(ctx, insertSQL(rowsPerInsert)); err != nil {
						return err
					}
				}
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, insertSQL(n), args...)
			}
			if err != nil {
				return err
			}
			rows = rows[n:]
		}
		return nil
	}
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	pending := 0 // logs[start:start+pending] wait for a multi-row insert
	start := 0
	for i, l := range logs {
		if l.RequestBody == "" && l.ResponseBody == "" {
			if pending == 0 {
				start = i
			}
			pending++
			continue
		}
		if err := flush(logs[start : start+pending]); err != nil {
			return err
		}
		pending = 0
		res, err := tx.ExecContext(ctx, insertSQL(1), logValues(args[:0], l, now)...)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO request_bodies (log_id, request_body, response_body) VALUES (?, ?, ?)`,
			id, l.RequestBody, l.ResponseBody); err != nil {
			return err
		}
	}
	if err := flush(logs[start : start+pending]); err != nil {
		return err
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
	rows, err := s.db.QueryContext(ctx, `SELECT `+logColumns+`
		FROM request_logs ORDER BY time DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: read request logs in %s: %w", s.path, err)
	}
	out, err := scanLogs(rows)
	if err != nil {
		return nil, fmt.Errorf("store: read request logs in %s: %w", s.path, err)
	}
	return out, nil
}

// logColumns are the request_logs columns scanLog reads, in its order.
const logColumns = `id, time, format, channel_id, channel_name, client_model,
	upstream_model, status, stream, latency_ms, ttft_ms, input_tokens, output_tokens, error, user_agent,
	cache_read_tokens, cache_write_tokens, usage_estimated, upstream_format, scenario, rule, attempts,
	session_key, cost_usd, request_bytes, response_bytes, output_tps, key_id, key_name, instance`

// rowScanner is what *sql.Row and *sql.Rows share.
type rowScanner interface{ Scan(dest ...any) error }

// scanLog reads one row selected with logColumns (and extra trailing
// destinations, if any).
func scanLog(r rowScanner, extra ...any) (RequestLog, error) {
	var l RequestLog
	var at int64
	var attempts string
	dest := []any{&l.ID, &at, &l.Format, &l.ChannelID, &l.ChannelName, &l.ClientModel,
		&l.UpstreamModel, &l.Status, &l.Stream, &l.LatencyMS, &l.TTFTMS, &l.InputTokens, &l.OutputTokens,
		&l.Error, &l.UserAgent, &l.CacheReadTokens, &l.CacheWriteTokens, &l.UsageEstimated,
		&l.UpstreamFormat, &l.Scenario, &l.Rule, &attempts, &l.SessionKey,
		&l.CostUSD, &l.RequestBytes, &l.ResponseBytes, &l.OutputTPS, &l.KeyID, &l.KeyName, &l.Instance}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return RequestLog{}, err
	}
	l.Time = time.UnixMilli(at)
	if attempts != "" && attempts != "[]" {
		// A row written by hand with bad JSON keeps its other fields.
		_ = json.Unmarshal([]byte(attempts), &l.Attempts)
	}
	return l, nil
}

// scanLogs reads every row of rows, which it closes.
func scanLogs(rows *sql.Rows) ([]RequestLog, error) {
	defer rows.Close()
	out := []RequestLog{}
	for rows.Next() {
		l, err := scanLog(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
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
