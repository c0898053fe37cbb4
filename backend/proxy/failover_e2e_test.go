package proxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
	"github.com/routex-app/routex/backend/store"
)

// End-to-end failover: a whole engine, mock upstreams that fail in each of
// the ways real providers do, and an Anthropic client that must never see
// the failure while another channel can answer.

// withRouting sets the breaker and affinity settings of a test engine.
func withRouting(r config.Routing) engineOption {
	return func(c *config.Config, _ *engine.Options) { c.Routing = r }
}

// admin calls the admin API with the admin token and returns the status
// and the parsed JSON reply.
func (te *testEngine) admin(t testing.TB, method, path, body string) (int, gjson.Result) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, te.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, gjson.ParseBytes(raw)
}

// mustAdmin is admin that fails the test unless the status is want.
func (te *testEngine) mustAdmin(t testing.TB, want int, method, path, body string) gjson.Result {
	t.Helper()
	status, res := te.admin(t, method, path, body)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, res.Raw)
	}
	return res
}

// putRoutes replaces the routing table over the admin API.
func (te *testEngine) putRoutes(t testing.TB, doc string) {
	t.Helper()
	te.mustAdmin(t, http.StatusOK, http.MethodPut, "/api/routes", doc)
}

// channelHealth reads a channel's health from GET /api/channels.
func (te *testEngine) channelHealth(t testing.TB, name string) gjson.Result {
	t.Helper()
	list := te.mustAdmin(t, http.StatusOK, http.MethodGet, "/api/channels", "")
	for _, c := range list.Get("channels").Array() {
		if c.Get("name").Str == name {
			if !c.Get("health").Exists() {
				t.Fatalf("channel %s has no health in GET /api/channels: %s", name, c.Raw)
			}
			return c.Get("health")
		}
	}
	t.Fatalf("no channel %s in GET /api/channels: %s", name, list.Raw)
	return gjson.Result{}
}

// convo numbers conversations, so each request of a test that sends many
// starts its own: session affinity keys on the first user turn, and a test
// about failover must not have a request stick to the previous one's
// channel.
var convo atomic.Int64

// fresh is the first user turn of a new conversation.
func fresh() string { return fmt.Sprintf("hello, this is conversation %d", convo.Add(1)) }

// chatBody is a small Anthropic Messages request.
func chatBody(model string, stream bool, text string) []byte {
	b, _ := json.Marshal(map[string]any{
		"model": model, "max_tokens": 256, "stream": stream,
		"messages": []any{map[string]any{"role": "user", "content": text}},
	})
	return b
}

// answerText is what the mock of channel name answers, so a test can tell
// whose answer the client got.
func answerText(name string) string { return "answer from " + name }

// answer replies as channel name would: a whole message, or its stream.
func answer(name string, stream bool) http.HandlerFunc {
	text := answerText(name)
	if stream {
		events := append([]string(nil), anthropicEvents...)
		events[3] = fmt.Sprintf("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":%q}}\n\n", text)
		events = append(events[:4], events[5:]...)
		return replySSE(events)
	}
	msg := strings.Replace(anthropicMessage, "Hi! How can I help?", text, 1)
	return replyJSON(http.StatusOK, msg)
}

// The ways a channel fails.

func fail500(w http.ResponseWriter, r *http.Request) {
	replyJSON(http.StatusInternalServerError, `{"type":"error","error":{"type":"api_error","message":"boom in A"}}`)(w, r)
}

func fail429(retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		replyJSON(http.StatusTooManyRequests, `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`)(w, r)
	}
}

