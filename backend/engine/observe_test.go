package engine

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/observe"
	"github.com/routex-app/routex/backend/pricing"
	"github.com/routex-app/routex/backend/store"
)

// sinkRecorder keeps what the Recorder queued, standing in for the request
// log writer so the test needs no database.
type sinkRecorder struct {
	mu   sync.Mutex
	recs []store.RequestLog
}

func (s *sinkRecorder) Record(rec store.RequestLog) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, rec)
}

// fakePrices serves a user price list without a store.
type fakePrices []pricing.Price

func (f fakePrices) Prices(context.Context) ([]pricing.Price, error) { return f, nil }

func TestRecorder(t *testing.T) {
	t.Parallel()
	sink := &sinkRecorder{}
	metrics := observe.NewMetrics(observe.MetricsOptions{})
	hub := observe.NewHub(0, slog.New(slog.DiscardHandler))
	var mu sync.Mutex
	states := map[int64]string{}
	rec := NewRecorder(sink, metrics, hub, func(id int64) balance.Health {
		mu.Lock()
		defer mu.Unlock()
		return balance.Health{State: states[id], LastError: "boom"}
	})
	if err := rec.ReloadPrices(t.Context(), fakePrices{{Model: "my-model", Input: 1, Output: 2}}); err != nil {
		t.Fatal(err)
	}
	states[1], states[2] = balance.StateClosed, balance.StateClosed
	rec.Record(store.RequestLog{ChannelID: 1, ChannelName: "mine", UpstreamModel: "my-model", Status: 200,
		InputTokens: 1_000_000, OutputTokens: 500_000})
	mu.Lock()
	states[2] = balance.StateOpen
	mu.Unlock()
	rec.Record(store.RequestLog{ChannelID: 1, ChannelName: "mine", UpstreamModel: "my-model", Status: 200, CostUSD: 9,
		Attempts: []store.Attempt{{ChannelID: 2, ChannelName: "other", Status: 529}}})

	t.Run("a record without a cost is priced from the table", func(t *testing.T) {
		if got := sink.recs[0].CostUSD; math.Abs(got-2) > 1e-9 {
			t.Fatalf("cost = %v, want 2", got)
		}
		if sink.recs[1].CostUSD != 9 {
			t.Fatalf("a given cost was replaced: %v", sink.recs[1].CostUSD)
		}
	})
	t.Run("requests and a health change are published in order", func(t *testing.T) {
		evs, _ := hub.Since(0, nil)
		var topics []string
		for _, e := range evs {
			topics = append(topics, e.Topic)
		}
		if strings.Join(topics, ",") != "request,request,health" {
			t.Fatalf("topics = %v", topics)
		}
		var h observe.HealthEvent
		json.Unmarshal(evs[2].Data, &h)
		if h.ChannelID != 2 || h.State != "open" || h.Previous != "closed" {
			t.Fatalf("health event = %+v", h)
		}
		var r observe.RequestEvent
		json.Unmarshal(evs[1].Data, &r)
		if r.Attempts != 2 || r.Channel != "mine" {
			t.Fatalf("request event = %+v", r)
		}
	})
	t.Run("metrics count every record", func(t *testing.T) {
		w := httptest.NewRecorder()
		metrics.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		body, _ := io.ReadAll(w.Body)
		if !strings.Contains(string(body), `routex_requests_total{channel="mine",model="my-model",route="none",status="200"} 2`) {
			t.Fatalf("metrics:\n%s", body)
		}
	})
}

func TestObservabilityOverStore(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	st, err := store.Open(filepath.Join(home, "routex.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := observe.NewWriter(st, 64, slog.New(slog.DiscardHandler))
	bal := balance.New(balance.Options{})
	o, err := newObservability(t.Context(), st, w, bal, home, func() bool { return false }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ready := func() (int, observe.ReadyReport) {
		rr := httptest.NewRecorder()
		o.ready.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "/health/ready", nil))
		var rep observe.ReadyReport
		json.Unmarshal(rr.Body.Bytes(), &rep)
		return rr.Code, rep
	}
	if code, rep := ready(); code != http.StatusServiceUnavailable {
		t.Fatalf("no channel: %d %+v", code, rep)
	}
	if _, err := st.CreateChannel(t.Context(), store.Channel{Name: "c", Type: "openai", BaseURL: "https://api.example.com/v1",
		APIKey: "sk-x", Models: []string{"m"}, Priority: 1, Weight: 1, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if code, rep := ready(); code != http.StatusOK {
		t.Fatalf("with a channel: %d %+v", code, rep)
	}
	o.recorder.Record(store.RequestLog{ChannelID: 1, ChannelName: "c", UpstreamModel: "claude-sonnet-4-5", Status: 200,
		InputTokens: 1000, OutputTokens: 1000})
	if err := w.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	logs, err := st.RecentRequestLogs(t.Context(), 10)
	if err != nil || len(logs) != 1 || logs[0].CostUSD <= 0 {
		t.Fatalf("logs = %+v, %v", logs, err)
	}
}
