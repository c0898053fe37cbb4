package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// MaxTimelineBuckets caps StatsTimeline so a range of years by the minute
// cannot build a million-element answer.
const MaxTimelineBuckets = 2000

// StatsSummary is the headline numbers of a time range. Counts, tokens, cost
// and averages include rows already rolled up into daily totals; the p95
// latency is computed from the detail rows only, since daily totals keep no
// distribution.
type StatsSummary struct {
	Requests, Succeeded, Failed int64
	SuccessRate                 float64 // Succeeded / Requests; 0 with no requests
	AvgLatencyMS, P95LatencyMS  float64 // over all requests, failed ones included
	AvgTTFTMS                   float64 // over requests with a first token time (streams)

	InputTokens, OutputTokens, CacheReadTokens, CacheWriteTokens int64
	CostUSD                                                      float64
}

// TimelineBucket is one slice of StatsTimeline, starting at Start and as
// long as the bucket asked for.
type TimelineBucket struct {
	Start                                       time.Time
	Requests, Failed, InputTokens, OutputTokens int64
	CostUSD, AvgLatencyMS, AvgTTFTMS            float64
}

// GroupStats is one group's share and health over a range: a channel's
// (StatsChannels) or a key's (StatsKeys), one type because both are the
// same totals grouped by another column. ID 0 gathers the requests without
// one: those that never reached a channel (no route, all failed before one
// was picked), or those made with the access key. Name is the most recent
// name logged for the id.
type GroupStats struct {
	ID                                          int64
	Name                                        string
	Requests, Failed                            int64
	Share, SuccessRate, AvgLatencyMS, AvgTTFTMS float64
	CostUSD                                     float64
	InputTokens, OutputTokens                   int64
}

// totals is the sum of a group of rows, detail or daily alike.
type totals struct {
	requests, failed                  int64
	in, out, cacheRead, cacheWrite    int64
	cost                              float64
	latencySum, ttftSum, ttftRequests int64
}

