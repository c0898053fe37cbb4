package store

import (
	"context"
	"testing"
	"time"
)

func TestChannelLatenciesGiveSuccessRateAndMedianFirstToken(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		now := time.Now()
		at := func(ago time.Duration, ch int64, status int, ttft int64, errMsg string) RequestLog {
			return RequestLog{Time: now.Add(-ago), ChannelID: ch, ChannelName: "c", Status: status, TTFTMS: ttft,
				LatencyMS: ttft + 100, Error: errMsg}
		}
		logs := []RequestLog{
			// Channel 1: five answers in the last hour, first tokens 100…900;
			// one failure (its TTFT does not count), one row from yesterday.
			at(time.Minute, 1, 200, 300, ""), at(2*time.Minute, 1, 200, 100, ""), at(3*time.Minute, 1, 200, 900, ""),
			at(4*time.Minute, 1, 200, 500, ""), at(5*time.Minute, 1, 200, 700, ""), at(6*time.Minute, 1, 502, 5, "boom"),
			at(26*time.Hour, 1, 200, 1, ""),
			// Channel 2: only non-streamed answers without a first-token time.
			at(time.Minute, 2, 200, 0, ""), at(2*time.Minute, 2, 429, 0, "rate limited"),
			// No channel: refused before routing.
			at(time.Minute, 0, 401, 0, "bad key"),
		}
		if err := s.InsertRequestLogs(ctx, logs); err != nil {
			t.Fatal(err)
		}
		got, err := s.ChannelLatencies(ctx, now.Add(-time.Hour), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("latencies for %d channels, want 2: %+v", len(got), got)
		}
		if c := got[1]; c.Requests != 6 || c.Failed != 1 || c.P50TTFTMS != 500 || c.SuccessRate < 0.83 || c.SuccessRate > 0.84 {
			t.Errorf("channel 1 = %+v, want 6 requests, 1 failed, median 500 ms", c)
		}
		if c := got[2]; c.Requests != 2 || c.Failed != 1 || c.P50TTFTMS != 0 || c.SuccessRate != 0.5 {
			t.Errorf("channel 2 = %+v", c)
		}
		day, err := s.ChannelLatencies(ctx, now.Add(-48*time.Hour), time.Time{})
		if err != nil || day[1].Requests != 7 {
			t.Errorf("over two days: %+v %v", day[1], err)
		}
	})
}
