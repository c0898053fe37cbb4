package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
)

func TestChannelLatenciesOverTheLastHour(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	id := a.createChannel("fast", "")
	now := time.Now()
	var logs []store.RequestLog
	for i, ttft := range []int64{120, 80, 400} {
		logs = append(logs, store.RequestLog{Time: now.Add(-time.Duration(i+1) * time.Minute), ChannelID: id, ChannelName: "fast", Status: 200, TTFTMS: ttft})
	}
	logs = append(logs, store.RequestLog{Time: now.Add(-time.Minute), ChannelID: id, ChannelName: "fast", Status: 500, Error: "boom"},
		store.RequestLog{Time: now.Add(-3 * time.Hour), ChannelID: id, ChannelName: "fast", Status: 200, TTFTMS: 9000})
	if err := a.store.InsertRequestLogs(context.Background(), logs); err != nil {
		t.Fatal(err)
	}
	r := a.do("GET", "/api/stats/latency", "").want(t, http.StatusOK)
	chs, _ := r.body["channels"].([]any)
	if len(chs) != 1 {
		t.Fatalf("channels = %v", r.body)
	}
	c := chs[0].(map[string]any)
	if num(c["requests"]) != 4 || num(c["failed"]) != 1 || num(c["success_rate"]) != 0.75 || num(c["p50_ttft_ms"]) != 120 {
		t.Errorf("last hour = %v, want 4 requests, 75%% success, median 120 ms", c)
	}
	day := a.do("GET", "/api/stats/latency?range=24h", "").want(t, http.StatusOK).body["channels"].([]any)[0].(map[string]any)
	if num(day["requests"]) != 5 {
		t.Errorf("last day = %v", day)
	}
	a.do("GET", "/api/stats/latency?range=forever", "").want(t, http.StatusBadRequest)
}
