package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
	testfixture "github.com/routex-app/routex/backend/internal/fixture"
	"github.com/routex-app/routex/backend/store"
)

// Keys used by every test engine. They are long and distinctive so a log
// grep cannot match them by accident.
const (
	testAccessKey  = "rx-access-3f9c1d7be2a44c0f9a1b6e5d"
	testAdminToken = "rx-admin-8b2e6f0d94c14a7e8c3d2b1a"
	testChannelKey = "sk-channel-5d1a9e7c3b2f4e6a8c0d"
)

// testEngine is a whole Routex engine behind a real loopback server.
type testEngine struct {
	e   *engine.Engine
	srv *httptest.Server
	url string
}

// engineOption adjusts the config or options of a test engine.
type engineOption func(*config.Config, *engine.Options)

func withTimeouts(firstByteMS, idleMS int) engineOption {
	return func(c *config.Config, _ *engine.Options) {
		if firstByteMS > 0 {
			c.Timeouts.FirstByteMS = firstByteMS
		}
		if idleMS > 0 {
			c.Timeouts.IdleMS = idleMS
		}
	}
}

func withLogger(l *slog.Logger) engineOption {
	return func(_ *config.Config, o *engine.Options) { o.Logger = l }
}

// newTestEngine builds an engine on a fresh home folder and serves its
// handler on loopback. Cleanup closes the server, then stops the engine,
// unless the test stopped it itself (stop).
func newTestEngine(t testing.TB, opts ...engineOption) *testEngine {
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
	te := &testEngine{e: e, srv: httptest.NewServer(e.Handler())}
	te.url = te.srv.URL
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { te.stopNow(t) }) })
	return te
}

// stopNow closes the loopback server (waiting for handlers) and stops the
// engine, which drains the request log and closes the store.
func (te *testEngine) stopNow(t testing.TB) {
	t.Helper()
	te.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := te.e.Stop(ctx); err != nil {
		t.Errorf("stop engine: %v", err)
	}
}

// addChannel stores an enabled channel with test defaults filled in; tests
// that need a disabled one update it afterwards.
func (te *testEngine) addChannel(t testing.TB, c store.Channel) store.Channel {
	t.Helper()
	c.Enabled = true
	if c.Type == "" {
		c.Type = "anthropic"
	}
	if c.APIKey == "" {
		c.APIKey = testChannelKey
	}
	if c.Priority == 0 {
		c.Priority = 1
	}
	if c.Weight == 0 {
		c.Weight = 1
	}
	created, err := te.e.Store().CreateChannel(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// setActive makes target ("channel,model") the active provider.
func (te *testEngine) setActive(t testing.TB, target string) {
	t.Helper()
	r := store.DefaultRoutes()
	r.Scenarios["default"] = []string{target}
	if err := te.e.Store().PutRoutes(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

// post sends body to path with the access key as a bearer token.
func (te *testEngine) post(t testing.TB, path string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, te.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testAccessKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// testClient bounds every exchange, so a broken timeout in Routex fails a
// test quickly instead of hanging the suite.
var testClient = &http.Client{Timeout: 20 * time.Second}

// received is one request as a mock upstream saw it.
type received struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// upstream is a mock provider on loopback that records every request and
// answers with reply. It exists because tests must never reach a real
// provider, yet must see exactly what Routex sends on the wire.
type upstream struct {
	*httptest.Server
	mu  sync.Mutex
	got []received
}

func newUpstream(t testing.TB, reply http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.got = append(u.got, received{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		u.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body)) // the reply may read it too
		reply(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) requests() []received {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]received(nil), u.got...)
}

// only returns the single request the mock received, failing otherwise.
func (u *upstream) only(t testing.TB) received {
	t.Helper()
	got := u.requests()
	if len(got) != 1 {
		t.Fatalf("upstream received %d requests, want 1", len(got))
	}
	return got[0]
}

// anthropicMessage is a complete non-streamed Messages API reply.
const anthropicMessage = `{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant",` +
	`"model":"glm-4.6","content":[{"type":"text","text":"Hi! How can I help?"}],"stop_reason":"end_turn",` +
	`"stop_sequence":null,"usage":{"input_tokens":2095,"output_tokens":9,"cache_read_input_tokens":0}}`

// openAICompletion is a complete non-streamed chat completion.
const openAICompletion = `{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion",` +
	`"created":1741569952,"model":"gpt-4.1-mini","choices":[{"index":0,"message":{"role":"assistant",` +
	`"content":"Hello!","refusal":null},"finish_reason":"stop"}],` +
	`"usage":{"prompt_tokens":19,"completion_tokens":2,"total_tokens":21}}`

// anthropicEvents is a whole streamed Messages reply, one SSE event each.
var anthropicEvents = []string{
	"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"glm-4.6\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n",
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
	"event: ping\ndata: {\"type\": \"ping\"}\n\n",
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n",
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"!\"}}\n\n",
	"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
	"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}\n\n",
	"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
}

// openAIChunks is a whole streamed chat completion, ending in [DONE].
var openAIChunks = []string{
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4.1-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n",
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4.1-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n",
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4.1-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},\"finish_reason\":null}]}\n\n",
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4.1-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4.1-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":2,\"total_tokens\":21}}\n\n",
	"data: [DONE]\n\n",
}

// replyJSON answers with a fixed JSON body.
func replyJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_mock")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// replySSE writes each event and flushes after it, like the real APIs.
func replySSE(events []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		for _, ev := range events {
			io.WriteString(w, ev)
			rc.Flush()
		}
	}
}

// fixture is a request captured from a real client.
type fixture struct {
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func loadFixture(t testing.TB, name string) fixture {
	t.Helper()
	raw := testfixture.Read(t, name)
	var f fixture
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return f
}

// errorEnvelope holds the fields of all the error shapes Routex answers in.
type errorEnvelope struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
		Code    any    `json:"code"`
		Status  string `json:"status"`
	} `json:"error"`
}

// readError decodes an error reply and checks that it has format's shape:
// Anthropic {"type":"error","error":{"type","message"}}, OpenAI
// {"error":{"message","type","code"}}.
func readError(t testing.TB, resp *http.Response, format string) errorEnvelope {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type = %q, want application/json; body %s", ct, raw)
	}
	var env errorEnvelope
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, raw)
	}
	switch format {
	case "anthropic":
		if env.Type != "error" || env.Error.Type == "" || env.Error.Code != nil {
			t.Errorf("not an Anthropic error envelope: %s", raw)
		}
	case "openai":
		if env.Type != "" || env.Error.Type == "" || env.Error.Code == nil {
			t.Errorf("not an OpenAI error envelope: %s", raw)
		}
	}
	if env.Error.Message == "" {
		t.Errorf("error without a message: %s", raw)
	}
	return env
}

// lockedBuffer is a bytes.Buffer safe for the engine's goroutines to log to
// while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// within fails the test unless ch yields before d passes.
func within[T any](t testing.TB, d time.Duration, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("timed out after %v waiting for %s", d, what)
		var zero T
		return zero
	}
}
