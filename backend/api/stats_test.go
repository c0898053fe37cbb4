package api_test

import (
	"math"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestStats(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	now := time.Now()
	a.seedLogs(30, now) // the last 30 minutes: 20 ok on claude, 10 failed on deepseek
	// Three older rows in the hour before: the "previous" range of ?range=1h.
	a.seedLogs(3, now.Add(-time.Hour))

	t.Run("summary covers the range and the one before it", func(t *testing.T) {
		t.Parallel()
		r := a.do("GET", "/api/stats/summary?range=1h", "").want(t, http.StatusOK)
		if r.body["requests"] != 30.0 || r.body["failed"] != 10.0 || r.body["input_tokens"] != 300.0 {
			t.Fatalf("summary = %v", r.raw)
		}
		if c := r.body["cost_usd"].(float64); math.Abs(c-0.3) > 1e-9 {
			t.Fatalf("cost_usd = %v, want 0.3", c)
		}
		prev := r.body["previous"].(map[string]any)
		if prev["requests"] != 3.0 {
			t.Fatalf("previous = %v", prev)
		}
		from, _ := time.Parse(time.RFC3339, r.body["from"].(string))
		pto, _ := time.Parse(time.RFC3339, prev["to"].(string))
		if !from.Equal(pto) {
			t.Fatalf("previous ends at %v, not at the range's start %v", pto, from)
		}
	})
	t.Run("from and to win over range", func(t *testing.T) {
		t.Parallel()
		q := url.Values{"range": {"30d"}, "from": {now.Add(-10*time.Minute - time.Second).UTC().Format(time.RFC3339)},
			"to": {now.Add(time.Second).UTC().Format(time.RFC3339)}}
		r := a.do("GET", "/api/stats/summary?"+q.Encode(), "").want(t, http.StatusOK)
		if r.body["requests"] != 10.0 {
			t.Fatalf("requests = %v, want 10", r.body["requests"])
		}
	})
	t.Run("the timeline picks minute buckets for an hour and includes empty ones", func(t *testing.T) {
		t.Parallel()
		r := a.do("GET", "/api/stats/timeline?range=1h", "").want(t, http.StatusOK)
		if r.body["bucket"] != "minute" {
			t.Fatalf("bucket = %v", r.body["bucket"])
		}
		buckets := r.body["buckets"].([]any)
		if len(buckets) < 60 || len(buckets) > 61 {
			t.Fatalf("%d buckets, want 60 or 61", len(buckets))
		}
		total, empty := 0.0, 0
		for _, b := range buckets {
			n := b.(map[string]any)["requests"].(float64)
			total += n
			if n == 0 {
				empty++
			}
		}
		if total != 30 || empty < 29 {
			t.Fatalf("total %v over %d empty buckets", total, empty)
		}
	})
	t.Run("the timeline takes an explicit bucket", func(t *testing.T) {
		t.Parallel()
		r := a.do("GET", "/api/stats/timeline?range=7d&bucket=day", "").want(t, http.StatusOK)
		if n := len(r.body["buckets"].([]any)); n < 7 || n > 8 {
			t.Fatalf("%d day buckets over 7 days", n)
		}
		a.do("GET", "/api/stats/timeline?range=30d&bucket=minute", "").want(t, http.StatusBadRequest)
		a.do("GET", "/api/stats/timeline?bucket=week", "").want(t, http.StatusBadRequest)
	})
	t.Run("channels have shares that sum to one", func(t *testing.T) {
		t.Parallel()
		r := a.do("GET", "/api/stats/channels?range=1h", "").want(t, http.StatusOK)
		chans := r.body["channels"].([]any)
		sum := 0.0
		for _, c := range chans {
			sum += c.(map[string]any)["share"].(float64)
		}
		if len(chans) != 2 || math.Abs(sum-1) > 1e-9 || chans[0].(map[string]any)["channel"] != "claude" {
			t.Fatalf("channels = %v", r.raw)
		}
	})
	t.Run("bad ranges answer 400", func(t *testing.T) {
		t.Parallel()
		for _, q := range []string{"range=forever", "range=0h", "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"} {
			r := a.do("GET", "/api/stats/summary?"+q, "").want(t, http.StatusBadRequest)
			if r.errorType() != "validation_error" {
				t.Errorf("%s: %s", q, r.raw)
			}
		}
	})
}
