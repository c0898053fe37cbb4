package store

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

func TestRollUpMovesOldRowsIntoDailyTotals(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		seedStats(t, s) // 20 rows on dayStart, 01:00 … 01:19
		// Two more on the next day, one with a captured body.
		next := []RequestLog{
			{Time: dayStart.Add(26 * time.Hour), ChannelID: 1, ChannelName: "anthropic", UpstreamModel: "deepseek-chat",
				Status: 200, LatencyMS: 300, InputTokens: 7, CostUSD: 0.5, RequestBody: "{}", ResponseBody: "{}"},
			{Time: dayStart.Add(27 * time.Hour), ChannelID: 1, ChannelName: "anthropic", ClientModel: "gpt-5",
				Status: 404, LatencyMS: 1, Error: "no such model"},
		}
		if err := s.InsertRequestLogs(ctx, next); err != nil {
			t.Fatal(err)
		}
		before, err := s.StatsSummary(ctx, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		beforeCh, err := s.StatsChannels(ctx, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}

		// Roll up the first 12 rows of day one, then the rest of it.
		n, err := s.RollUp(ctx, dayStart.Add(time.Hour+12*time.Minute))
		if err != nil || n != 12 {
			t.Fatalf("first roll-up: %d rows, %v; want 12", n, err)
		}
		n, err = s.RollUp(ctx, dayStart.Add(26*time.Hour+time.Second))
		if err != nil || n != 9 {
			t.Fatalf("second roll-up: %d rows, %v; want 9", n, err)
		}
		if n, err := s.RollUp(ctx, dayStart.Add(26*time.Hour+time.Second)); err != nil || n != 0 {
			t.Errorf("repeated roll-up: %d rows, %v; want 0", n, err)
		}

		left, _, err := s.ListRequestLogs(ctx, LogFilter{})
		if err != nil || len(left) != 1 || left[0].ClientModel != "gpt-5" {
			t.Fatalf("detail rows left = %+v, %v; want only the 27:00 one", left, err)
		}
		var bodies int
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM request_bodies").Scan(&bodies); err != nil || bodies != 0 {
			t.Errorf("%d captured bodies left, %v; want 0", bodies, err)
		}

		daily, err := s.DailyUsage(ctx, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		type key struct {
			day   time.Time
			ch    int64
			name  string
			model string
		}
		want := map[key][2]int64{ // requests, failed
			{dayStart, 0, "", "deepseek-chat"}:                              {4, 1},
			{dayStart, 1, "anthropic", "deepseek-chat"}:                     {10, 2},
			{dayStart, 2, "deepseek", "deepseek-chat"}:                      {5, 1},
			{dayStart, 2, "deepseek-renamed", "deepseek-chat"}:              {1, 0},
			{dayStart.Add(24 * time.Hour), 1, "anthropic", "deepseek-chat"}: {1, 0},
		}
		if len(daily) != len(want) {
			t.Fatalf("daily rows = %+v, want %d", daily, len(want))
		}
		for _, d := range daily {
			w, ok := want[key{d.Day, d.ChannelID, d.ChannelName, d.Model}]
			if !ok || d.Requests != w[0] || d.Failed != w[1] || d.Day.Location() != time.UTC {
				t.Errorf("daily row %+v, want requests/failed %v", d, w)
			}
		}
		if d := daily[len(daily)-1]; d.InputTokens != 7 || d.CostUSD != 0.5 {
			t.Errorf("second day = %+v", d)
		}

		after, err := s.StatsSummary(ctx, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if after.P95LatencyMS != 1 {
			t.Errorf("p95 after roll-up = %v; want 1, from the one detail row left", after.P95LatencyMS)
		}
		before.P95LatencyMS, after.P95LatencyMS = 0, 0
		if !summaryClose(before, after) {
			t.Errorf("summary changed by the roll-up:\nbefore %+v\nafter  %+v", before, after)
		}
		afterCh, err := s.StatsChannels(ctx, time.Time{}, time.Time{})
		if err != nil || len(afterCh) != len(beforeCh) {
			t.Fatalf("channels after = %+v, %v", afterCh, err)
		}
		for i := range beforeCh {
			b, a := beforeCh[i], afterCh[i]
			if math.Abs(b.CostUSD-a.CostUSD) > 1e-9 {
				t.Errorf("channel %d cost %v → %v", b.ID, b.CostUSD, a.CostUSD)
			}
			b.CostUSD, a.CostUSD = 0, 0
			if b != a {
				t.Errorf("channel changed by the roll-up:\nbefore %+v\nafter  %+v", b, a)
			}
		}

		days, err := s.StatsTimeline(ctx, dayStart, dayStart.Add(48*time.Hour), 24*time.Hour)
		if err != nil || len(days) != 2 || days[0].Requests != 20 || days[1].Requests != 2 || days[0].Failed != 4 {
			t.Errorf("day timeline after roll-up = %+v, %v; want 20 and 2 requests", days, err)
		}
		inRange, err := s.DailyUsage(ctx, dayStart.Add(time.Hour), time.Time{})
		if err != nil || len(inRange) != 1 {
			t.Errorf("daily usage from 01:00 = %+v, %v; want only the second day", inRange, err)
		}
	})
}

func TestRollUpWithNothingOldIsANoOp(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		seedStats(t, s)
		if n, err := s.RollUp(ctx, dayStart); err != nil || n != 0 {
			t.Errorf("RollUp = %d, %v; want 0", n, err)
		}
		if d, err := s.DailyUsage(ctx, time.Time{}, time.Time{}); err != nil || len(d) != 0 {
			t.Errorf("daily rows = %+v, %v; want none", d, err)
		}
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.RollUp(canceled, time.Now()); !errors.Is(err, context.Canceled) {
			t.Errorf("canceled roll-up: %v", err)
		}
		if sum, err := s.StatsSummary(ctx, time.Time{}, time.Time{}); err != nil || sum.Requests != 20 {
			t.Errorf("rows after a canceled roll-up: %+v, %v", sum, err)
		}
	})
}
