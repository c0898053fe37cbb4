package engine_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
	"github.com/routex-app/routex/backend/store"
)

const (
	testAccessKey  = "rx-access-3f9c1d7be2a44c0f9a1b6e5d"
	testAdminToken = "rx-admin-8b2e6f0d94c14a7e8c3d2b1a"
)

// newTestEngine builds an engine on a fresh home folder; nothing listens
// until the caller serves Handler() or calls Start.
func newTestEngine(t *testing.T, opts ...func(*config.Config, *engine.Options)) *engine.Engine {
	t.Helper()
	cfg := config.Defaults()
	cfg.Home = t.TempDir()
	cfg.Listen = "127.0.0.1:0"
	cfg.AccessKey = testAccessKey
	cfg.AdminToken = testAdminToken
	eo := engine.Options{Version: "test", Logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&cfg, &eo)
	}
	e, err := engine.New(cfg, eo)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// serve puts e's handler on a loopback server; cleanup closes the server,
// then stops the engine.
func serve(t *testing.T, e *engine.Engine) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return srv
}

// testClient bounds every exchange so a regression fails fast, not by hanging.
var testClient = &http.Client{Timeout: 20 * time.Second}

func do(t *testing.T, method, url, host string, header http.Header, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if header != nil {
		req.Header = header
	}
	if host != "" {
		req.Host = host
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestHostGuard(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	srv := serve(t, e)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	key := http.Header{"X-Api-Key": {testAccessKey}}
	admin := http.Header{"Authorization": {"Bearer " + testAdminToken}}

	endpoints := []struct {
		name, method, path string
		header             http.Header
		body               string
	}{
		{"the proxy", http.MethodPost, "/v1/messages", key, `{"model":"m","messages":[]}`},
		{"the model list", http.MethodGet, "/v1/models", key, ""},
		{"the admin API", http.MethodGet, "/api/channels", admin, ""},
		{"the dashboard", http.MethodGet, "/", nil, ""},
		{"the base-URL probe", http.MethodHead, "/", nil, ""},
		{"health", http.MethodGet, "/health", nil, ""},
	}
	for _, ep := range endpoints {
		for _, host := range []string{"evil.example", "evil.example:" + port, "localhost.evil.example:" + port, "127.0.0.1.nip.io:" + port} {
			t.Run("a rebinding Host "+host+" cannot reach "+ep.name, func(t *testing.T) {
				t.Parallel()
				resp, body := do(t, ep.method, srv.URL+ep.path, host, ep.header.Clone(), ep.body)
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("status = %d, want 403 (%s)", resp.StatusCode, body)
				}
				if resp.Header.Get("Access-Control-Allow-Origin") != "" {
					t.Error("a CORS header was sent")
				}
			})
		}
		for _, host := range []string{"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "localhost"} {
			t.Run("Host "+host+" reaches "+ep.name, func(t *testing.T) {
				t.Parallel()
				resp, body := do(t, ep.method, srv.URL+ep.path, host, ep.header.Clone(), ep.body)
				if resp.StatusCode == http.StatusForbidden {
					t.Errorf("status = 403 for a loopback Host: %s", body)
				}
			})
		}
	}
}

func TestHostGuardLetsAllowedHostsThrough(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, func(c *config.Config, _ *engine.Options) {
		c.AllowedHosts = []string{"Routex.Example.com", "*.gw.example"}
	})
	srv := serve(t, e)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	key := http.Header{"X-Api-Key": {testAccessKey}}
	for host, want := range map[string]bool{
		"routex.example.com": true, "ROUTEX.example.com:" + port: true, "eu.gw.example:443": true, "a.b.gw.example": true,
		"gw.example": false, "routex.example.com.evil.example": false, "evil.example": false, "example.com": false,
	} {
		resp, body := do(t, http.MethodGet, srv.URL+"/v1/models", host, key.Clone(), "")
		if got := resp.StatusCode != http.StatusForbidden; got != want {
			t.Errorf("Host %s: status %d, want allowed=%v (%s)", host, resp.StatusCode, want, body)
		}
		if !want && !strings.Contains(body, "allowed_hosts") {
			t.Errorf("a refused Host is not told about allowed_hosts: %s", body)
		}
	}
}

