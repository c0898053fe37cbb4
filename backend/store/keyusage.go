package store

import (
	"context"
	"database/sql"
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
	order, sums := usageSums(uses)
	if len(order) == 0 {
		return nil
	}
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

// usageSums adds uses up by key_usage row, and returns the rows in the
// one order every writer locks them in, so instances writing at once wait
// for each other instead of deadlocking.
func usageSums(uses []KeyUse) ([]usageRow, map[usageRow]usageAdd) {
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
	return order, sums
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
	q, args := usageUpsert(order, sums)
	_, err := x.ExecContext(ctx, q, args...)
	return err
}

// usageUpsert is upsertUsage's statement (with ? placeholders) and its
// arguments.
func usageUpsert(order []usageRow, sums map[usageRow]usageAdd) (string, []any) {
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
	return q.String(), args
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
