package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// seedLogs writes n request logs a minute apart ending now: every third
// failed with a 429 on channel 2, the rest succeeded on channel 1.
func (a *testAPI) seedLogs(n int, now time.Time) {
	a.t.Helper()
	logs := make([]store.RequestLog, n)
	for i := range n {
		l := store.RequestLog{
			Time: now.Add(-time.Duration(n-i) * time.Minute), Format: "anthropic", ChannelID: 1, ChannelName: "claude",
			ClientModel: "claude-sonnet-4-5", UpstreamModel: "claude-sonnet-4-5", Status: 200, Stream: true,
			LatencyMS: int64(100 * (i + 1)), TTFTMS: 50, InputTokens: 10, OutputTokens: 20, CostUSD: 0.01,
			Scenario: "default", UserAgent: "claude-cli/2.1", RequestBody: `{"messages":[]}`,
		}
		if i%3 == 0 {
			l.ChannelID, l.ChannelName, l.ClientModel, l.UpstreamModel = 2, "deepseek", "deepseek-chat", "deepseek-chat"
			l.Status, l.Error, l.Scenario = 429, "rate limited by upstream", "background"
			l.Attempts = []store.Attempt{{ChannelID: 3, ChannelName: "kimi", Status: 503, Error: "overloaded"}}
		}
		logs[i] = l
	}
	if err := a.store.InsertRequestLogs(a.t.Context(), logs); err != nil {
		a.t.Fatal(err)
	}
}

func TestListLogs(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	now := time.Now()
	a.seedLogs(30, now)
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"no filter lists every log", "", 30},
		{"channel_id picks one channel", "channel_id=2", 10},
		{"status=error picks the failures", "status=error", 10},
		{"an exact status code matches", "status=429", 10},
		{"model matches the client or upstream model", "model=claude-sonnet-4-5", 20},
		{"scenario filters by route", "scenario=background", 10},
		{"q searches the error text", "q=RATE+LIMITED", 10},
		{"from in RFC 3339 keeps the newer rows", "from=" + url.QueryEscape(now.Add(-10*time.Minute-time.Second).UTC().Format(time.RFC3339)), 10},
		{"to in Unix milliseconds keeps the older rows", "to=" + strconv.FormatInt(now.Add(-20*time.Minute).UnixMilli(), 10), 10},
		{"filters combine", "channel_id=1&q=claude-cli", 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := a.do("GET", "/api/logs?limit=500&"+tc.query, "").want(t, http.StatusOK)
			logs := r.body["logs"].([]any)
			if len(logs) != tc.want {
				t.Fatalf("%d logs, want %d", len(logs), tc.want)
			}
		})
	}
	t.Run("pages follow next_cursor without gaps or repeats", func(t *testing.T) {
		t.Parallel()
		seen := map[float64]bool{}
		cursor := 0.0
		for page := 0; ; page++ {
			r := a.do("GET", fmt.Sprintf("/api/logs?limit=7&cursor=%d", int64(cursor)), "").want(t, http.StatusOK)
			for _, l := range r.body["logs"].([]any) {
				id := l.(map[string]any)["id"].(float64)
				if seen[id] {
					t.Fatalf("log %v repeated", id)
				}
				seen[id] = true
			}
			cursor = r.body["next_cursor"].(float64)
			if cursor == 0 {
				break
			}
			if page > 10 {
				t.Fatal("pagination does not end")
			}
		}
		if len(seen) != 30 {
			t.Fatalf("saw %d logs, want 30", len(seen))
		}
	})
	t.Run("a list row has snake_case fields and no bodies", func(t *testing.T) {
		t.Parallel()
		r := a.do("GET", "/api/logs?limit=1", "").want(t, http.StatusOK)
		l := r.body["logs"].([]any)[0].(map[string]any)
		for _, k := range []string{"id", "time", "channel_id", "channel", "client_model", "upstream_model", "status",
			"latency_ms", "ttft_ms", "input_tokens", "output_tokens", "cost_usd", "attempts", "scenario"} {
			if _, ok := l[k]; !ok {
				t.Errorf("field %s missing from %v", k, l)
			}
		}
		if _, ok := l["request_body"]; ok {
			t.Errorf("a list row carries the request body")
		}
	})
	t.Run("bad parameters answer 400 naming the field", func(t *testing.T) {
		t.Parallel()
		for _, q := range []string{"from=yesterday", "channel_id=x", "limit=-1", "status=teapot"} {
			r := a.do("GET", "/api/logs?"+q, "").want(t, http.StatusBadRequest)
			if r.errorType() != "validation_error" {
				t.Errorf("%s: error type %q", q, r.errorType())
			}
		}
	})
}

func TestGetLog(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	a.seedLogs(3, time.Now())
	r := a.do("GET", "/api/logs?status=429", "").want(t, http.StatusOK)
	id := int64(r.body["logs"].([]any)[0].(map[string]any)["id"].(float64))

	r = a.do("GET", fmt.Sprintf("/api/logs/%d", id), "").want(t, http.StatusOK)
	attempts := r.body["attempts"].([]any)
	if len(attempts) != 1 || attempts[0].(map[string]any)["channel"] != "kimi" {
		t.Fatalf("attempts = %v", attempts)
	}
	if r.body["request_body"] != `{"messages":[]}` {
		t.Fatalf("request_body = %v", r.body["request_body"])
	}
	a.do("GET", "/api/logs/999999", "").want(t, http.StatusNotFound)
	a.do("GET", "/api/logs/abc", "").want(t, http.StatusNotFound)
}
