package store

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// dayStart is 00:00 UTC on a fixed day, so day buckets are easy to name.
var dayStart = time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)

// seedStats writes 20 requests a minute apart from dayStart+1h: latencies
// 10, 20 … 200 ms; every 5th fails (status 500, or error text for the 10th
// and 20th); odd ones streamed with TTFT 5 ms; channel 1 serves the first
// 10, channel 2 the next 6, channel 0 the last 4; 100 in, 10 out, 1 cache
// read, 2 cache write tokens and $0.01 each.
func seedStats(t testing.TB, s *Store) {
	t.Helper()
	var logs []RequestLog
	for i := range 20 {
		l := RequestLog{
			Time:      dayStart.Add(time.Hour + time.Duration(i)*time.Minute),
			LatencyMS: int64(10 * (i + 1)), Status: 200, InputTokens: 100, OutputTokens: 10,
			CacheReadTokens: 1, CacheWriteTokens: 2, CostUSD: 0.01, UpstreamModel: "deepseek-chat",
		}
		switch {
		case i < 10:
			l.ChannelID, l.ChannelName = 1, "anthropic"
		case i < 16:
			l.ChannelID, l.ChannelName = 2, "deepseek"
		}
		if i == 15 {
			l.ChannelName = "deepseek-renamed"
		}
		if i%2 == 1 {
			l.TTFTMS = 5
		}
		if (i+1)%5 == 0 {
			if i == 9 || i == 19 {
				l.Status, l.Error = 0, "connect refused"
			} else {
				l.Status = 500
			}
		}
		logs = append(logs, l)
	}
	if err := s.InsertRequestLogs(context.Background(), logs); err != nil {
		t.Fatal(err)
	}
}

func TestStatsSummary(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		seedStats(t, s)
		tests := []struct {
			name     string
			from, to time.Time
			want     StatsSummary
		}{
			{"the whole range", time.Time{}, time.Time{}, StatsSummary{
				Requests: 20, Succeeded: 16, Failed: 4, SuccessRate: 0.8, AvgLatencyMS: 105, P95LatencyMS: 190,
				AvgTTFTMS: 5, InputTokens: 2000, OutputTokens: 200, CacheReadTokens: 20, CacheWriteTokens: 40, CostUSD: 0.2}},
			{"the first ten minutes", dayStart.Add(time.Hour), dayStart.Add(time.Hour + 10*time.Minute), StatsSummary{
				Requests: 10, Succeeded: 8, Failed: 2, SuccessRate: 0.8, AvgLatencyMS: 55, P95LatencyMS: 100,
				AvgTTFTMS: 5, InputTokens: 1000, OutputTokens: 100, CacheReadTokens: 10, CacheWriteTokens: 20, CostUSD: 0.1}},
			{"a range with no requests is all zeros", dayStart, dayStart.Add(time.Hour), StatsSummary{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				got, err := s.StatsSummary(ctx, tt.from, tt.to)
				if err != nil {
					t.Fatal(err)
				}
				if !summaryClose(got, tt.want) {
					t.Errorf("StatsSummary =\n%+v\nwant\n%+v", got, tt.want)
				}
			})
		}
	})
}

// summaryClose compares summaries allowing float rounding in sums of cost.
func summaryClose(a, b StatsSummary) bool {
	if math.Abs(a.CostUSD-b.CostUSD) > 1e-9 {
		return false
	}
	a.CostUSD, b.CostUSD = 0, 0
	return a == b
}

