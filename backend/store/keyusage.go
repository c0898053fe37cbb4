package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Usage periods of key_usage rows. Periods are UTC, so a key's day and
// month end at the same moment on every instance.
const (
	PeriodMinute = "minute"
	PeriodDay    = "day"
	PeriodMonth  = "month"
)

// Why AdmitKey refused a request.
const (
	KeyMissing   = "missing"   // the key was deleted
	KeyRevoked   = "revoked"   // the key was revoked
	KeyExpired   = "expired"   // the key's expiry passed
	LimitRPM     = "rpm"       // requests in this minute reached the key's rpm
	LimitTPM     = "tpm"       // tokens in this minute reached the key's tpm
	LimitDaily   = "daily_usd" // today's cost reached the daily budget
	LimitMonthly = "monthly_usd"
)

// Periods are the starts of the minute, day and month that hold now, and
// the moments they end, in UTC.
type Periods struct {
	Minute, Day, Month          time.Time
	MinuteEnd, DayEnd, MonthEnd time.Time
}

// PeriodsAt returns the usage periods holding now.
func PeriodsAt(now time.Time) Periods {
	u := now.UTC()
	y, m, d := u.Date()
	p := Periods{
		Minute: u.Truncate(time.Minute),
		Day:    time.Date(y, m, d, 0, 0, 0, 0, time.UTC),
		Month:  time.Date(y, m, 1, 0, 0, 0, 0, time.UTC),
	}
	p.MinuteEnd, p.DayEnd, p.MonthEnd = p.Minute.Add(time.Minute), p.Day.AddDate(0, 0, 1), p.Month.AddDate(0, 1, 0)
	return p
}

// Admission is AdmitKey's answer. When Admitted is false, Reason says why,
// Limit and Used are the limit hit and the usage that reached it, and
// ResetAt is when the limit lets requests through again (zero for a
// revoked, expired or missing key).
type Admission struct {
	Admitted bool
	// Requests is the key's request count in this minute, this one
	// included, when admitted.
	Requests int64
	Reason   string
	Limit    float64
	Used     float64
	ResetAt  time.Time
}

// admitSQL counts one request in the key's current minute if the key is
// active and within its limits, in one statement: the key's row is read
// here, in the database every instance shares, so a revocation or a limit
// edit applies to the next request everywhere, and the minute's count is
// checked and raised atomically (a row lock on PostgreSQL, the write lock
// on SQLite): two instances never both take the last request of a minute.
// Tokens and cost only grow when requests finish (AddKeyUsage), so the
// token and budget checks see what finished before this request arrived.
// Arguments: minute start, key id, now, day start, month start.
const admitSQL = `INSERT INTO key_usage (key_id, period, start, requests, tokens, cost_usd)
	SELECT k.id, 'minute', ?, 1, 0, 0 FROM api_keys k
	WHERE k.id = ? AND k.revoked_at = 0 AND (k.expires_at = 0 OR k.expires_at > ?)
		AND (k.budget_daily_usd <= 0 OR COALESCE((SELECT d.cost_usd FROM key_usage d
			WHERE d.key_id = k.id AND d.period = 'day' AND d.start = ?), 0) < k.budget_daily_usd)
		AND (k.budget_monthly_usd <= 0 OR COALESCE((SELECT m.cost_usd FROM key_usage m
			WHERE m.key_id = k.id AND m.period = 'month' AND m.start = ?), 0) < k.budget_monthly_usd)
	ON CONFLICT (key_id, period, start) DO UPDATE SET requests = key_usage.requests + 1
	WHERE (SELECT (l.rpm <= 0 OR key_usage.requests < l.rpm) AND (l.tpm <= 0 OR key_usage.tokens < l.tpm)
		FROM api_keys l WHERE l.id = key_usage.key_id)
	RETURNING requests`

// AdmitKey decides whether key id may send a request now: it must exist,
// be neither revoked nor expired, and be under its requests and tokens per
// minute and its daily and monthly budgets. An admitted request is counted
// in the minute at once (reserve before send); its tokens and cost are
// added by AddKeyUsage when it finishes. One database round trip when
// admitted; a second one says why when not.
func (s *Store) AdmitKey(ctx context.Context, id int64, now time.Time) (Admission, error) {
	p := PeriodsAt(now)
	stmt, err := s.admitStmt(ctx)
	if err != nil {
		return Admission{}, fmt.Errorf("store: admit key %d in %s: %w", id, s.path, err)
	}
	for try := 0; ; try++ {
		var n int64
		err := stmt.QueryRowContext(ctx, p.Minute.UnixMilli(), id, now.UnixMilli(),
			p.Day.UnixMilli(), p.Month.UnixMilli()).Scan(&n)
		if err == nil {
			return Admission{Admitted: true, Requests: n}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Admission{}, fmt.Errorf("store: admit key %d in %s: %w", id, s.path, err)
		}
		a, err := s.refusal(ctx, id, now, p)
		if err != nil {
			return Admission{}, fmt.Errorf("store: admit key %d in %s: %w", id, s.path, err)
		}
		// Nothing over its limit: the minute or a budget changed between
		// the two statements. Ask once more.
		if a.Reason != "" || try > 0 {
			return a, nil
		}
	}
}