// detailAgg and dailyAgg select the same totals columns, in totals.dest
// order, from request_logs and request_daily.
const (
	detailAgg = `COUNT(*), COALESCE(SUM(CASE WHEN ` + failedSQL + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
		COALESCE(SUM(cache_read_tokens), 0), COALESCE(SUM(cache_write_tokens), 0), COALESCE(SUM(cost_usd), 0.0),
		COALESCE(SUM(latency_ms), 0), COALESCE(SUM(CASE WHEN ttft_ms > 0 THEN ttft_ms ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ttft_ms > 0 THEN 1 ELSE 0 END), 0)`
	dailyAgg = `COALESCE(SUM(requests), 0), COALESCE(SUM(failed), 0),
		COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
		COALESCE(SUM(cache_read_tokens), 0), COALESCE(SUM(cache_write_tokens), 0), COALESCE(SUM(cost_usd), 0.0),
		COALESCE(SUM(latency_ms_sum), 0), COALESCE(SUM(ttft_ms_sum), 0), COALESCE(SUM(ttft_count), 0)`
)

func (t *totals) dest() []any {
	return []any{&t.requests, &t.failed, &t.in, &t.out, &t.cacheRead, &t.cacheWrite, &t.cost,
		&t.latencySum, &t.ttftSum, &t.ttftRequests}
}

func (t *totals) add(o totals) {
	t.requests += o.requests
	t.failed += o.failed
	t.in += o.in
	t.out += o.out
	t.cacheRead += o.cacheRead
	t.cacheWrite += o.cacheWrite
	t.cost += o.cost
	t.latencySum += o.latencySum
	t.ttftSum += o.ttftSum
	t.ttftRequests += o.ttftRequests
}

func (t totals) avgLatency() float64 { return ratio(t.latencySum, t.requests) }
func (t totals) avgTTFT() float64    { return ratio(t.ttftSum, t.ttftRequests) }
func (t totals) successRate() float64 {
	return ratio(t.requests-t.failed, t.requests)
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// StatsScope narrows statistics to part of the traffic; the zero value
// (or none given) is all of it. Rolled-up daily totals keep the key, so a
// scope applies to them too.
type StatsScope struct {
	// KeyID selects one key per person's requests; 0 = every request.
	KeyID int64
}

// scopeOf is the one scope a stats method was given, or the zero scope.
func scopeOf(scope []StatsScope) StatsScope {
	if len(scope) > 0 {
		return scope[0]
	}
	return StatsScope{}
}

// rangeSQL is the condition on column for [from, to), zero ends open,
// within scope.
func rangeSQL(column string, from, to time.Time, scope ...StatsScope) (string, []any) {
	cond, args := "1 = 1", []any(nil)
	if sc := scopeOf(scope); sc.KeyID != 0 {
		cond += " AND key_id = ?"
		args = append(args, sc.KeyID)
	}
	if !from.IsZero() {
		cond += " AND " + column + " >= ?"
		args = append(args, from.UnixMilli())
	}
	if !to.IsZero() {
		cond += " AND " + column + " < ?"
		args = append(args, to.UnixMilli())
	}
	return cond, args
}

// StatsSummary totals the requests in [from, to) (zero ends are open):
// detail rows plus daily totals whose day starts in the range. An optional
// scope narrows it (one key's requests).
func (s *Store) StatsSummary(ctx context.Context, from, to time.Time, scope ...StatsScope) (StatsSummary, error) {
	sum, err := s.statsSummary(ctx, from, to, scopeOf(scope))
	if err != nil {
		return StatsSummary{}, fmt.Errorf("store: stats summary in %s: %w", s.path, err)
	}
	return sum, nil
}

func (s *Store) statsSummary(ctx context.Context, from, to time.Time, scope StatsScope) (StatsSummary, error) {
	dCond, dArgs := rangeSQL("time", from, to, scope)
	var detail, daily totals
	if err := s.db.QueryRowContext(ctx, `SELECT `+detailAgg+` FROM request_logs WHERE `+dCond,
		dArgs...).Scan(detail.dest()...); err != nil {
		return StatsSummary{}, err
	}
	yCond, yArgs := rangeSQL("day", from, to, scope)
	if err := s.db.QueryRowContext(ctx, `SELECT `+dailyAgg+` FROM request_daily WHERE `+yCond,
		yArgs...).Scan(daily.dest()...); err != nil {
		return StatsSummary{}, err
	}
	p95, err := s.p95Latency(ctx, dCond, dArgs, detail.requests)
	if err != nil {
		return StatsSummary{}, err
	}
	all := detail
	all.add(daily)
	return StatsSummary{
		Requests: all.requests, Succeeded: all.requests - all.failed, Failed: all.failed,
		SuccessRate: all.successRate(), AvgLatencyMS: all.avgLatency(), P95LatencyMS: p95,
		AvgTTFTMS: all.avgTTFT(), InputTokens: all.in, OutputTokens: all.out,
		CacheReadTokens: all.cacheRead, CacheWriteTokens: all.cacheWrite, CostUSD: all.cost,
	}, nil
}

// p95Latency is the nearest-rank 95th percentile of the detail rows
// latencies: the smallest latency with at least 95% of the requests at or
// below it. The latencies are read from the (time, latency_ms) index and
// sorted here, which is several times faster than SQLite's ORDER BY …
// OFFSET sorting through a temporary b-tree. PostgreSQL computes the same
// rank itself with percentile_disc (the first value whose rank reaches 95%),
// which spares sending every latency over the network.
func (s *Store) p95Latency(ctx context.Context, cond string, args []any, count int64) (float64, error) {
	if count == 0 {
		return 0, nil
	}
	if s.d.pg {
		var p95 float64
		err := s.db.QueryRowContext(ctx, `SELECT COALESCE(percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms), 0)
			FROM request_logs WHERE `+cond, args...).Scan(&p95)
		return p95, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT latency_ms FROM request_logs WHERE `+cond, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	lat := make([]int64, 0, count)
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return 0, err
		}
		lat = append(lat, v)
	}
	if err := rows.Err(); err != nil || len(lat) == 0 {
		return 0, err
	}
	slices.Sort(lat)
	rank := int(math.Ceil(0.95*float64(len(lat)))) - 1
	return float64(lat[rank]), nil
}

