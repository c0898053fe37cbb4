package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestRequestLogsBatchInsertAndNewestFirst(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		base := time.UnixMilli(time.Now().UnixMilli())
		var batch []RequestLog
		for i := range 5 {
			batch = append(batch, RequestLog{
				Time: base.Add(time.Duration(i) * time.Second), Format: "anthropic", ChannelID: 7,
				ChannelName: "deepseek", ClientModel: "claude-sonnet-4", UpstreamModel: "deepseek-chat",
				Status: 200, Stream: i%2 == 0, LatencyMS: int64(100 + i), TTFTMS: 40, InputTokens: 1000,
				OutputTokens: int64(i), Error: fmt.Sprint("e", i), UserAgent: "claude-cli/2.0",
				CacheReadTokens: 7, CacheWriteTokens: 3, UsageEstimated: i%2 == 1, UpstreamFormat: "openai",
				Scenario: "think", Rule: "big", SessionKey: "sess",
				Attempts: []Attempt{{ChannelID: 9, ChannelName: "down", Model: "m", Status: 503, Error: "overloaded", LatencyMS: 12}},
			})
		}
		if err := s.InsertRequestLogs(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertRequestLogs(ctx, nil); err != nil {
			t.Errorf("empty batch: %v", err)
		}

		got, err := s.RecentRequestLogs(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("got %d logs, want 3", len(got))
		}
		for i, l := range got {
			want := batch[4-i]
			want.ID = l.ID
			if l.ID == 0 || !l.Time.Equal(want.Time) {
				t.Errorf("log %d: id %d time %v, want time %v", i, l.ID, l.Time, want.Time)
			}
			l.Time = want.Time
			if !reflect.DeepEqual(l, want) {
				t.Errorf("log %d = %+v\nwant %+v", i, l, want)
			}
		}
		all, err := s.RecentRequestLogs(ctx, 0)
		if err != nil || len(all) != 5 {
			t.Errorf("limit 0 gave %d logs, %v; want all 5", len(all), err)
		}
	})
}