// admitStmt is admitSQL prepared once: it runs before every request of a
// key, and SQLite would otherwise parse and plan it each time.
// (database/sql prepares it again on each pooled connection as needed.)
func (s *Store) admitStmt(ctx context.Context) (*sql.Stmt, error) {
	s.admitMu.Lock()
	defer s.admitMu.Unlock()
	if s.admit != nil {
		return s.admit, nil
	}
	stmt, err := s.counters.DB.PrepareContext(ctx, s.d.rebind(admitSQL))
	if err != nil {
		return nil, err
	}
	s.admit = stmt
	return stmt, nil
}

// refusal reads why admitSQL refused key id.
func (s *Store) refusal(ctx context.Context, id int64, now time.Time, p Periods) (Admission, error) {
	var revoked, expires, rpm, tpm, minReq, minTok int64
	var daily, monthly, dayCost, monthCost float64
	err := s.counters.QueryRowContext(ctx, `SELECT k.revoked_at, k.expires_at, k.rpm, k.tpm,
		k.budget_daily_usd, k.budget_monthly_usd,
		COALESCE((SELECT u.requests FROM key_usage u WHERE u.key_id = k.id AND u.period = 'minute' AND u.start = ?), 0),
		COALESCE((SELECT u.tokens FROM key_usage u WHERE u.key_id = k.id AND u.period = 'minute' AND u.start = ?), 0),
		COALESCE((SELECT u.cost_usd FROM key_usage u WHERE u.key_id = k.id AND u.period = 'day' AND u.start = ?), 0),
		COALESCE((SELECT u.cost_usd FROM key_usage u WHERE u.key_id = k.id AND u.period = 'month' AND u.start = ?), 0)
		FROM api_keys k WHERE k.id = ?`, p.Minute.UnixMilli(), p.Minute.UnixMilli(), p.Day.UnixMilli(),
		p.Month.UnixMilli(), id).Scan(&revoked, &expires, &rpm, &tpm, &daily, &monthly, &minReq, &minTok, &dayCost, &monthCost)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Admission{Reason: KeyMissing}, nil
	case err != nil:
		return Admission{}, err
	case revoked != 0:
		return Admission{Reason: KeyRevoked}, nil
	case expires != 0 && expires <= now.UnixMilli():
		return Admission{Reason: KeyExpired, ResetAt: time.UnixMilli(expires)}, nil
	case monthly > 0 && monthCost >= monthly:
		return Admission{Reason: LimitMonthly, Limit: monthly, Used: monthCost, ResetAt: p.MonthEnd}, nil
	case daily > 0 && dayCost >= daily:
		return Admission{Reason: LimitDaily, Limit: daily, Used: dayCost, ResetAt: p.DayEnd}, nil
	case rpm > 0 && minReq >= rpm:
		return Admission{Reason: LimitRPM, Limit: float64(rpm), Used: float64(minReq), ResetAt: p.MinuteEnd}, nil
	case tpm > 0 && minTok >= tpm:
		return Admission{Reason: LimitTPM, Limit: float64(tpm), Used: float64(minTok), ResetAt: p.MinuteEnd}, nil
	}
	return Admission{}, nil
}

// KeyUse is what one finished request of a key used: its tokens (as the
// tokens-per-minute limit counts them) and its cost, at the time it
// finished.
type KeyUse struct {
	KeyID   int64
	At      time.Time
	Tokens  int64
	CostUSD float64
}

// usageRow is one key_usage row's increment.
type usageRow struct {
	key    int64
	period string
	start  int64
}

type usageAdd struct {
	requests, tokens int64
	cost             float64
}