func TestProbeAndDashboardNeedNoKey(t *testing.T) {
	t.Parallel()
	srv := serve(t, newTestEngine(t))
	for _, method := range []string{http.MethodHead, http.MethodGet} {
		t.Run(method+" / answers 200 without a key", func(t *testing.T) {
			t.Parallel()
			resp, body := do(t, method, srv.URL+"/", "", nil, "")
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status = %d", resp.StatusCode)
			}
			if method == http.MethodHead && body != "" {
				t.Errorf("HEAD sent a body: %q", body)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("security headers missing: %v", resp.Header)
			}
		})
	}
	t.Run("health answers ok", func(t *testing.T) {
		t.Parallel()
		resp, body := do(t, http.MethodGet, srv.URL+"/health", "", nil, "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"ok"`) {
			t.Errorf("health = %d %s", resp.StatusCode, body)
		}
	})
	t.Run("the admin API refuses the access key", func(t *testing.T) {
		t.Parallel()
		resp, _ := do(t, http.MethodGet, srv.URL+"/api/channels", "", http.Header{"Authorization": {"Bearer " + testAccessKey}}, "")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("status = %d, want 401", resp.StatusCode)
		}
	})
}

func TestChannelAddedThroughAPIServesAtOnce(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"`+r.Header.Get("X-Api-Key")+`"}`)
	}))
	defer up.Close()
	srv := serve(t, newTestEngine(t))
	admin := http.Header{"Authorization": {"Bearer " + testAdminToken}, "Content-Type": {"application/json"}}
	resp, body := do(t, http.MethodPost, srv.URL+"/api/channels", "", admin,
		`{"name":"api-made","type":"anthropic","base_url":"`+up.URL+`","api_key":"sk-from-api-0123456789"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create channel: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(body, "sk-from-api-0123456789") {
		t.Error("the API echoed the channel key")
	}
	resp, body = do(t, http.MethodPost, srv.URL+"/v1/messages", "", http.Header{"Authorization": {"Bearer " + testAccessKey}},
		`{"model":"m","max_tokens":1,"messages":[]}`)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "sk-from-api-0123456789") {
		t.Errorf("proxy through the new channel: %d %s", resp.StatusCode, body)
	}
}

func TestStopLetsRequestsInFlightFinish(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		time.Sleep(300 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"msg_slow","type":"message"}`)
	}))
	defer up.Close()
	e := newTestEngine(t)
	if _, err := e.Store().CreateChannel(context.Background(), store.Channel{
		Name: "slow", Type: "anthropic", BaseURL: up.URL, APIKey: "sk-slow", Priority: 1, Weight: 1, Enabled: true,
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			e.Stop(context.Background())
		}
	})

	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, e.URL()+"/v1/messages", strings.NewReader(`{"model":"m","messages":[]}`))
		req.Header.Set("X-Api-Key", testAccessKey)
		resp, err := testClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{resp.StatusCode, string(b), err}
	}()
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("the request never reached the upstream")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stopped = true
	if err := e.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
	select {
	case r := <-done:
		if r.err != nil || r.status != http.StatusOK || r.body != `{"id":"msg_slow","type":"message"}` {
			t.Errorf("in-flight request ended with %d %q %v, want 200 and the whole body", r.status, r.body, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the in-flight request did not finish")
	}

	st, err := store.Open(config.DatabasePath(e.Config().Home))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs, err := st.RecentRequestLogs(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 || logs[0].Status != 200 || logs[0].ChannelName != "slow" {
		t.Errorf("request logs after stop = %+v, want the in-flight request", logs)
	}
}