func TestStatsTimelineIsContiguousWithZeros(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		seedStats(t, s)
		// 00:30 to 01:25 by 10 minutes: buckets start at 00:30 … 01:20; the
		// requests (01:00 … 01:19) fill the 01:00 and 01:10 buckets.
		from := dayStart.Add(30 * time.Minute)
		got, err := s.StatsTimeline(ctx, from, dayStart.Add(85*time.Minute), 10*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 6 {
			t.Fatalf("%d buckets, want 6", len(got))
		}
		for i, b := range got {
			if want := from.Add(time.Duration(i) * 10 * time.Minute); !b.Start.Equal(want) {
				t.Errorf("bucket %d starts %v, want %v", i, b.Start, want)
			}
			wantReq := int64(0)
			if i == 3 || i == 4 {
				wantReq = 10
			}
			if b.Requests != wantReq {
				t.Errorf("bucket %d has %d requests, want %d", i, b.Requests, wantReq)
			}
		}
		if b := got[3]; b.Failed != 2 || b.AvgLatencyMS != 55 || b.AvgTTFTMS != 5 || b.InputTokens != 1000 || b.OutputTokens != 100 {
			t.Errorf("01:00 bucket = %+v", b)
		}
		if b := got[0]; b != (TimelineBucket{Start: from}) {
			t.Errorf("empty bucket = %+v, want zeros", b)
		}

		hours, err := s.StatsTimeline(ctx, dayStart.Add(17*time.Minute), dayStart.Add(3*time.Hour), time.Hour)
		if err != nil || len(hours) != 3 || !hours[0].Start.Equal(dayStart) || hours[1].Requests != 20 {
			t.Errorf("hour buckets from an unaligned start = %+v, %v; want 3 from 00:00 with 20 in the second", hours, err)
		}
		local := time.FixedZone("UTC+8", 8*3600)
		days, err := s.StatsTimeline(ctx, dayStart.In(local).Add(-3*time.Hour), dayStart.Add(24*time.Hour), 24*time.Hour)
		if err != nil || len(days) != 2 || days[0].Start.Hour() != 0 || days[0].Start.Location() != local || days[0].Requests != 20 {
			t.Errorf("day buckets = %+v, %v; want 2 starting at local midnight", days, err)
		}
	})
}

func TestStatsTimelineRefusesBadRanges(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		s := db.open(t)
		tests := []struct {
			name     string
			from, to time.Time
			bucket   time.Duration
		}{
			{"no start", time.Time{}, dayStart, time.Hour},
			{"an end before the start", dayStart, dayStart.Add(-time.Hour), time.Hour},
			{"an empty range", dayStart, dayStart, time.Hour},
			{"a zero bucket", dayStart, dayStart.Add(time.Hour), 0},
			{"more than 2000 buckets", dayStart, dayStart.Add(2001 * time.Minute), time.Minute},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				if _, err := s.StatsTimeline(context.Background(), tt.from, tt.to, tt.bucket); !errors.Is(err, ErrInvalidFilter) {
					t.Errorf("err = %v, want ErrInvalidFilter", err)
				}
			})
		}
		if got, err := s.StatsTimeline(context.Background(), dayStart, dayStart.Add(2000*time.Minute), time.Minute); err != nil || len(got) != 2000 {
			t.Errorf("exactly 2000 buckets: %d, %v", len(got), err)
		}
	})
}

func TestStatsChannels(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		seedStats(t, s)
		got, err := s.StatsChannels(ctx, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			id       int64
			name     string
			requests int64
			failed   int64
		}{{1, "anthropic", 10, 2}, {2, "deepseek-renamed", 6, 1}, {0, "", 4, 1}}
		if len(got) != len(want) {
			t.Fatalf("got %d channels, want %d: %+v", len(got), len(want), got)
		}
		var share float64
		for i, w := range want {
			c := got[i]
			share += c.Share
			if c.ID != w.id || c.Name != w.name || c.Requests != w.requests || c.Failed != w.failed {
				t.Errorf("channel %d = %+v, want %+v", i, c, w)
			}
			if c.SuccessRate != float64(w.requests-w.failed)/float64(w.requests) {
				t.Errorf("channel %d success rate %v", i, c.SuccessRate)
			}
		}
		if math.Abs(share-1) > 1e-12 {
			t.Errorf("shares add up to %v, want 1", share)
		}
		if c := got[0]; c.AvgLatencyMS != 55 || c.AvgTTFTMS != 5 || math.Abs(c.CostUSD-0.1) > 1e-9 || c.InputTokens != 1000 || c.OutputTokens != 100 {
			t.Errorf("channel 1 = %+v", c)
		}
		empty, err := s.StatsChannels(ctx, dayStart, dayStart.Add(time.Hour))
		if err != nil || len(empty) != 0 {
			t.Errorf("empty range: %+v, %v", empty, err)
		}
	})
}

// BenchmarkStatsSummary runs the summary over 100k detail rows, the size of
// a month of heavy use.
func BenchmarkStatsSummary(b *testing.B) {
	s, err := Open(b.TempDir() + "/routex.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	batch := make([]RequestLog, 0, 1000)
	for i := range 100_000 {
		batch = append(batch, benchLog(i))
		if len(batch) == cap(batch) {
			if err := s.InsertRequestLogs(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	from, to := queryBase.Add(-time.Hour), queryBase.Add(100_000*time.Second+time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sum, err := s.StatsSummary(ctx, from, to)
		if err != nil || sum.Requests != 100_000 {
			b.Fatalf("summary %+v, %v", sum, err)
		}
	}
}