// AddKeyUsage adds finished requests to their keys' counters in one
// statement: tokens to the minute they finished in, and a request, its
// tokens and its cost to their UTC day and month. (AdmitKey already
// counted the request in its minute.) Rows are locked in one order, so
// instances writing at once wait for each other instead of deadlocking.
func (s *Store) AddKeyUsage(ctx context.Context, uses []KeyUse) error {
	if len(uses) == 0 {
		return nil
	}
	sums := map[usageRow]usageAdd{}
	for _, u := range uses {
		if u.KeyID == 0 {
			continue
		}
		p := PeriodsAt(u.At)
		m := sums[usageRow{u.KeyID, PeriodMinute, p.Minute.UnixMilli()}]
		m.tokens += u.Tokens
		sums[usageRow{u.KeyID, PeriodMinute, p.Minute.UnixMilli()}] = m
		for _, r := range []usageRow{{u.KeyID, PeriodDay, p.Day.UnixMilli()}, {u.KeyID, PeriodMonth, p.Month.UnixMilli()}} {
			a := sums[r]
			a.requests++
			a.tokens += u.Tokens
			a.cost += u.CostUSD
			sums[r] = a
		}
	}
	order := make([]usageRow, 0, len(sums))
	for r := range sums {
		order = append(order, r)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.key != b.key {
			return a.key < b.key
		}
		if a.period != b.period {
			return a.period < b.period
		}
		return a.start < b.start
	})
	// Usually one statement, one round trip; a batch of more rows than one
	// statement takes goes in one transaction, so a failure counts none of
	// it (the caller retries the whole batch).
	if len(order) <= maxUsageRows {
		if err := upsertUsage(ctx, s.counters, order, sums); err != nil {
			return fmt.Errorf("store: add key usage in %s: %w", s.path, err)
		}
		return nil
	}
	tx, err := s.counters.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: add key usage in %s: %w", s.path, err)
	}
	defer tx.Rollback()
	for len(order) > 0 {
		n := min(len(order), maxUsageRows)
		if err := upsertUsage(ctx, tx, order[:n], sums); err != nil {
			return fmt.Errorf("store: add key usage in %s: %w", s.path, err)
		}
		order = order[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: add key usage in %s: %w", s.path, err)
	}
	return nil
}

// maxUsageRows is how many key_usage rows one statement adds to: six
// arguments each, well under SQLite's and PostgreSQL's limits.
const maxUsageRows = 1000

// execer is what rdb and rtx share for writes.
type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// upsertUsage adds sums to the rows in order, in one INSERT … ON CONFLICT:
// the rows are distinct, as one such statement needs.
func upsertUsage(ctx context.Context, x execer, order []usageRow, sums map[usageRow]usageAdd) error {
	var q strings.Builder
	q.WriteString("INSERT INTO key_usage (key_id, period, start, requests, tokens, cost_usd) VALUES ")
	args := make([]any, 0, 6*len(order))
	for i, r := range order {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?)")
		a := sums[r]
		args = append(args, r.key, r.period, r.start, a.requests, a.tokens, a.cost)
	}
	q.WriteString(` ON CONFLICT (key_id, period, start) DO UPDATE SET
		requests = key_usage.requests + excluded.requests, tokens = key_usage.tokens + excluded.tokens,
		cost_usd = key_usage.cost_usd + excluded.cost_usd`)
	_, err := x.ExecContext(ctx, q.String(), args...)
	return err
}

// UsageCount is a key's use in one period.
type UsageCount struct {
	Requests int64
	Tokens   int64
	CostUSD  float64
}

// KeyUsage is a key's use in the minute, day and month that hold a moment.
type KeyUsage struct {
	Minute, Day, Month UsageCount
}

// KeyUsageAt returns every key's use in the periods holding now, by key
// id; keys with none are absent.
func (s *Store) KeyUsageAt(ctx context.Context, now time.Time) (map[int64]KeyUsage, error) {
	p := PeriodsAt(now)
	rows, err := s.db.QueryContext(ctx, `SELECT key_id, period, requests, tokens, cost_usd FROM key_usage
		WHERE (period = 'minute' AND start = ?) OR (period = 'day' AND start = ?) OR (period = 'month' AND start = ?)`,
		p.Minute.UnixMilli(), p.Day.UnixMilli(), p.Month.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("store: read key usage in %s: %w", s.path, err)
	}
	defer rows.Close()
	out := map[int64]KeyUsage{}
	for rows.Next() {
		var id int64
		var period string
		var c UsageCount
		if err := rows.Scan(&id, &period, &c.Requests, &c.Tokens, &c.CostUSD); err != nil {
			return nil, fmt.Errorf("store: read key usage in %s: %w", s.path, err)
		}
		u := out[id]
		switch period {
		case PeriodMinute:
			u.Minute = c
		case PeriodDay:
			u.Day = c
		case PeriodMonth:
			u.Month = c
		}
		out[id] = u
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read key usage in %s: %w", s.path, err)
	}
	return out, nil
}

// How long key_usage rows are kept: minutes only matter while current,
// days for a year of history; months stay.
const (
	keepMinutes = time.Hour
	keepDays    = 400 * 24 * time.Hour
)

// PruneKeyUsage deletes minute counters older than an hour and day
// counters older than 400 days, and returns how many rows went.
func (s *Store) PruneKeyUsage(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.counters.ExecContext(ctx, `DELETE FROM key_usage WHERE (period = 'minute' AND start < ?)
		OR (period = 'day' AND start < ?)`, now.Add(-keepMinutes).UnixMilli(), now.Add(-keepDays).UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("store: prune key usage in %s: %w", s.path, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: prune key usage in %s: %w", s.path, err)
	}
	return n, nil
}