// hang never answers; it returns when Routex gives up on it (bounded, so a
// broken timeout fails the test instead of hanging it).
func hang(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// hangAfterHeaders sends 200 and event-stream headers, then nothing.
func hangAfterHeaders(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	http.NewResponseController(w).Flush()
	hang(w, r)
}

// drop closes the connection without a word.
func drop(w http.ResponseWriter, r *http.Request) {
	c, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	c.Close()
}

// errorFirst answers 200 and a stream whose first event is an error.
var errorFirst = replySSE([]string{
	"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded in A\"}}\n\n",
})

// clientText is the text an Anthropic client assembles from a reply.
func clientText(t testing.TB, raw []byte, stream bool) string {
	t.Helper()
	var res anthropicResult
	if stream {
		res = readAnthropicStream(t, raw)
	} else {
		res = readAnthropicMessage(t, raw)
	}
	var s strings.Builder
	for _, b := range res.Content {
		s.WriteString(b.Text)
	}
	return s.String()
}

// logsOf stops the engine and reads up to n request logs, oldest first.
func logsOf(t testing.TB, te *testEngine, n int) []store.RequestLog {
	t.Helper()
	path := te.e.Store().Path()
	te.stopNow(t)
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs, err := st.RecentRequestLogs(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(logs)-1; i < j; i, j = i+1, j-1 {
		logs[i], logs[j] = logs[j], logs[i]
	}
	return logs
}

// twoChannels makes channel A (priority 1) and B (priority 2) on the mocks,
// no route: failover by priority. B has its own generous timeout_ms, so
// the short first-byte limit some tests set tests A alone, however slow a
// loaded machine makes B's answer.
func twoChannels(t testing.TB, te *testEngine, a, b *upstream) (store.Channel, store.Channel) {
	t.Helper()
	ca := te.addChannel(t, store.Channel{Name: "A", BaseURL: a.URL, Priority: 1})
	cb := te.addChannel(t, store.Channel{Name: "B", BaseURL: b.URL, Priority: 2, TimeoutMS: 10_000})
	return ca, cb
}

func TestFailoverToTheNextChannel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		a       http.HandlerFunc
		streams []bool
		aHits   int    // requests A must have received
		aError  string // in the failed attempt's error
		aStatus int    // the failed attempt's status (0: none, A never answered one)
	}{
		{"a 500 from A", fail500, []bool{false, true}, 1, "boom in A", 500},
		{"a 429 with retry-after from A", fail429("30"), []bool{false, true}, 1, "slow down", 429},
		{"A hanging past the first-byte timeout", hang, []bool{false, true}, 1, "no response in time", 504},
		{"A dropping the connection", drop, []bool{false, true}, 2, "cannot reach", 0},
		{"an error event as A's first SSE event", errorFirst, []bool{true}, 1, "Overloaded in A", 529},
		{"A ending its stream before the first event", replySSE(nil), []bool{true}, 1, "before its first event", 0},
		{"a 404 for a model A's account lacks", replyJSON(http.StatusNotFound,
			`{"type":"error","error":{"type":"not_found_error","message":"model: claude-sonnet-4-5"}}`), []bool{false, true}, 1, "channel A: model: claude-sonnet-4-5", 404},
		{"a 404 page from A's wrong base_url", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "<html><body>404 page not found</body></html>")
		}, []bool{false, true}, 1, "upstream answered 404 Not Found", 404},
		{"a 200 captive-portal page from A", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head><body>Sign in</body></html>")
		}, []bool{false, true}, 1, "web page (title Hotel Wi-Fi)", 0},
		{"an empty 200 from A", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
		}, []bool{false}, 1, "empty body", 0},
		{"an empty 200 stream from A", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, ": keep-alive\n\n")
		}, []bool{true}, 1, "empty stream", 0},
		{"a JSON error in a 200 from A", replyJSON(http.StatusOK, `{"error":{"message":"Insufficient balance in A","type":"insufficient_quota"}}`),
			[]bool{false, true}, 1, "channel A: Insufficient balance in A", 429},
		{"a stream from A whose first event is not Anthropic's", replySSE([]string{"data: <html>502 Bad Gateway</html>\n\n"}),
			[]bool{true}, 1, "first event is a web page", 0},
		{"a 400 saying A has no such model", replyJSON(http.StatusBadRequest,
			`{"error":{"message":"Model Not Exist","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}`), []bool{false}, 1, "Model Not Exist", 400},
	}
	for _, tc := range cases {
		for _, stream := range tc.streams {
			kind := "a whole message"
			if stream {
				kind = "a stream"
			}
			t.Run(tc.name+" gives the client B's answer as "+kind, func(t *testing.T) {
				t.Parallel()
				te := newTestEngine(t, withTimeouts(200, 0))
				a := newUpstream(t, tc.a)
				b := newUpstream(t, answer("B", stream))
				twoChannels(t, te, a, b)

				began := time.Now()
				resp := te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", stream, fresh()), nil)
				raw := readOK(t, resp)
				if got := clientText(t, raw, stream); got != answerText("B") {
					t.Fatalf("client got %q, want B's answer:\n%s", got, raw)
				}
				if d := time.Since(began); d > 5*time.Second {
					t.Errorf("failover took %v", d)
				}
				if n := len(a.requests()); n != tc.aHits {
					t.Errorf("A received %d requests, want %d", n, tc.aHits)
				}
				b.only(t)

				logs := logsOf(t, te, 5)
				if len(logs) != 1 {
					t.Fatalf("%d request logs, want 1", len(logs))
				}
				l := logs[0]
				if l.Status != http.StatusOK || l.ChannelName != "B" || l.Error != "" || l.Scenario != "default" {
					t.Errorf("log: status %d channel %q error %q scenario %q; want 200, B, no error, default",
						l.Status, l.ChannelName, l.Error, l.Scenario)
				}
				if len(l.Attempts) != 1 {
					t.Fatalf("log has %d failed attempts, want 1: %+v", len(l.Attempts), l.Attempts)
				}
				at := l.Attempts[0]
				if at.ChannelName != "A" || !strings.Contains(at.Error, "A") || !strings.Contains(at.Error, tc.aError) || at.Status != tc.aStatus {
					t.Errorf("failed attempt = %+v, want channel A, status %d and an error with %q", at, tc.aStatus, tc.aError)
				}
			})
		}
	}

	t.Run("A sending headers then nothing past the first-byte timeout gives the client B's stream", func(t *testing.T) {
		t.Parallel()
		// The idle limit is left at its 5-minute default: the first-byte
		// limit must cover the wait for the first event, or a provider that
		// sends headers early and then stalls holds the client for minutes.
		te := newTestEngine(t, withTimeouts(200, 0))
		a := newUpstream(t, hangAfterHeaders)
		b := newUpstream(t, answer("B", true))
		twoChannels(t, te, a, b)
		raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", true, fresh()), nil))
		if got := clientText(t, raw, true); got != answerText("B") {
			t.Fatalf("client got %q, want B's answer", got)
		}
	})

	t.Run("a 401 from A's revoked key fails over, a 400 from A does not", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		var status atomic.Int32
		status.Store(http.StatusUnauthorized)
		a := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			replyJSON(int(status.Load()), `{"type":"error","error":{"type":"x","message":"no"}}`)(w, r)
		})
		b := newUpstream(t, answer("B", false))
		twoChannels(t, te, a, b)
		readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
		status.Store(http.StatusBadRequest)
		resp := te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a 400 from A gave status %d, want 400 (the request is at fault, every channel would say so)", resp.StatusCode)
		}
		readError(t, resp, "anthropic")
		if n := len(b.requests()); n != 1 {
			t.Errorf("B received %d requests, want 1 (only the 401 fails over)", n)
		}
	})
}

