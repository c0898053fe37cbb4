package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// ChannelLatency is one channel's recent service as the channel list shows
// it at a glance: how many requests it answered and how fast the first
// token came (the median, over requests with a first-token time).
type ChannelLatency struct {
	ChannelID   int64
	Requests    int64
	Failed      int64
	SuccessRate float64 // (Requests-Failed)/Requests; 0 without requests
	P50TTFTMS   float64 // 0 without a request that had a first token
}

// ChannelLatencies returns the latency of every channel with requests in
// [from, to) (zero ends open), from the request log's detail rows. A
// request that failed over counts for the channel that answered (or last
// failed), as the log records it.
func (s *Store) ChannelLatencies(ctx context.Context, from, to time.Time) (map[int64]ChannelLatency, error) {
	cond, args := rangeSQL("time", from, to)
	out := map[int64]ChannelLatency{}
	rows, err := s.db.QueryContext(ctx, `SELECT channel_id, COUNT(*),
		COALESCE(SUM(CASE WHEN `+failedSQL+` THEN 1 ELSE 0 END), 0)
		FROM request_logs WHERE `+cond+` AND channel_id <> 0 GROUP BY channel_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: channel latencies in %s: %w", s.path, err)
	}
	for rows.Next() {
		var l ChannelLatency
		if err := rows.Scan(&l.ChannelID, &l.Requests, &l.Failed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: channel latencies in %s: %w", s.path, err)
		}
		l.SuccessRate = ratio(l.Requests-l.Failed, l.Requests)
		out[l.ChannelID] = l
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: channel latencies in %s: %w", s.path, err)
	}
	medians, err := s.medianTTFT(ctx, cond, args)
	if err != nil {
		return nil, fmt.Errorf("store: channel latencies in %s: %w", s.path, err)
	}
	for id, m := range medians {
		if l, ok := out[id]; ok {
			l.P50TTFTMS = m
			out[id] = l
		}
	}
	return out, nil
}

// medianTTFT is the nearest-rank median first-token time per channel, over
// successful requests that had one: PostgreSQL computes it with
// percentile_disc, SQLite's rows are sorted here (as p95Latency does).
func (s *Store) medianTTFT(ctx context.Context, cond string, args []any) (map[int64]float64, error) {
	where := cond + ` AND channel_id <> 0 AND ttft_ms > 0 AND NOT ` + failedSQL
	out := map[int64]float64{}
	if s.d.pg {
		rows, err := s.db.QueryContext(ctx, `SELECT channel_id, percentile_disc(0.5) WITHIN GROUP (ORDER BY ttft_ms)
			FROM request_logs WHERE `+where+` GROUP BY channel_id`, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var m float64
			if err := rows.Scan(&id, &m); err != nil {
				return nil, err
			}
			out[id] = m
		}
		return out, rows.Err()
	}
	rows, err := s.db.QueryContext(ctx, `SELECT channel_id, ttft_ms FROM request_logs WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	by := map[int64][]int64{}
	for rows.Next() {
		var id, v int64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		by[id] = append(by[id], v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for id, vs := range by {
		slices.Sort(vs)
		out[id] = float64(vs[int(math.Ceil(0.5*float64(len(vs))))-1])
	}
	return out, nil
}
