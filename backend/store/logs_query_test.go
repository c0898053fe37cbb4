package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// queryBase is a fixed instant so tests can name times exactly.
var queryBase = time.UnixMilli(1_760_000_000_000)

// seedQueryLogs writes a small, varied set of logs, oldest first.
func seedQueryLogs(t *testing.T, s *Store) []RequestLog {
	t.Helper()
	logs := []RequestLog{
		{ChannelID: 1, ChannelName: "anthropic", ClientModel: "claude-sonnet-4-5", UpstreamModel: "claude-sonnet-4-5", Status: 200, Scenario: "default", UserAgent: "claude-cli/2.0"},
		{ChannelID: 2, ChannelName: "deepseek", ClientModel: "claude-sonnet-4-5", UpstreamModel: "deepseek-chat", Status: 200, Scenario: "background", UserAgent: "claude-cli/2.0"},
		{ChannelID: 2, ChannelName: "deepseek", ClientModel: "claude-opus-4-5", UpstreamModel: "deepseek-reasoner", Status: 429, Scenario: "think", Error: "Rate limit exceeded", UserAgent: "claude-cli/2.0"},
		{ChannelID: 3, ChannelName: "Kimi", ClientModel: "gpt-5", UpstreamModel: "kimi-k2", Status: 502, Scenario: "default", Error: "upstream 100% broken", UserAgent: "OpenAI/Python"},
		{ChannelID: 0, ClientModel: "gpt-5", Status: 0, Scenario: "default", Error: "no channel serves gpt-5", UserAgent: "OpenAI/Python"},
		{ChannelID: 1, ChannelName: "anthropic", ClientModel: "claude-haiku-4-5", UpstreamModel: "claude-haiku-4-5", Status: 200, Scenario: "background", UserAgent: "curl/8"},
	}
	for i := range logs {
		logs[i].Time = queryBase.Add(time.Duration(i) * time.Minute)
	}
	if err := s.InsertRequestLogs(context.Background(), logs); err != nil {
		t.Fatal(err)
	}
	return logs
}

func TestListRequestLogsFilters(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		s := db.open(t)
		seedQueryLogs(t, s)
		at := func(i int) time.Time { return queryBase.Add(time.Duration(i) * time.Minute) }
		// want lists the seed indexes, newest first.
		tests := []struct {
			name string
			f    LogFilter
			want []int
		}{
			{"no filter returns everything newest first", LogFilter{}, []int{5, 4, 3, 2, 1, 0}},
			{"from is inclusive", LogFilter{From: at(4)}, []int{5, 4}},
			{"to is exclusive", LogFilter{To: at(2)}, []int{1, 0}},
			{"a channel id selects its rows", LogFilter{ChannelID: 2}, []int{2, 1}},
			{"a model matches the client model", LogFilter{Model: "claude-sonnet-4-5"}, []int{1, 0}},
			{"a model matches the upstream model", LogFilter{Model: "kimi-k2"}, []int{3}},
			{"ok means below 400 without error text", LogFilter{Status: "ok"}, []int{5, 1, 0}},
			{"error means 400 and above or error text", LogFilter{Status: "error"}, []int{4, 3, 2}},
			{"4xx selects client errors", LogFilter{Status: "4xx"}, []int{2}},
			{"5xx selects server errors", LogFilter{Status: "5xx"}, []int{3}},
			{"an exact code selects that code", LogFilter{Status: "429"}, []int{2}},
			{"a scenario selects its rows", LogFilter{Scenario: "background"}, []int{5, 1}},
			{"text search ignores case in the error", LogFilter{Query: "RATE LIMIT"}, []int{2}},
			{"text search looks at the channel name", LogFilter{Query: "kimi"}, []int{3}},
			{"text search looks at the user agent", LogFilter{Query: "python"}, []int{4, 3}},
			{"text search looks at the upstream model", LogFilter{Query: "reasoner"}, []int{2}},
			{"a percent sign in the search matches itself", LogFilter{Query: "100%"}, []int{3}},
			{"an underscore in the search matches itself", LogFilter{Query: "claude_"}, nil},
			{"filters combine", LogFilter{From: at(1), ChannelID: 2, Status: "ok", Scenario: "background", Query: "deepseek"}, []int{1}},
			{"filters that exclude each other find nothing", LogFilter{ChannelID: 1, Status: "error"}, nil},
		}
		ctx := context.Background()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				got, next, err := s.ListRequestLogs(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if next != 0 {
					t.Errorf("next = %d, want 0 on a single page", next)
				}
				var idx []int
				for _, l := range got {
					idx = append(idx, int(l.Time.Sub(queryBase)/time.Minute))
				}
				if !reflect.DeepEqual(idx, tt.want) {
					t.Errorf("got rows %v, want %v", idx, tt.want)
				}
			})
		}
	})
}

