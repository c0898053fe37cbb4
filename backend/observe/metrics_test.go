package observe

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/routex-app/routex/backend/store"
)

// fakeQueue stands in for the request log writer so the queue series can
// be checked without a database.
type fakeQueue struct{ depth, dropped int }

func (q fakeQueue) Depth() int     { return q.depth }
func (q fakeQueue) Dropped() int64 { return int64(q.dropped) }

func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d: %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, rec.Body)
	}
	return fams
}

// value finds the series of family name whose labels include want.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no family %s", name)
	}
next:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	t.Fatalf("no series %s%v", name, want)
	return 0
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	m := NewMetrics(MetricsOptions{
		Channels: func() []ChannelState {
			return []ChannelState{{Channel: "claude", Breaker: "closed", Up: true}, {Channel: "deepseek", Breaker: "open"}}
		},
		Queue: fakeQueue{depth: 3, dropped: 7},
	})
	ok := store.RequestLog{ChannelID: 1, ChannelName: "claude", ClientModel: "sonnet", UpstreamModel: "claude-sonnet-4-5",
		Status: 200, Scenario: "default", LatencyMS: 1500, TTFTMS: 300, InputTokens: 10, OutputTokens: 20,
		CacheReadTokens: 1000, CacheWriteTokens: 50, CostUSD: 0.25}
	m.Observe(ok)
	m.Observe(ok)
	// A failover: deepseek answered 529, claude took over.
	failover := ok
	failover.Attempts = []store.Attempt{{ChannelID: 2, ChannelName: "deepseek", Status: 529}}
	m.Observe(failover)
	// Every channel failed; the last attempt is the answer.
	allFailed := store.RequestLog{ChannelID: 2, ChannelName: "deepseek", ClientModel: "sonnet", Status: 502,
		Attempts: []store.Attempt{{ChannelID: 1, ChannelName: "claude", Status: 0}, {ChannelID: 2, ChannelName: "deepseek", Status: 502}}}
	m.Observe(allFailed)

	fams := scrape(t, m)
	tests := []struct {
		name   string
		family string
		labels map[string]string
		want   float64
	}{
		{"successful requests are counted by channel, model, status and route", "routex_requests_total",
			map[string]string{"channel": "claude", "model": "claude-sonnet-4-5", "status": "200", "route": "default"}, 3},
		{"a request no upstream answered is counted under the client's model", "routex_requests_total",
			map[string]string{"channel": "deepseek", "model": "sonnet", "status": "502", "route": "none"}, 1},
		{"latency is observed per channel", "routex_request_duration_seconds", map[string]string{"channel": "claude"}, 3},
		{"ttft is observed only when known", "routex_ttft_seconds", map[string]string{"channel": "claude"}, 3},
		{"input tokens add up", "routex_tokens_total", map[string]string{"channel": "claude", "direction": "input"}, 30},
		{"cache reads add up", "routex_tokens_total", map[string]string{"channel": "claude", "direction": "cache_read"}, 3000},
		{"cache writes add up", "routex_tokens_total", map[string]string{"channel": "claude", "direction": "cache_write"}, 150},
		{"cost adds up", "routex_cost_usd_total", map[string]string{"channel": "claude"}, 0.75},
		{"an overloaded attempt is an upstream error", "routex_upstream_errors_total", map[string]string{"channel": "deepseek", "kind": "overloaded"}, 1},
		{"a failed final answer is counted once", "routex_upstream_errors_total", map[string]string{"channel": "deepseek", "kind": "server_error"}, 1},
		{"a connection failure is a network error", "routex_upstream_errors_total", map[string]string{"channel": "claude", "kind": "network"}, 1},
		{"failovers count moves to the next channel", "routex_failovers_total", nil, 2},
		{"a closed breaker is 0", "routex_breaker_state", map[string]string{"channel": "claude"}, 0},
		{"an open breaker is 2", "routex_breaker_state", map[string]string{"channel": "deepseek"}, 2},
		{"a usable channel is up", "routex_channel_up", map[string]string{"channel": "claude"}, 1},
		{"an open channel is down", "routex_channel_up", map[string]string{"channel": "deepseek"}, 0},
		{"the log queue depth is read at scrape time", "routex_log_queue_depth", nil, 3},
		{"dropped logs are read at scrape time", "routex_log_dropped_total", nil, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := value(t, fams, tc.family, tc.labels); got != tc.want {
				t.Fatalf("%s%v = %v, want %v", tc.family, tc.labels, got, tc.want)
			}
		})
	}
	for _, name := range []string{"go_goroutines", "process_start_time_seconds"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("runtime family %s missing", name)
		}
	}
}

func TestMetricsCapModels(t *testing.T) {
	t.Parallel()
	m := NewMetrics(MetricsOptions{})
	for i := range MaxModelLabels + 20 {
		m.Observe(store.RequestLog{ChannelName: "c", UpstreamModel: fmt.Sprintf("model-%d", i), Status: 200})
	}
	m.Observe(store.RequestLog{ChannelName: "c", UpstreamModel: "model-0", Status: 200})
	fams := scrape(t, m)
	if got := len(fams["routex_requests_total"].Metric); got != MaxModelLabels+1 {
		t.Fatalf("%d series, want %d (the cap plus other)", got, MaxModelLabels+1)
	}
	if got := value(t, fams, "routex_requests_total", map[string]string{"model": "other"}); got != 20 {
		t.Fatalf("other = %v, want 20", got)
	}
	if got := value(t, fams, "routex_requests_total", map[string]string{"model": "model-0"}); got != 2 {
		t.Fatalf("model-0 = %v, want 2: a model seen before the cap keeps its label", got)
	}
}

func BenchmarkMetricsObserve(b *testing.B) {
	m := NewMetrics(MetricsOptions{})
	rec := store.RequestLog{ChannelID: 1, ChannelName: "claude", UpstreamModel: "claude-sonnet-4-5", Status: 200,
		Scenario: "default", LatencyMS: 1500, TTFTMS: 300, InputTokens: 10, OutputTokens: 20, CostUSD: 0.01}
	b.ReportAllocs()
	for b.Loop() {
		m.Observe(rec)
	}
}
