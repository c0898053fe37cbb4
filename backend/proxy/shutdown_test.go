package proxy_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
	"github.com/routex-app/routex/backend/store"
)

// Stopping the engine while requests outlast the grace period answers each
// of them in its format, a stream with an error event and a waiting request
// with a JSON error, and writes every one of their request-log rows.
func TestShutdownPastTheGracePeriod(t *testing.T) {
	t.Parallel()
	const streams, waiting = 200, 20
	var arrived atomic.Int32
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		if !strings.Contains(r.Header.Get("X-Test-Kind"), "stream") {
			<-r.Context().Done() // never answers: the request waits for headers
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for _, ev := range anthropicEvents[:4] {
			io.WriteString(w, ev)
		}
		rc.Flush()
		<-r.Context().Done() // then goes quiet, as a model thinking
	})

	cfg := config.Defaults()
	cfg.Home, cfg.Listen = t.TempDir(), "127.0.0.1:0"
	cfg.AccessKey, cfg.AdminToken = testAccessKey, testAdminToken
	e, err := engine.New(cfg, engine.Options{Version: "test", Logger: slog.New(slog.DiscardHandler), ShutdownGrace: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store().CreateChannel(context.Background(), store.Channel{Name: "slow", Type: "anthropic",
		BaseURL: up.URL, APIKey: testChannelKey, Enabled: true, Priority: 1, Weight: 1}); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: streams + waiting}}
	send := func(stream bool) (*http.Response, error) {
		body := `{"model":"claude-sonnet-4-5","max_tokens":64,"stream":` + map[bool]string{true: "true", false: "false"}[stream] +
			`,"messages":[{"role":"user","content":"hi"}]}`
		req, _ := http.NewRequest(http.MethodPost, e.URL()+"/v1/messages", strings.NewReader(body))
		req.Header.Set("X-Api-Key", testAccessKey)
		req.Header.Set("Content-Type", "application/json")
		if stream {
			req.Header.Set("X-Test-Kind", "stream")
		}
		return client.Do(req)
	}

	var wg sync.WaitGroup
	var started sync.WaitGroup
	var gotErrorEvent, gotJSONError, bare atomic.Int32
	var mu sync.Mutex
	var problems []string
	note := func(s string) { mu.Lock(); problems = append(problems, s); mu.Unlock() }
	for i := 0; i < streams; i++ {
		wg.Add(1)
		started.Add(1)
		go func() {
			defer wg.Done()
			resp, err := send(true)
			if err != nil {
				started.Done()
				note("stream: " + err.Error())
				return
			}
			defer resp.Body.Close()
			br := bufio.NewReader(resp.Body)
			seen, once := "", sync.Once{}
			for {
				line, err := br.ReadString('\n')
				seen += line
				if strings.Contains(seen, "content_block_delta") {
					once.Do(started.Done)
				}
				if err != nil {
					once.Do(started.Done)
					break
				}
			}
			if strings.Contains(seen, "event: error") && strings.Contains(seen, "shutting down") {
				gotErrorEvent.Add(1)
			} else {
				bare.Add(1)
			}
		}()
	}
	for i := 0; i < waiting; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := send(false)
			if err != nil {
				bare.Add(1)
				return
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode == http.StatusServiceUnavailable && gjson.GetBytes(raw, "type").Str == "error" &&
				strings.Contains(gjson.GetBytes(raw, "error.message").Str, "shutting down") && resp.Header.Get("Retry-After") != "" {
				gotJSONError.Add(1)
			} else {
				note("waiting: status " + resp.Status + ": " + string(raw))
			}
		}()
	}
	started.Wait()
	for deadline := time.Now().Add(10 * time.Second); arrived.Load() < streams+waiting && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := arrived.Load(); n != streams+waiting {
		t.Fatalf("the upstream has %d requests, want %d", n, streams+waiting)
	}

	path := e.Store().Path()
	stopped := time.Now()
	if err := e.Stop(context.Background()); err != nil {
		t.Errorf("stop: %v", err)
	}
	if d := time.Since(stopped); d > 8*time.Second {
		t.Errorf("stop took %v with a 300ms grace period", d)
	}
	wg.Wait()
	if n := gotErrorEvent.Load(); n != streams {
		t.Errorf("%d of %d streams ended with an error event; %d were cut bare", n, streams, bare.Load())
	}
	if n := gotJSONError.Load(); n != waiting {
		t.Errorf("%d of %d waiting requests got a 503 JSON error", n, waiting)
	}
	for _, p := range problems[:min(len(problems), 5)] {
		t.Log(p)
	}

	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs, _, err := st.ListRequestLogs(context.Background(), store.LogFilter{Limit: store.MaxLogLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != streams+waiting {
		t.Errorf("%d request-log rows, want %d", len(logs), streams+waiting)
	}
	var withError int
	for _, l := range logs {
		if strings.Contains(l.Error, "shutting down") {
			withError++
		}
	}
	if withError != len(logs) {
		t.Errorf("%d of %d rows say the request was cut by the shutdown", withError, len(logs))
	}
}