// StatsTimeline splits [from, to) into contiguous buckets of the given
// length, empty ones included as zeros, for charts. Buckets shorter than a
// day start on a multiple of the bucket (whole minutes, whole hours); day
// buckets start at midnight in from's location. A zero to means now; from
// is required. More than MaxTimelineBuckets buckets is ErrInvalidFilter.
// Rolled-up daily totals fall into the bucket holding their UTC midnight.
// An optional scope narrows it (one key's requests).
func (s *Store) StatsTimeline(ctx context.Context, from, to time.Time, bucket time.Duration, scope ...StatsScope) ([]TimelineBucket, error) {
	if to.IsZero() {
		to = time.Now()
	}
	start, n, err := timelineShape(from, to, bucket)
	if err != nil {
		return nil, fmt.Errorf("store: stats timeline in %s: %w", s.path, err)
	}
	sums := make([]totals, n)
	startMS, width := start.UnixMilli(), bucket.Milliseconds()
	dCond, dArgs := rangeSQL("time", from, to, scope...)
	yCond, yArgs := rangeSQL("day", from, to, scope...)
	args := append(append([]any{startMS, width}, dArgs...), append([]any{startMS, width}, yArgs...)...)
	rows, err := s.db.QueryContext(ctx, `SELECT (time - ?) / ? AS b, `+detailAgg+`
		FROM request_logs WHERE `+dCond+` GROUP BY b
		UNION ALL SELECT (day - ?) / ? AS b, `+dailyAgg+` FROM request_daily WHERE `+yCond+` GROUP BY b`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: stats timeline in %s: %w", s.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var t totals
		if err := rows.Scan(append([]any{&i}, t.dest()...)...); err != nil {
			return nil, fmt.Errorf("store: stats timeline in %s: %w", s.path, err)
		}
		if i >= 0 && i < int64(n) {
			sums[i].add(t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: stats timeline in %s: %w", s.path, err)
	}
	out := make([]TimelineBucket, n)
	for i, t := range sums {
		out[i] = TimelineBucket{
			Start: start.Add(time.Duration(i) * bucket), Requests: t.requests, Failed: t.failed,
			InputTokens: t.in, OutputTokens: t.out, CostUSD: t.cost,
			AvgLatencyMS: t.avgLatency(), AvgTTFTMS: t.avgTTFT(),
		}
	}
	return out, nil
}

// timelineShape returns where the first bucket starts and how many buckets
// cover [from, to).
func timelineShape(from, to time.Time, bucket time.Duration) (time.Time, int, error) {
	switch {
	case from.IsZero():
		return time.Time{}, 0, fmt.Errorf("%w: a timeline needs a start time", ErrInvalidFilter)
	case bucket < time.Millisecond:
		return time.Time{}, 0, fmt.Errorf("%w: bucket %v is too small", ErrInvalidFilter, bucket)
	case !to.After(from):
		return time.Time{}, 0, fmt.Errorf("%w: range end %v is not after its start %v", ErrInvalidFilter, to, from)
	}
	start := from.Truncate(bucket)
	if bucket >= 24*time.Hour {
		y, m, d := from.Date()
		start = time.Date(y, m, d, 0, 0, 0, 0, from.Location())
	}
	span := to.Sub(start)
	n := span / bucket
	if span%bucket != 0 {
		n++
	}
	if n > MaxTimelineBuckets {
		return time.Time{}, 0, fmt.Errorf("%w: %v by %v is %d buckets; at most %d",
			ErrInvalidFilter, to.Sub(from), bucket, n, MaxTimelineBuckets)
	}
	return start, int(n), nil
}

// StatsChannels returns per-channel totals over [from, to) (zero ends are
// open), most requests first. Shares add up to 1 when there are requests.
// An optional scope narrows it (one key's requests).
func (s *Store) StatsChannels(ctx context.Context, from, to time.Time, scope ...StatsScope) ([]GroupStats, error) {
	return s.statsByID(ctx, "channels", "channel_id", "channel_name", from, to, scope...)
}

// statsByID returns totals over [from, to) (zero ends are open) grouped by
// the column idCol, named from nameCol, daily totals of rolled-up rows
// included, most requests first (then lowest id). Shares add up to 1 when
// there are requests. what names the table in errors.
func (s *Store) statsByID(ctx context.Context, what, idCol, nameCol string, from, to time.Time, scope ...StatsScope) ([]GroupStats, error) {
	dCond, dArgs := rangeSQL("time", from, to, scope...)
	yCond, yArgs := rangeSQL("day", from, to, scope...)
	// The name is the newest one logged for the id (see dialect.newest).
	// Detail rows (kind 0) are newer than daily ones (kind 1).
	rows, err := s.db.QueryContext(ctx, `SELECT 0, `+idCol+`, `+s.d.newest(nameCol, "id")+`, MAX(id), `+detailAgg+`
		FROM request_logs WHERE `+dCond+` GROUP BY `+idCol+`
		UNION ALL SELECT 1, `+idCol+`, `+s.d.newest(nameCol, "last_time")+`, MAX(last_time), `+dailyAgg+`
		FROM request_daily WHERE `+yCond+` GROUP BY `+idCol, append(dArgs, yArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: stats %s in %s: %w", what, s.path, err)
	}
	byID, names, err := scanTotalsByID(rows)
	if err != nil {
		return nil, fmt.Errorf("store: stats %s in %s: %w", what, s.path, err)
	}
	var all int64
	for _, t := range byID {
		all += t.requests
	}
	out := make([]GroupStats, 0, len(byID))
	for id, t := range byID {
		out = append(out, GroupStats{
			ID: id, Name: names[id], Requests: t.requests, Failed: t.failed,
			Share: ratio(t.requests, all), SuccessRate: t.successRate(), AvgLatencyMS: t.avgLatency(),
			AvgTTFTMS: t.avgTTFT(), CostUSD: t.cost, InputTokens: t.in, OutputTokens: t.out,
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Requests != out[j].Requests {
			return out[i].Requests > out[j].Requests
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// scanTotalsByID merges detail and daily rows by id (of a channel or a
// key); the name of a detail row wins over a daily one.
func scanTotalsByID(rows *sql.Rows) (map[int64]totals, map[int64]string, error) {
	defer rows.Close()
	byID, names := map[int64]totals{}, map[int64]string{}
	nameKind := map[int64]int{}
	for rows.Next() {
		var kind int
		var id, newest int64
		var name string
		var t totals
		if err := rows.Scan(append([]any{&kind, &id, &name, &newest}, t.dest()...)...); err != nil {
			return nil, nil, err
		}
		sum := byID[id]
		sum.add(t)
		byID[id] = sum
		if k, seen := nameKind[id]; !seen || kind < k {
			names[id], nameKind[id] = name, kind
		}
	}
	return byID, names, rows.Err()
}