func TestListRequestLogsRefusesAnUnknownStatus(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		s := db.open(t)
		for _, st := range []string{"bad", "2xx", "-1", "1000"} {
			if _, _, err := s.ListRequestLogs(context.Background(), LogFilter{Status: st}); !errors.Is(err, ErrInvalidFilter) {
				t.Errorf("status %q: err = %v, want ErrInvalidFilter", st, err)
			}
		}
	})
}

func TestListRequestLogsPagesWithoutGapsOrDuplicates(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		var batch []RequestLog
		for i := range 120 {
			batch = append(batch, RequestLog{Time: queryBase.Add(time.Duration(i) * time.Second),
				ClientModel: fmt.Sprint("m", i%3), Status: 200 + 300*(i%2)})
		}
		if err := s.InsertRequestLogs(ctx, batch); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			f     LogFilter
			pages int
			rows  int
		}{
			{"pages of 50 cover all 120 rows in three pages", LogFilter{}, 3, 120},
			{"pages of 40 end exactly on the last row", LogFilter{Limit: 40}, 3, 120},
			{"a filter pages through its own rows", LogFilter{Status: "ok", Limit: 7}, 9, 60},
			{"a limit above the cap is capped", LogFilter{Limit: 100000}, 1, 120},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				seen := map[int64]bool{}
				f, pages, last := tt.f, 0, int64(1<<62)
				for {
					logs, next, err := s.ListRequestLogs(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					pages++
					for _, l := range logs {
						if seen[l.ID] {
							t.Fatalf("row %d seen twice", l.ID)
						}
						if l.ID >= last {
							t.Fatalf("row %d after %d: not newest first", l.ID, last)
						}
						seen[l.ID], last = true, l.ID
					}
					if next == 0 {
						break
					}
					if pages > 200 {
						t.Fatal("pagination does not end")
					}
					f.Cursor = next
				}
				if pages != tt.pages || len(seen) != tt.rows {
					t.Errorf("%d pages, %d rows; want %d pages, %d rows", pages, len(seen), tt.pages, tt.rows)
				}
			})
		}
	})
}

func TestRequestLogByIDIncludesBodiesAndNewFields(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		in := []RequestLog{
			{Time: queryBase, ClientModel: "a", Status: 200, CostUSD: 0.0125, RequestBytes: 1234, ResponseBytes: 5678,
				OutputTPS: 87.5, RequestBody: `{"model":"a"}`, ResponseBody: `{"id":"msg_1"}`,
				Attempts: []Attempt{{ChannelID: 4, ChannelName: "down", Status: 503, Error: "overloaded"}}},
			{Time: queryBase.Add(time.Second), ClientModel: "b", Status: 200},
		}
		if err := s.InsertRequestLogs(ctx, in); err != nil {
			t.Fatal(err)
		}
		list, _, err := s.ListRequestLogs(ctx, LogFilter{})
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %v, %d rows", err, len(list))
		}
		for _, l := range list {
			if l.RequestBody != "" || l.ResponseBody != "" {
				t.Errorf("list row %d carries bodies", l.ID)
			}
		}
		for i, l := range []RequestLog{list[1], list[0]} {
			got, err := s.RequestLogByID(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := in[i]
			want.ID = got.ID
			if !got.Time.Equal(want.Time) {
				t.Errorf("time %v, want %v", got.Time, want.Time)
			}
			got.Time = want.Time
			if !reflect.DeepEqual(got, want) {
				t.Errorf("RequestLogByID = %+v\nwant %+v", got, want)
			}
		}
		if _, err := s.RequestLogByID(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing id: err = %v, want ErrNotFound", err)
		}
	})
}

// BenchmarkInsertRequestLogs measures the writer's path: batches of 256 in
// one transaction each, on a real file with WAL.
func BenchmarkInsertRequestLogs(b *testing.B) {
	s, err := Open(b.TempDir() + "/routex.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	batch := make([]RequestLog, 256)
	for i := range batch {
		batch[i] = benchLog(i)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if err := s.InsertRequestLogs(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "rows/s")
}

// benchLog is a realistic row: every column set, no captured bodies.
func benchLog(i int) RequestLog {
	return RequestLog{
		Time: queryBase.Add(time.Duration(i) * time.Second), Format: "anthropic", ChannelID: int64(i%4 + 1),
		ChannelName: fmt.Sprint("channel-", i%4), ClientModel: "claude-sonnet-4-5", UpstreamModel: "deepseek-chat",
		Status: 200 + 300*(i%20/19), Stream: i%2 == 0, LatencyMS: int64(200 + i%1000), TTFTMS: int64(50 + i%300),
		InputTokens: 12000, OutputTokens: 800, CacheReadTokens: 9000, UserAgent: "claude-cli/2.0.31 (external, cli)",
		UpstreamFormat: "openai", Scenario: "default", SessionKey: "0123456789abcdef", CostUSD: 0.004,
		RequestBytes: 48000, ResponseBytes: 3500, OutputTPS: 60,
	}
}