func TestAllChannelsDown(t *testing.T) {
	t.Parallel()

	for _, format := range []string{"anthropic", "openai"} {
		t.Run("an "+format+" client gets one error in its format naming what each channel said", func(t *testing.T) {
			t.Parallel()
			te := newTestEngine(t)
			a := newUpstream(t, fail500)
			b := newUpstream(t, replyJSON(http.StatusServiceUnavailable, `{"type":"error","error":{"type":"api_error","message":"B is down for maintenance"}}`))
			twoChannels(t, te, a, b)
			path, body := "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh())
			if format == "openai" {
				path = "/v1/chat/completions"
				body = []byte(`{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}`)
			}
			resp := te.postAs(t, format, path, body, nil)
			if resp.StatusCode < 500 {
				t.Errorf("status %d, want a 5xx", resp.StatusCode)
			}
			env := readError(t, resp, format)
			msg := env.Error.Message
			for _, want := range []string{"channel A", "boom in A", "channel B", "B is down for maintenance"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
			logs := logsOf(t, te, 5)
			if len(logs) != 1 || len(logs[0].Attempts) != 2 || logs[0].Error == "" {
				t.Fatalf("log: %+v, want one row with both attempts and the error", logs)
			}
			if logs[0].Attempts[0].ChannelName != "A" || logs[0].Attempts[1].ChannelName != "B" {
				t.Errorf("attempts %+v, want A then B", logs[0].Attempts)
			}
		})
	}

	t.Run("all channels rate-limited gives 429 with the soonest Retry-After", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		a := newUpstream(t, fail429("30"))
		b := newUpstream(t, fail429("7"))
		twoChannels(t, te, a, b)
		resp := te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil)
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 429", resp.StatusCode)
		}
		ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || ra < 1 || ra > 7 {
			t.Errorf("Retry-After = %q, want 1..7 seconds (B's)", resp.Header.Get("Retry-After"))
		}
		env := readError(t, resp, "anthropic")
		if env.Error.Type != "rate_limit_error" {
			t.Errorf("error type %q, want rate_limit_error", env.Error.Type)
		}
	})

	t.Run("all channels rate-limited without saying for how long still gives a Retry-After", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		a := newUpstream(t, fail429(""))
		b := newUpstream(t, fail429(""))
		twoChannels(t, te, a, b)
		resp := te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil)
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 429", resp.StatusCode)
		}
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 {
			t.Errorf("Retry-After = %q, want the cooldown Routex applied", resp.Header.Get("Retry-After"))
		}
	})
}

