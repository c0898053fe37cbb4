package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/store"
)

// StatsStore is what the stats endpoints need; *store.Store implements it.
type StatsStore interface {
	StatsSummary(ctx context.Context, from, to time.Time, scope ...store.StatsScope) (store.StatsSummary, error)
	StatsTimeline(ctx context.Context, from, to time.Time, bucket time.Duration, scope ...store.StatsScope) ([]store.TimelineBucket, error)
	StatsChannels(ctx context.Context, from, to time.Time, scope ...store.StatsScope) ([]store.GroupStats, error)
	StatsKeys(ctx context.Context, from, to time.Time) ([]store.GroupStats, error)
}

// DefaultStatsRange is the range of a stats request that names none.
const DefaultStatsRange = 24 * time.Hour

// summaryView is StatsSummary as JSON.
type summaryView struct {
	From             time.Time `json:"from"`
	To               time.Time `json:"to"`
	Requests         int64     `json:"requests"`
	Succeeded        int64     `json:"succeeded"`
	Failed           int64     `json:"failed"`
	SuccessRate      float64   `json:"success_rate"`
	AvgLatencyMS     float64   `json:"avg_latency_ms"`
	P95LatencyMS     float64   `json:"p95_latency_ms"`
	AvgTTFTMS        float64   `json:"avg_ttft_ms"`
	InputTokens      int64     `json:"input_tokens"`
	OutputTokens     int64     `json:"output_tokens"`
	CacheReadTokens  int64     `json:"cache_read_tokens"`
	CacheWriteTokens int64     `json:"cache_write_tokens"`
	CostUSD          float64   `json:"cost_usd"`
}

func newSummaryView(from, to time.Time, s store.StatsSummary) summaryView {
	return summaryView{From: from.UTC(), To: to.UTC(), Requests: s.Requests, Succeeded: s.Succeeded, Failed: s.Failed,
		SuccessRate: s.SuccessRate, AvgLatencyMS: s.AvgLatencyMS, P95LatencyMS: s.P95LatencyMS, AvgTTFTMS: s.AvgTTFTMS,
		InputTokens: s.InputTokens, OutputTokens: s.OutputTokens, CacheReadTokens: s.CacheReadTokens,
		CacheWriteTokens: s.CacheWriteTokens, CostUSD: s.CostUSD}
}

// statsRange reads ?range=24h|7d|30d (any count of m, h or d) or
// ?from&to; from/to win over range, a missing to is now, and no range at
// all is DefaultStatsRange up to now.
func (s *Server) statsRange(q map[string][]string) (from, to time.Time, err error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	ve := ValidationError{}
	from, to = parseTime(ve, "from", get("from")), parseTime(ve, "to", get("to"))
	if len(ve) > 0 {
		return from, to, ve
	}
	if to.IsZero() {
		to = s.obs.now()
	}
	if from.IsZero() {
		span := DefaultStatsRange
		if r := get("range"); r != "" {
			if span, err = parseSpan(r); err != nil {
				ve.add("range", "invalid_range", "range must be a count of minutes, hours or days such as 24h, 7d or 30d, not %q", r)
				return from, to, ve
			}
		}
		from = to.Add(-span)
	}
	if !to.After(from) {
		ve.add("from", "invalid_range", "from (%s) must be before to (%s)", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
		return from, to, ve
	}
	return from, to, nil
}

func parseSpan(v string) (time.Duration, error) {
	if len(v) < 2 {
		return 0, strconv.ErrSyntax
	}
	n, err := strconv.Atoi(v[:len(v)-1])
	if err != nil || n <= 0 || n > 3660 {
		return 0, strconv.ErrSyntax
	}
	switch v[len(v)-1] {
	case 'm':
		return time.Duration(n) * time.Minute, nil
	case 'h':
		return time.Duration(n) * time.Hour, nil
	case 'd':
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return 0, strconv.ErrSyntax
}

// statsSummary answers GET /api/stats/summary with the range's numbers and
// "previous", the same-length range just before it, for change arrows.
func (s *Server) statsSummary(w http.ResponseWriter, r *http.Request) {
	from, to, scope, ok := s.statsRequest(w, r)
	if !ok {
		return
	}
	cur, err := s.store.StatsSummary(r.Context(), from, to, scope)
	if err != nil {
		s.failObserve(w, r, err, "")
		return
	}
	pfrom := from.Add(-to.Sub(from))
	prev, err := s.store.StatsSummary(r.Context(), pfrom, from, scope)
	if err != nil {
		s.failObserve(w, r, err, "")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		summaryView
		Previous summaryView `json:"previous"`
	}{newSummaryView(from, to, cur), newSummaryView(pfrom, from, prev)})
}

// bucketView is one TimelineBucket as JSON.
type bucketView struct {
	Start        time.Time `json:"start"`
	Requests     int64     `json:"requests"`
	Failed       int64     `json:"failed"`
	InputTokens  int64     `json:"input_tokens"`
	OutputTokens int64     `json:"output_tokens"`
	CostUSD      float64   `json:"cost_usd"`
	AvgLatencyMS float64   `json:"avg_latency_ms"`
	AvgTTFTMS    float64   `json:"avg_ttft_ms"`
}

// autoBucket picks a bucket that gives a readable chart: minutes up to 3
// hours, hours up to 8 days, days beyond.
func autoBucket(span time.Duration) string {
	switch {
	case span <= 3*time.Hour:
		return "minute"
	case span <= 8*24*time.Hour:
		return "hour"
	}
	return "day"
}

func bucketSize(name string) (time.Duration, bool) {
	switch name {
	case "minute":
		return time.Minute, true
	case "hour":
		return time.Hour, true
	case "day":
		return 24 * time.Hour, true
	}
	return 0, false
}

// statsTimeline answers GET /api/stats/timeline?range|from&to&bucket=minute|hour|day
// with contiguous buckets, empty ones included.
func (s *Server) statsTimeline(w http.ResponseWriter, r *http.Request) {
	from, to, scope, ok := s.statsRequest(w, r)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.URL.Query().Get("bucket"))
	if name == "" {
		name = autoBucket(to.Sub(from))
	}
	size, ok := bucketSize(name)
	if !ok {
		s.fail(w, r, ValidationError{"bucket": {Code: "invalid_bucket",
			Message: "bucket must be minute, hour or day, not " + strconv.Quote(name)}})
		return
	}
	buckets, err := s.store.StatsTimeline(r.Context(), from, to, size, scope)
	if err != nil {
		s.failObserve(w, r, err, "")
		return
	}
	views := make([]bucketView, len(buckets))
	for i, b := range buckets {
		views[i] = bucketView{Start: b.Start.UTC(), Requests: b.Requests, Failed: b.Failed, InputTokens: b.InputTokens,
			OutputTokens: b.OutputTokens, CostUSD: b.CostUSD, AvgLatencyMS: b.AvgLatencyMS, AvgTTFTMS: b.AvgTTFTMS}
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from.UTC(), "to": to.UTC(), "bucket": name, "buckets": views})
}

