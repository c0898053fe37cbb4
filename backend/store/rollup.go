package store

import (
	"context"
	"fmt"
	"time"
)

// DailyUsage is the totals of one UTC day, channel and model, kept after
// retention deleted the day's detail rows. Model is the upstream model, or
// the client model when the request never reached an upstream.
type DailyUsage struct {
	Day                                         time.Time // 00:00 UTC
	ChannelID                                   int64
	ChannelName, Model                          string
	Requests, Failed, InputTokens, OutputTokens int64
	CacheReadTokens, CacheWriteTokens           int64
	CostUSD                                     float64
}

// dayMS is one day in milliseconds; days are UTC so that a roll-up means
// the same on every machine.
const dayMS = 24 * 60 * 60 * 1000

// RollUp applies retention: every detail row older than before is added into
// the daily totals (per UTC day, channel id, channel name, model and key)
// and deleted, with its captured bodies, in one transaction, so a crash never
// counts a row twice or loses it. It returns how many rows were rolled up.
// Rolling up part of a day and the rest later adds to the same totals.
func (s *Store) RollUp(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.rollUp(ctx, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("store: roll up request logs before %s in %s: %w",
			before.Format(time.RFC3339), s.path, err)
	}
	return n, nil
}

func (s *Store) rollUp(ctx context.Context, before int64) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// Several instances on one PostgreSQL database each run retention: one
	// at a time, or two would add the same rows to the totals. (SQLite's
	// write lock already makes them take turns.)
	if err := lockTx(ctx, tx, lockRollup); err != nil {
		return 0, err
	}
	// The WHERE clause also keeps SQLite from reading ON CONFLICT as a join
	// constraint of the SELECT. The existing row's columns are qualified:
	// PostgreSQL finds a bare name ambiguous beside excluded's.
	if _, err := tx.ExecContext(ctx, `INSERT INTO request_daily (day, channel_id, channel_name, model,
			requests, failed, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd,
			latency_ms_sum, ttft_ms_sum, ttft_count, last_time, key_id, key_name)
		SELECT (time / ?) * ? AS d, channel_id, channel_name,
			CASE WHEN upstream_model <> '' THEN upstream_model ELSE client_model END AS m, `+detailAgg+`, MAX(time),
			key_id, MAX(key_name)
		FROM request_logs WHERE time < ? GROUP BY d, channel_id, channel_name, m, key_id
		ON CONFLICT (day, channel_id, channel_name, model, key_id) DO UPDATE SET
			requests = request_daily.requests + excluded.requests,
			failed = request_daily.failed + excluded.failed,
			input_tokens = request_daily.input_tokens + excluded.input_tokens,
			output_tokens = request_daily.output_tokens + excluded.output_tokens,
			cache_read_tokens = request_daily.cache_read_tokens + excluded.cache_read_tokens,
			cache_write_tokens = request_daily.cache_write_tokens + excluded.cache_write_tokens,
			cost_usd = request_daily.cost_usd + excluded.cost_usd,
			latency_ms_sum = request_daily.latency_ms_sum + excluded.latency_ms_sum,
			ttft_ms_sum = request_daily.ttft_ms_sum + excluded.ttft_ms_sum,
			ttft_count = request_daily.ttft_count + excluded.ttft_count,
			key_name = excluded.key_name,
			last_time = `+s.d.greatest("request_daily.last_time", "excluded.last_time"), dayMS, dayMS, before); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM request_bodies
		WHERE log_id IN (SELECT id FROM request_logs WHERE time < ?)`, before); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM request_logs WHERE time < ?`, before)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// DailyUsage returns the rolled-up totals whose day starts in [from, to)
// (zero ends are open), by day, then channel id, then model.
func (s *Store) DailyUsage(ctx context.Context, from, to time.Time) ([]DailyUsage, error) {
	cond, args := rangeSQL("day", from, to)
	// Totals are kept per key too; this view adds the keys together.
	rows, err := s.db.QueryContext(ctx, `SELECT day, channel_id, channel_name, model, SUM(requests), SUM(failed),
		SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(cost_usd)
		FROM request_daily WHERE `+cond+` GROUP BY day, channel_id, channel_name, model
		ORDER BY day, channel_id, model, channel_name`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read daily usage in %s: %w", s.path, err)
	}
	defer rows.Close()
	out := []DailyUsage{}
	for rows.Next() {
		var d DailyUsage
		var day int64
		if err := rows.Scan(&day, &d.ChannelID, &d.ChannelName, &d.Model, &d.Requests, &d.Failed,
			&d.InputTokens, &d.OutputTokens, &d.CacheReadTokens, &d.CacheWriteTokens, &d.CostUSD); err != nil {
			return nil, fmt.Errorf("store: read daily usage in %s: %w", s.path, err)
		}
		d.Day = time.UnixMilli(day).UTC()
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read daily usage in %s: %w", s.path, err)
	}
	return out, nil
}