func TestRateLimitCooldown(t *testing.T) {
	t.Parallel()

	t.Run("a 429 with retry-after 30 sends the next requests straight to B", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		a := newUpstream(t, fail429("30"))
		b := newUpstream(t, answer("B", false))
		twoChannels(t, te, a, b)
		for i := range 4 {
			raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
			if got := clientText(t, raw, false); got != answerText("B") {
				t.Fatalf("request %d: client got %q", i, got)
			}
		}
		if n := len(a.requests()); n != 1 {
			t.Errorf("A received %d requests, want 1: a cooling channel must not be called", n)
		}
		if n := len(b.requests()); n != 4 {
			t.Errorf("B received %d requests, want 4", n)
		}
		h := te.channelHealth(t, "A")
		until, err := time.Parse(time.RFC3339Nano, h.Get("cooldown_until").Str)
		if err != nil {
			t.Fatalf("A's health has no cooldown_until: %s", h.Raw)
		}
		if left := time.Until(until); left < 20*time.Second || left > 31*time.Second {
			t.Errorf("A cools down for %v more, want about 30s: %s", left, h.Raw)
		}
		if hb := te.channelHealth(t, "B"); hb.Get("cooldown_until").Exists() || hb.Get("state").Str != "closed" {
			t.Errorf("B's health = %s, want closed with no cooldown", hb.Raw)
		}
	})
}

