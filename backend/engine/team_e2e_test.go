package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/store/pgtest"
)

// Two Routex instances on one PostgreSQL database, end to end: what one
// instance's admin API changes serves on the other within a second, both
// dashboards show both instances' traffic, keys per person are revoked
// and limited across both (team_keys_e2e_test.go), and killing one instance
// mid-load (SIGKILL: no drain, connections cut) loses no request-log row of
// the requests the other one completed.

// envEngineProcess makes the test binary run one engine instead of the
// tests: instance A runs that way, as a process of its own to kill.
const envEngineProcess = "ROUTEX_TEST_ENGINE_PROCESS"

// TestMain runs an engine process when asked to, else the tests; it stops
// the PostgreSQL test server, if a test started one.
func TestMain(m *testing.M) {
	if os.Getenv(envEngineProcess) != "" {
		os.Exit(runEngineProcess())
	}
	os.Exit(pgtest.Main(m))
}

// runEngineProcess starts an engine from the environment (ROUTEX_HOME,
// ROUTEX_DATABASE_URL, keys), prints its URL on stdout and serves until
// killed or interrupted.
func runEngineProcess() int {
	home, err := config.Home()
	if err == nil {
		var cfg config.Config
		if cfg, err = config.Load(home); err == nil {
			cfg.Listen = "127.0.0.1:0"
			var e *Engine
			if e, err = New(cfg, Options{Version: "test", Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}); err == nil {
				if err = e.Start(); err == nil {
					fmt.Println("engine-url", e.URL())
					sig := make(chan os.Signal, 1)
					signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
					<-sig
					e.Stop(context.Background())
					return 0
				}
			}
		}
	}
	fmt.Fprintln(os.Stderr, "engine process:", err)
	return 1
}

// teamAnthropic is a strict stand-in for an Anthropic-format provider: it
// wants the channel's key and a model, and answers with the model it was
// asked for in its text (the reply's own model field names the client's
// model again), so a reply shows which route served it.
func teamAnthropic(t *testing.T, key string) *httptest.Server {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string `json:"model"`
		}
		err := json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path != "/v1/messages" || r.Header.Get("X-Api-Key") != key:
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`)
			return
		case err != nil || req.Model == "":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"type":"error","error":{"type":"invalid_request_error","message":"model: field required"}}`)
			return
		}
		time.Sleep(2 * time.Millisecond)
		fmt.Fprintf(w, `{"id":"msg_%d","type":"message","role":"assistant","model":%q,`+
			`"content":[{"type":"text","text":%q}],"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":2}}`,
			n.Add(1), req.Model, req.Model)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// teamEngine starts an engine in this process on the shared database.
func teamEngine(t *testing.T, dbURL string) *Engine {
	t.Helper()
	cfg := config.Defaults()
	cfg.Home, cfg.Listen, cfg.DatabaseURL = t.TempDir(), "127.0.0.1:0", dbURL
	cfg.AccessKey, cfg.AdminToken = obsAccessKey, obsAdminToken
	e, err := New(cfg, Options{Version: "test", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Stop(context.Background()) })
	return e
}