// groupStatsView is what the stats of one channel and of one key share:
// their part of the requests, tokens and cost.
type groupStatsView struct {
	Requests     int64   `json:"requests"`
	Failed       int64   `json:"failed"`
	Share        float64 `json:"share"`
	SuccessRate  float64 `json:"success_rate"`
	AvgLatencyMS float64 `json:"avg_latency_ms"`
	AvgTTFTMS    float64 `json:"avg_ttft_ms"`
	CostUSD      float64 `json:"cost_usd"`
	InputTokens  int64   `json:"input_tokens"`
	OutputTokens int64   `json:"output_tokens"`
}

// groupView is the part of g that the views of a channel and of a key share.
func groupView(g store.GroupStats) groupStatsView {
	return groupStatsView{Requests: g.Requests, Failed: g.Failed, Share: g.Share, SuccessRate: g.SuccessRate,
		AvgLatencyMS: g.AvgLatencyMS, AvgTTFTMS: g.AvgTTFTMS, CostUSD: g.CostUSD, InputTokens: g.InputTokens,
		OutputTokens: g.OutputTokens}
}

// channelStatsView is one channel's store.GroupStats as JSON, with the channel's live
// health when the engine provides it.
type channelStatsView struct {
	ChannelID int64  `json:"channel_id"`
	Channel   string `json:"channel"`
	groupStatsView
	Health *wire.ChannelHealth `json:"health,omitempty"`
}

// statsChannels answers GET /api/stats/channels?range|from&to with each
// channel's share of requests and its health.
func (s *Server) statsChannels(w http.ResponseWriter, r *http.Request) {
	from, to, scope, ok := s.statsRequest(w, r)
	if !ok {
		return
	}
	chans, err := s.store.StatsChannels(r.Context(), from, to, scope)
	if err != nil {
		s.failObserve(w, r, err, "")
		return
	}
	views := make([]channelStatsView, len(chans))
	for i, c := range chans {
		views[i] = channelStatsView{ChannelID: c.ID, Channel: c.Name, groupStatsView: groupView(c)}
		if s.health != nil && c.ID != 0 {
			h := s.health(c.ID)
			views[i].Health = &h
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from.UTC(), "to": to.UTC(), "channels": views})
}

// statsRequest is what every stats handler starts with: the range the
// query asks for and its scope (?key_id= for one key per person), or an
// error answer already written.
func (s *Server) statsRequest(w http.ResponseWriter, r *http.Request) (time.Time, time.Time, store.StatsScope, bool) {
	from, to, err := s.statsRange(r.URL.Query())
	ve := ValidationError{}
	scope := store.StatsScope{KeyID: parseInt(ve, "key_id", r.URL.Query().Get("key_id"))}
	if err == nil && len(ve) > 0 {
		err = ve
	}
	if err != nil {
		s.fail(w, r, err)
		return time.Time{}, time.Time{}, store.StatsScope{}, false
	}
	return from, to, scope, true
}

// keyStatsView is one key's store.GroupStats as JSON; key_id 0 is the
// access key.
type keyStatsView struct {
	KeyID int64  `json:"key_id"`
	Key   string `json:"key"`
	groupStatsView
}

// statsKeys answers GET /api/stats/keys?range|from&to with each key's
// share of requests, tokens and cost.
func (s *Server) statsKeys(w http.ResponseWriter, r *http.Request) {
	from, to, _, ok := s.statsRequest(w, r)
	if !ok {
		return
	}
	all, err := s.store.StatsKeys(r.Context(), from, to)
	if err != nil {
		s.failObserve(w, r, err, "")
		return
	}
	views := make([]keyStatsView, len(all))
	for i, k := range all {
		views[i] = keyStatsView{KeyID: k.ID, Key: k.Name, groupStatsView: groupView(k)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from.UTC(), "to": to.UTC(), "keys": views})
}