func TestCircuitBreaker(t *testing.T) {
	t.Parallel()

	t.Run("three 500s in a row open A's breaker and later requests skip A", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t, withRouting(config.Routing{FailureThreshold: 3}))
		a := newUpstream(t, fail500)
		b := newUpstream(t, answer("B", false))
		twoChannels(t, te, a, b)
		for i := range 3 {
			readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
			if n := len(a.requests()); n != i+1 {
				t.Fatalf("after request %d A received %d requests", i+1, n)
			}
		}
		if h := te.channelHealth(t, "A"); h.Get("state").Str != "open" || h.Get("failures").Int() != 3 {
			t.Fatalf("A's health = %s, want open after 3 failures", h.Raw)
		}
		for range 5 {
			readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
		}
		if n := len(a.requests()); n != 3 {
			t.Errorf("A received %d requests, want 3: an open breaker must keep A out of the way", n)
		}
		h := te.channelHealth(t, "A")
		if h.Get("state").Str != "open" || !strings.Contains(h.Get("last_error").Str, "boom in A") {
			t.Errorf("A's health = %s, want open with its last error", h.Raw)
		}
		if _, err := time.Parse(time.RFC3339Nano, h.Get("cooldown_until").Str); err != nil {
			t.Errorf("an open breaker shows no cooldown_until: %s", h.Raw)
		}
	})

	t.Run("a channel whose breaker is open is still tried when every other channel fails", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t, withRouting(config.Routing{FailureThreshold: 1}))
		var aUp atomic.Bool
		a := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			if aUp.Load() {
				answer("A", false)(w, r)
				return
			}
			fail500(w, r)
		})
		var bUp atomic.Bool
		bUp.Store(true)
		b := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			if bUp.Load() {
				answer("B", false)(w, r)
				return
			}
			fail500(w, r)
		})
		twoChannels(t, te, a, b)
		readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
		if h := te.channelHealth(t, "A"); h.Get("state").Str != "open" {
			t.Fatalf("A's health = %s, want open", h.Raw)
		}
		aUp.Store(true)
		bUp.Store(false)
		raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
		if got := clientText(t, raw, false); got != answerText("A") {
			t.Fatalf("client got %q, want A's answer as the last resort", got)
		}
	})
}

func TestDisabledChannelGetsNoTraffic(t *testing.T) {
	t.Parallel()

	t.Run("a disabled active provider stays disabled through many successes until the user enables it", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		a := newUpstream(t, answer("A", false))
		b := newUpstream(t, answer("B", false))
		ca, _ := twoChannels(t, te, a, b)
		te.putRoutes(t, `{"routes":{"default":["A","B"]}}`)
		send := func() string {
			t.Helper()
			raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
			return clientText(t, raw, false)
		}
		if got := send(); got != answerText("A") {
			t.Fatalf("before disabling, client got %q, want A's answer", got)
		}
		te.mustAdmin(t, http.StatusOK, http.MethodPatch, fmt.Sprintf("/api/channels/%d", ca.ID), `{"enabled":false}`)
		for i := range 20 {
			if got := send(); got != answerText("B") {
				t.Fatalf("request %d after disabling A: client got %q", i, got)
			}
		}
		// Making A the active provider again does not enable it either.
		te.mustAdmin(t, http.StatusOK, http.MethodPut, "/api/active", fmt.Sprintf(`{"channel_id":%d}`, ca.ID))
		for i := range 5 {
			if got := send(); got != answerText("B") {
				t.Fatalf("request %d with disabled A active: client got %q", i, got)
			}
		}
		if n := len(a.requests()); n != 1 {
			t.Fatalf("A received %d requests, want only the one before it was disabled", n)
		}
		if c := te.mustAdmin(t, http.StatusOK, http.MethodGet, fmt.Sprintf("/api/channels/%d", ca.ID), ""); c.Get("enabled").Bool() {
			t.Fatalf("A was enabled by something other than the user: %s", c.Raw)
		}
		te.mustAdmin(t, http.StatusOK, http.MethodPatch, fmt.Sprintf("/api/channels/%d", ca.ID), `{"enabled":true}`)
		if got := send(); got != answerText("A") {
			t.Fatalf("after enabling A again, client got %q", got)
		}
	})

	t.Run("a disabled channel is not used even when it is the only route target and every other channel fails", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		a := newUpstream(t, answer("A", false))
		b := newUpstream(t, fail500)
		ca, _ := twoChannels(t, te, a, b)
		te.setActive(t, "A")
		te.mustAdmin(t, http.StatusOK, http.MethodPatch, fmt.Sprintf("/api/channels/%d", ca.ID), `{"enabled":false}`)
		resp := te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil)
		env := readError(t, resp, "anthropic")
		if !strings.Contains(env.Error.Message, "channel B") {
			t.Errorf("error %q does not name B", env.Error.Message)
		}
		if n := len(a.requests()); n != 0 {
			t.Errorf("disabled A received %d requests", n)
		}
	})
}