// engineProcess starts an engine as a child process on the shared database
// and returns its URL and a function that kills it with SIGKILL.
func engineProcess(t *testing.T, dbURL string) (url string, kill func()) {
	t.Helper()
	env := []string{envEngineProcess + "=1", config.EnvHome + "=" + t.TempDir(),
		config.EnvDatabaseURL + "=" + dbURL, config.EnvAccessKey + "=" + obsAccessKey,
		config.EnvAdminToken + "=" + obsAdminToken}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ROUTEX_") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = env
	var logs strings.Builder
	var logsMu sync.Mutex
	cmd.Stderr = writerFunc(func(p []byte) (int, error) { logsMu.Lock(); defer logsMu.Unlock(); return logs.Write(p) })
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	kill = func() {
		cmd.Process.Kill()
		<-exited
	}
	t.Cleanup(kill)
	t.Cleanup(func() {
		if t.Failed() {
			logsMu.Lock()
			defer logsMu.Unlock()
			t.Logf("the engine process's log:\n%s", logs.String())
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "engine-url "); ok {
				lines <- u
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case url = <-lines:
		return url, kill
	case <-exited:
	case <-time.After(60 * time.Second):
	}
	logsMu.Lock()
	defer logsMu.Unlock()
	t.Fatalf("the engine process did not start:\n%s", logs.String())
	return "", nil
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// proxyCall sends one Anthropic request to base with the given user agent
// and returns the status and the model the upstream was asked for.
func proxyCall(client *http.Client, base, agent, model string) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/v1/messages",
		strings.NewReader(`{"model":"`+model+`","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("X-Api-Key", obsAccessKey)
	req.Header.Set("User-Agent", agent)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var out struct {
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	}
	raw, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode == http.StatusOK {
		err = json.Unmarshal(raw, &out)
	}
	if len(out.Content) == 0 {
		return resp.StatusCode, "", err
	}
	return resp.StatusCode, out.Content[0].Text, err
}

func TestTwoInstancesShareOnePostgresDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second engine process: skipped with -short")
	}
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.URL(t)
	const channelKey = "sk-team-0123456789abcdef"
	up := teamAnthropic(t, channelKey)
	aURL, killA := engineProcess(t, dbURL)
	b := teamEngine(t, dbURL)
	bURL := b.URL()
	client := &http.Client{Timeout: 10 * time.Second}

	// A channel added on A serves on B within a second.
	if code, raw := call(t, http.MethodPost, aURL+"/api/channels", obsAdminToken,
		`{"name":"team","type":"anthropic","base_url":"`+up.URL+`","api_key":"`+channelKey+`",`+
			`"models":["upstream-1","upstream-2"]}`); code != http.StatusCreated {
		t.Fatalf("create the channel on A: %d %s", code, raw)
	}
	created := time.Now()
	for {
		code, _, _ := proxyCall(client, bURL, "team-test/probe", "upstream-1")
		if code == http.StatusOK {
			break
		}
		if time.Since(created) > time.Second {
			t.Fatalf("the channel created on A did not serve on B within a second (last status %d)", code)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("a channel created on A served on B after %v", time.Since(created))

	// A route change on B is seen by A. A model the channel does not list
	// becomes the channel's first model until the default route names
	// upstream-2.
	if code, model, err := proxyCall(client, aURL, "team-test/probe", "claude-sonnet-4-5"); code != http.StatusOK ||
		model != "upstream-1" {
		t.Fatalf("before the route change, A sent %q upstream (%d %v); want the channel's first model", model, code, err)
	}
	code, raw := call(t, http.MethodGet, bURL+"/api/routes", obsAdminToken, "")
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); code != http.StatusOK || err != nil {
		t.Fatalf("GET /api/routes on B: %d %s", code, raw)
	}
	doc["routes"].(map[string]any)["default"] = []string{"team,upstream-2"}
	body, _ := json.Marshal(doc)
	if code, raw := call(t, http.MethodPut, bURL+"/api/routes", obsAdminToken, string(body)); code != http.StatusOK {
		t.Fatalf("PUT /api/routes on B: %d %s", code, raw)
	}
	changed := time.Now()
	for {
		code, model, _ := proxyCall(client, aURL, "team-test/probe", "claude-sonnet-4-5")
		if code == http.StatusOK && model == "upstream-2" {
			break
		}
		if time.Since(changed) > time.Second {
			t.Fatalf("A did not follow B's route change within a second (status %d, model %q)", code, model)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("a route changed on B applied on A after %v", time.Since(changed))

	// B's readiness names the shared database (no password) and its feed.
	code, raw = call(t, http.MethodGet, bURL+"/health/ready", "", "")
	var ready struct {
		Checks []struct{ Name, Status, Message string } `json:"checks"`
	}
	if err := json.Unmarshal(raw, &ready); err != nil || code != http.StatusOK {
		t.Fatalf("GET /health/ready on B: %d %s", code, raw)
	}
	for _, c := range ready.Checks {
		if c.Name == "database" && (c.Status != "ok" || !strings.Contains(c.Message, "PostgreSQL at postgres://") ||
			!strings.Contains(c.Message, "arrive at once") || strings.Contains(c.Message, pgtest.Password)) {
			t.Errorf("B's database readiness = %+v", c)
		}
	}

	// Traffic on both; each dashboard shows both instances' rows.
	for i := range 10 {
		for _, to := range []struct{ url, agent string }{{aURL, "team-test/A"}, {bURL, "team-test/B"}} {
			if code, _, err := proxyCall(client, to.url, to.agent, "m"); code != http.StatusOK {
				t.Fatalf("request %d to %s: %d %v", i, to.agent, code, err)
			}
		}
	}
	for _, dash := range []struct{ name, url string }{{"A", aURL}, {"B", bURL}} {
		waitUntil(t, 5*time.Second, "dashboard "+dash.name+" to list both instances' rows", func() bool {
			code, raw := call(t, http.MethodGet, dash.url+"/api/logs?limit=500&q=team-test/", obsAdminToken, "")
			var page struct {
				Logs []struct {
					UserAgent string `json:"user_agent"`
				} `json:"logs"`
			}
			if code != http.StatusOK || json.Unmarshal(raw, &page) != nil {
				t.Fatalf("GET /api/logs on %s: %d %s", dash.name, code, raw)
			}
			seen := map[string]int{}
			for _, l := range page.Logs {
				seen[l.UserAgent]++
			}
			return seen["team-test/A"] == 10 && seen["team-test/B"] == 10
		})
	}

	// Keys per person: revocation and limits across both instances.
	teamKeys(t, aURL, bURL)

	// Load on both, then A dies mid-load.
	stop := make(chan struct{})
	var completedB, failedB, completedA atomic.Int64
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			base, agent := bURL, "team-test/B-load"
			if w%2 == 1 {
				base, agent = aURL, "team-test/A-load"
			}
			c := &http.Client{Timeout: 10 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, _, err := proxyCall(c, base, agent, "m")
				switch {
				case agent == "team-test/A-load":
					if code == http.StatusOK {
						completedA.Add(1)
					}
				case code == http.StatusOK && err == nil:
					completedB.Add(1)
				default:
					failedB.Add(1)
				}
			}
		})
	}
	waitUntil(t, 10*time.Second, "load on both instances", func() bool { return completedA.Load() > 20 && completedB.Load() > 20 })
	killA()
	atKill := completedB.Load()
	waitUntil(t, 10*time.Second, "B to keep serving after A died", func() bool { return completedB.Load() > atKill+20 })
	close(stop)
	wg.Wait()
	if failedB.Load() != 0 {
		t.Errorf("%d requests to B failed while A died", failedB.Load())
	}

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows := func(agent string) int64 {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM request_logs WHERE user_agent = $1", agent).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := completedB.Load()
	deadline := time.Now().Add(10 * time.Second)
	for rows("team-test/B-load") < want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := rows("team-test/B-load"); got != want {
		t.Errorf("%d request-log rows for the %d requests B completed; want one each", got, want)
	}
	t.Logf("A completed %d requests before it was killed (%d rows made it); B completed %d (%d after the kill), all logged",
		completedA.Load(), rows("team-test/A-load"), want, want-atKill)
}
