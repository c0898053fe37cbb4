package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidFilter is returned for a log filter or stats range the store
// cannot answer (an unknown status, an empty range, too many buckets), so an
// API can answer 400 instead of 500.
var ErrInvalidFilter = errors.New("invalid filter")

// Page sizes of ListRequestLogs: DefaultLogLimit for a limit of 0 or less,
// MaxLogLimit caps larger ones so one page stays small.
const (
	DefaultLogLimit = 50
	MaxLogLimit     = 500
)

// LogFilter selects request logs for the dashboard. Zero fields match
// everything; set fields are combined with AND.
type LogFilter struct {
	From, To  time.Time // From inclusive, To exclusive; zero = open
	ChannelID int64     // 0 = any
	Model     string    // client or upstream model, exact
	// Status is "" (any), "ok" (below 400 with no error text), "error"
	// (400 and above, or error text), "4xx", "5xx", or an exact code "429".
	Status   string
	Scenario string
	// KeyID selects the requests of one key per person; 0 = any.
	KeyID int64
	// Instance selects the requests one Routex instance served; "" = any.
	Instance string
	// Query is a case-insensitive text search over the error, both models,
	// the channel name, the user agent and the key's name.
	Query  string
	Cursor int64 // return rows with id < Cursor; 0 = from the newest
	Limit  int   // 0 = DefaultLogLimit; capped at MaxLogLimit
}

// failedSQL is the SQL condition for a failed request, shared by the log
// filter and the stats so that "error" in one means the same in the other.
const failedSQL = `(status >= 400 OR error <> '')`

// ListRequestLogs returns one page of logs matching f, newest first (by id,
// the order rows were written), and the cursor for the next page: 0 when
// this page is the last. Rows in lists carry no captured bodies; ask
// RequestLogByID for those.
func (s *Store) ListRequestLogs(ctx context.Context, f LogFilter) (logs []RequestLog, next int64, err error) {
	where, args, err := f.where(s.d)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list request logs in %s: %w", s.path, err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLogLimit
	}
	limit = min(limit, MaxLogLimit)
	// One extra row tells whether another page follows.
	rows, err := s.db.QueryContext(ctx, `SELECT `+logColumns+` FROM request_logs`+where+
		` ORDER BY id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list request logs in %s: %w", s.path, err)
	}
	logs, err = scanLogs(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list request logs in %s: %w", s.path, err)
	}
	if len(logs) > limit {
		logs = logs[:limit]
		next = logs[limit-1].ID
	}
	return logs, next, nil
}

// RequestLogByID returns one log with its attempts and captured bodies, or
// ErrNotFound.
func (s *Store) RequestLogByID(ctx context.Context, id int64) (RequestLog, error) {
	var req, resp sql.NullString
	row := s.db.QueryRowContext(ctx, `SELECT `+prefixed("l.", logColumns)+`, b.request_body, b.response_body
		FROM request_logs l LEFT JOIN request_bodies b ON b.log_id = l.id WHERE l.id = ?`, id)
	l, err := scanLog(row, &req, &resp)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return RequestLog{}, fmt.Errorf("store: request log %d in %s: %w", id, s.path, ErrNotFound)
	case err != nil:
		return RequestLog{}, fmt.Errorf("store: read request log %d in %s: %w", id, s.path, err)
	}
	l.RequestBody, l.ResponseBody = req.String, resp.String
	return l, nil
}

// where builds the WHERE clause (with a leading space, or empty) and its
// arguments.
func (f LogFilter) where(d dialect) (string, []any, error) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if !f.From.IsZero() {
		add("time >= ?", f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		add("time < ?", f.To.UnixMilli())
	}
	if f.ChannelID != 0 {
		add("channel_id = ?", f.ChannelID)
	}
	if f.Model != "" {
		add("(client_model = ? OR upstream_model = ?)", f.Model, f.Model)
	}
	if f.Scenario != "" {
		add("scenario = ?", f.Scenario)
	}
	if f.KeyID != 0 {
		add("key_id = ?", f.KeyID)
	}
	if f.Instance != "" {
		add("instance = ?", f.Instance)
	}
	if f.Cursor > 0 {
		add("id < ?", f.Cursor)
	}
	switch st := strings.ToLower(strings.TrimSpace(f.Status)); st {
	case "":
	case "ok":
		add("NOT " + failedSQL)
	case "error":
		add(failedSQL)
	case "4xx":
		add("status BETWEEN 400 AND 499")
	case "5xx":
		add("status BETWEEN 500 AND 599")
	default:
		code, err := strconv.Atoi(st)
		if err != nil || code < 0 || code > 999 {
			return "", nil, fmt.Errorf("%w: status %q: want ok, error, 4xx, 5xx or a code such as 429", ErrInvalidFilter, f.Status)
		}
		add("status = ?", code)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		// SQLite's LIKE ignores ASCII case, PostgreSQL's ILIKE any case;
		// % and _ in the user's text are escaped so they match themselves.
		pat := "%" + likeEscaper.Replace(q) + "%"
		like := d.like()
		add(`(error `+like+` ? ESCAPE '\' OR client_model `+like+` ? ESCAPE '\' OR upstream_model `+like+` ? ESCAPE '\'
			OR channel_name `+like+` ? ESCAPE '\' OR user_agent `+like+` ? ESCAPE '\' OR key_name `+like+` ? ESCAPE '\')`,
			pat, pat, pat, pat, pat, pat)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// likeEscaper escapes LIKE's wildcards and its escape character. A
// strings.Replacer is safe for concurrent use and never changes.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// prefixed qualifies each column of a comma-separated list with p.
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
