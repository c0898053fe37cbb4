package engine

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/observe"
	"github.com/routex-app/routex/backend/store"
)

// The engine's side of observability, end to end: retention as the engine
// runs it, the request log drained at shutdown (in process and as a real
// `routex serve` killed with SIGTERM), and readiness against a real store.

const (
	obsAccessKey  = "rx-access-7e1d0c9b8a6f4e2d1c0b9a8f"
	obsAdminToken = "rx-admin-2c4e6a8b0d1f3e5a7c9b1d3f"
)

// obsClient bounds every exchange so a regression fails fast.
var obsClient = &http.Client{Timeout: 20 * time.Second}

// newObsEngine builds an engine on a fresh home; nothing listens yet.
// Cleanup stops it unless the test did (Stop twice is harmless).
func newObsEngine(t *testing.T) *Engine {
	t.Helper()
	cfg := config.Defaults()
	cfg.Home, cfg.Listen = t.TempDir(), "127.0.0.1:0"
	cfg.AccessKey, cfg.AdminToken = obsAccessKey, obsAdminToken
	e, err := New(cfg, Options{Version: "test", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Stop(context.Background()) })
	return e
}

// call sends an admin (or any) request and returns status and body.
func call(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := obsClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// slowAnthropic answers every request after delay with a priced reply, and
// closes arrived once want requests are being held.
func slowAnthropic(t *testing.T, delay time.Duration, want int64) (srv *httptest.Server, arrived <-chan struct{}) {
	t.Helper()
	var n atomic.Int64
	all := make(chan struct{})
	var once sync.Once
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if n.Add(1) == want {
			once.Do(func() { close(all) })
		}
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"msg_s","type":"message","role":"assistant","model":"claude-sonnet-4-5",`+
			`"content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":2}}`)
	}))
	t.Cleanup(srv.Close)
	return srv, all
}

// fire sends n concurrent requests to base and reports, once all have
// ended, how many got a whole 200 answer.
func fire(base string, n int) <-chan int {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	var ok atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := fmt.Sprintf(`{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"request %d"}]}`, i)
			req, _ := http.NewRequest(http.MethodPost, base+"/v1/messages", strings.NewReader(body))
			req.Header.Set("X-Api-Key", obsAccessKey)
			resp, err := client.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			if err == nil && resp.StatusCode == http.StatusOK && bytes.Contains(raw, []byte(`"msg_s"`)) {
				ok.Add(1)
			}
		})
	}
	done := make(chan int, 1)
	go func() { wg.Wait(); done <- int(ok.Load()) }()
	return done
}

// countRows reopens the database at path and counts its request logs.
func countRows(t *testing.T, path string) int {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs, _, err := st.ListRequestLogs(context.Background(), store.LogFilter{Limit: store.MaxLogLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logs {
		if l.Status != http.StatusOK || l.ChannelName != "slow" {
			t.Errorf("row %+v, want a 200 from channel slow", l)
		}
	}
	return len(logs)
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
	}
}

func TestRetentionRollsOldRowsIntoDailyTotals(t *testing.T) {
	t.Parallel()
	e := newObsEngine(t)
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	ctx := context.Background()
	now := time.Now()
	row := func(age time.Duration, status int) store.RequestLog {
		return store.RequestLog{Time: now.Add(-age), Format: "anthropic", ChannelID: 1, ChannelName: "old",
			ClientModel: "claude-sonnet-4-5", UpstreamModel: "claude-sonnet-4-5", Status: status, LatencyMS: 100,
			TTFTMS: 40, InputTokens: 100, OutputTokens: 10, CostUSD: 0.5}
	}
	const day = 24 * time.Hour
	if err := e.store.InsertRequestLogs(ctx, []store.RequestLog{
		row(40*day, 200), row(40*day, 200), row(40*day, 500), // past the default 30 days
		row(10*day, 200), row(time.Hour, 200), // kept at 30 days; the first goes at 7
	}); err != nil {
		t.Fatal(err)
	}
	// retain runs once at once, then every interval: run its first pass,
	// wait for its effect, and end it.
	retainOnce := func(what string, done func([]store.DailyUsage) bool) {
		t.Helper()
		rctx, cancel := context.WithCancel(ctx)
		ended := make(chan struct{})
		go func() { e.retain(rctx, time.Hour); close(ended) }()
		waitUntil(t, 10*time.Second, what, func() bool {
			d, err := e.store.DailyUsage(ctx, time.Time{}, time.Time{})
			return err == nil && done(d)
		})
		cancel()
		<-ended
	}
	type summaryView struct {
		Requests     int64   `json:"requests"`
		Failed       int64   `json:"failed"`
		InputTokens  int64   `json:"input_tokens"`
		OutputTokens int64   `json:"output_tokens"`
		CostUSD      float64 `json:"cost_usd"`
	}
	summary := func() summaryView {
		from := now.Add(-60 * day).UTC().Format(time.RFC3339)
		code, raw := call(t, http.MethodGet, srv.URL+"/api/stats/summary?from="+from, obsAdminToken, "")
		var s summaryView
		if err := json.Unmarshal(raw, &s); err != nil || code != http.StatusOK {
			t.Fatalf("GET /api/stats/summary: %d %s", code, raw)
		}
		return s
	}
	detail := func() int {
		logs, _, err := e.store.ListRequestLogs(ctx, store.LogFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(logs)
	}

	t.Run("rows older than 30 days become one daily total", func(t *testing.T) {
		retainOnce("the 40-day-old rows to roll up", func(d []store.DailyUsage) bool { return len(d) > 0 })
		daily, err := e.store.DailyUsage(ctx, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(daily) != 1 {
			t.Fatalf("daily totals = %+v, want one day", daily)
		}
		d := daily[0]
		if d.ChannelName != "old" || d.Model != "claude-sonnet-4-5" || d.Requests != 3 || d.Failed != 1 ||
			d.InputTokens != 300 || d.OutputTokens != 30 || math.Abs(d.CostUSD-1.5) > 1e-9 {
			t.Errorf("daily total = %+v, want 3 requests (1 failed), 300/30 tokens, $1.50", d)
		}
		if n := detail(); n != 2 {
			t.Errorf("%d detail rows left, want the 2 newer ones", n)
		}
	})
	t.Run("the summary over the whole range still counts them", func(t *testing.T) {
		s := summary()
		if s.Requests != 5 || s.Failed != 1 || s.InputTokens != 500 || s.OutputTokens != 50 || math.Abs(s.CostUSD-2.5) > 1e-9 {
			t.Errorf("summary = %+v, want 5 requests, 1 failed, 500/50 tokens, $2.50", s)
		}
	})
	t.Run("a shorter retention set in Settings rolls up more", func(t *testing.T) {
		if code, raw := call(t, http.MethodPut, srv.URL+"/api/settings", obsAdminToken, `{"log_retention_days":7}`); code != http.StatusOK {
			t.Fatalf("PUT /api/settings: %d %s", code, raw)
		}
		retainOnce("the 10-day-old row to roll up", func(d []store.DailyUsage) bool { return len(d) == 2 })
		if n := detail(); n != 1 {
			t.Errorf("%d detail rows left, want the hour-old one", n)
		}
		if s := summary(); s.Requests != 5 || math.Abs(s.CostUSD-2.5) > 1e-9 {
			t.Errorf("summary after a second roll-up = %+v, want the same 5 requests and $2.50", s)
		}
	})
}

func TestStopDrainsTheRequestLog(t *testing.T) {
	t.Parallel()
	const n = 50
	up, arrived := slowAnthropic(t, 200*time.Millisecond, n)
	e := newObsEngine(t)
	if _, err := e.store.CreateChannel(context.Background(), store.Channel{Name: "slow", Type: "anthropic",
		BaseURL: up.URL, APIKey: "sk-slow-0123456789", Priority: 1, Weight: 1, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	answered := fire(e.URL(), n)
	select {
	case <-arrived:
	case <-time.After(15 * time.Second):
		t.Fatal("the requests never all reached the upstream")
	}
	// All n are in flight, each held 200 ms by the upstream.
	if err := e.Stop(context.Background()); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if got := <-answered; got != n {
		t.Errorf("%d of %d requests in flight were answered; Stop must let them finish", got, n)
	}
	if rows := countRows(t, e.Store().Path()); rows != n {
		t.Errorf("%d request log rows after stop, want %d", rows, n)
	}
}

// TestSIGTERMDrainsTheRequestLog kills a real `routex serve` the way a
// service manager does, with requests in flight, and counts the rows the
// next start finds.
func TestSIGTERMDrainsTheRequestLog(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the routex binary: skipped with -short")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "routex")
	if out, err := exec.Command("go", "build", "-o", bin, "../..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	home := filepath.Join(t.TempDir(), "home")
	env := []string{"ROUTEX_HOME=" + home, "ROUTEX_LISTEN=" + addr, "ROUTEX_ACCESS_KEY=" + obsAccessKey,
		"ROUTEX_ADMIN_TOKEN=" + obsAdminToken, "LC_ALL=C"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ROUTEX_") && !strings.HasPrefix(kv, "LC_ALL=") {
			env = append(env, kv)
		}
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "serve")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	base := "http://" + addr
	waitUntil(t, 20*time.Second, "routex serve to answer /health", func() bool {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})

	const n = 20
	up, arrived := slowAnthropic(t, 300*time.Millisecond, n)
	if code, raw := call(t, http.MethodPost, base+"/api/channels", obsAdminToken,
		`{"name":"slow","type":"anthropic","base_url":"`+up.URL+`","api_key":"sk-slow-0123456789"}`); code != http.StatusCreated {
		t.Fatalf("create channel: %d %s", code, raw)
	}
	answered := fire(base, n)
	select {
	case <-arrived:
	case <-time.After(15 * time.Second):
		t.Fatal("the requests never all reached the upstream")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Errorf("routex serve exited with %v after SIGTERM:\n%s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("routex serve did not exit after SIGTERM:\n%s", out.String())
	}
	got := <-answered
	if got != n {
		t.Errorf("%d of %d requests in flight were answered", got, n)
	}
	if rows := countRows(t, config.DatabasePath(home)); rows != got {
		t.Errorf("%d request log rows after SIGTERM, want %d (one per answered request)", rows, got)
	}
}

func TestReadinessFollowsChannelsAndDatabase(t *testing.T) {
	t.Parallel()
	e := newObsEngine(t)
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	ready := func(t *testing.T, want int, check, status string) {
		t.Helper()
		code, raw := call(t, http.MethodGet, srv.URL+"/health/ready", "", "")
		var rep observe.ReadyReport
		if err := json.Unmarshal(raw, &rep); err != nil || code != want {
			t.Fatalf("GET /health/ready = %d %s, want %d", code, raw, want)
		}
		for _, c := range rep.Checks {
			if c.Name == check && c.Status != status {
				t.Errorf("check %s = %+v, want %s", check, c, status)
			}
		}
	}

	t.Run("no enabled channel is 503, and one channel makes it 200", func(t *testing.T) {
		ready(t, http.StatusServiceUnavailable, "channels", observe.StatusUnhealthy)
		if _, err := e.store.CreateChannel(context.Background(), store.Channel{Name: "one", Type: "anthropic",
			BaseURL: "https://api.example.com", APIKey: "sk-one-0123456789", Priority: 1, Weight: 1, Enabled: true}); err != nil {
			t.Fatal(err)
		}
		ready(t, http.StatusOK, "channels", observe.StatusOK)
	})
	// The tests run as root here, for whom chmod 0400 changes nothing, and
	// an open SQLite connection keeps writing through its descriptor anyway.
	// Another process holding the write lock is a real and deterministic
	// unwritable state.
	t.Run("a database another process holds locked is 503 until it lets go", func(t *testing.T) {
		db, err := sql.Open("sqlite", "file://"+e.Store().Path()+"?_pragma=busy_timeout(5000)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
			t.Fatal(err)
		}
		ready(t, http.StatusServiceUnavailable, "database", observe.StatusUnhealthy)
		if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		ready(t, http.StatusOK, "database", observe.StatusOK)
	})
	t.Run("the engine's store adapter reports a closed database", func(t *testing.T) {
		st, err := store.Open(filepath.Join(t.TempDir(), "routex.db"))
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		rep := observe.NewReady(observe.ReadyOptions{DB: readyStore{st}}).Check(context.Background())
		if rep.Status != observe.StatusUnhealthy || rep.Checks[0].Name != "database" || rep.Checks[0].Status != observe.StatusUnhealthy {
			t.Errorf("readiness over a closed store = %+v, want the database check unhealthy", rep)
		}
	})
}
