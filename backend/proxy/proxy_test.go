package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/provider"
	"github.com/routex-app/routex/backend/proxy"
	"github.com/routex-app/routex/backend/store"
)

func TestAnthropicPassthrough(t *testing.T) {
	t.Parallel()

	t.Run("a Claude Code request reaches the upstream with only the model and key swapped", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replyJSON(http.StatusOK, anthropicMessage))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "zhipu", BaseURL: up.URL, ModelMap: map[string]string{"claude-opus-4-8": "glm-4.6"}})

		fx := loadFixture(t, "claude-code-2.1.197-messages.json")
		sent, err := sjson.SetBytes(fx.Body, "stream", false)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, te.url+"/v1/messages", bytes.NewReader(sent))
		for k, v := range fx.Headers {
			if k != "connection" {
				req.Header.Set(k, v)
			}
		}
		req.Header.Set("Authorization", "Bearer "+testAccessKey)
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		gotBody, _ := io.ReadAll(resp.Body)
		// The upstream's JSON, naming the model the client asked for.
		if want := strings.Replace(anthropicMessage, `"glm-4.6"`, `"claude-opus-4-8"`, 1); resp.StatusCode != http.StatusOK || string(gotBody) != want {
			t.Fatalf("client got %d %s, want 200 and the upstream's JSON with the client's model", resp.StatusCode, gotBody)
		}

		in := up.only(t)
		if in.Method != http.MethodPost || in.Path != "/v1/messages" {
			t.Errorf("upstream got %s %s, want POST /v1/messages", in.Method, in.Path)
		}
		for header, want := range map[string]string{
			"X-Api-Key":                  testChannelKey,
			"Anthropic-Version":          fx.Headers["anthropic-version"],
			"Anthropic-Beta":             fx.Headers["anthropic-beta"],
			"User-Agent":                 fx.Headers["user-agent"],
			"X-Claude-Code-Session-Id":   fx.Headers["x-claude-code-session-id"],
			"Content-Type":               "application/json",
			"Authorization":              "",
			"X-Forwarded-For":            "",
			"Anthropic-Dangerous-Direct": "",
		} {
			if got := in.Header.Get(header); got != want {
				t.Errorf("upstream header %s = %q, want %q", header, got, want)
			}
		}
		for k, vs := range in.Header {
			for _, v := range vs {
				if strings.Contains(v, testAccessKey) {
					t.Errorf("the client's access key went upstream in %s", k)
				}
			}
		}
		if bytes.Contains(in.Body, []byte(testAccessKey)) {
			t.Error("the client's access key went upstream in the body")
		}

		if m := gjson.GetBytes(in.Body, "model").Str; m != "glm-4.6" {
			t.Errorf("upstream model = %q, want the mapped glm-4.6", m)
		}
		// Byte for byte: putting the client's model back gives what the
		// client sent.
		restored, err := sjson.SetBytes(in.Body, "model", "claude-opus-4-8")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(restored, sent) {
			t.Errorf("body changed beyond the model field:\nsent %.300s\ngot  %.300s", sent, in.Body)
		}
		var a, b map[string]any
		json.Unmarshal(sent, &a)
		json.Unmarshal(in.Body, &b)
		delete(a, "model")
		delete(b, "model")
		if !reflect.DeepEqual(a, b) {
			t.Error("decoded bodies differ beyond the model field")
		}
		for _, path := range []string{"system.#.cache_control", "tools.#.name", "metadata.user_id", "thinking", "context_management"} {
			if !gjson.GetBytes(in.Body, path).Exists() || gjson.GetBytes(in.Body, path).Raw != gjson.GetBytes(sent, path).Raw {
				t.Errorf("%s did not survive: %s", path, gjson.GetBytes(in.Body, path).Raw)
			}
		}
	})

	t.Run("a model the channel does not map goes upstream as the client named it", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replyJSON(http.StatusOK, anthropicMessage))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "anthropic", BaseURL: up.URL + "/v1/", ModelMap: map[string]string{"other": "x"}})
		resp := te.post(t, "/v1/messages", []byte(`{"model":"claude-haiku-4-5","max_tokens":5,"messages":[]}`))
		resp.Body.Close()
		in := up.only(t)
		if in.Path != "/v1/messages" || gjson.GetBytes(in.Body, "model").Str != "claude-haiku-4-5" {
			t.Errorf("upstream got %s model %s", in.Path, gjson.GetBytes(in.Body, "model").Raw)
		}
		if in.Header.Get("Anthropic-Version") != provider.DefaultAnthropicVersion {
			t.Errorf("anthropic-version = %q, want the default when the client names none", in.Header.Get("Anthropic-Version"))
		}
	})
}

func TestOpenAIPassthroughNotStreamed(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, replyJSON(http.StatusOK, openAICompletion))
	te := newTestEngine(t)
	te.addChannel(t, store.Channel{Name: "openai", Type: "openai", BaseURL: up.URL + "/v1",
		ModelMap: map[string]string{"gpt-4o": "gpt-4.1-mini"}})

	sent := []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0.2,"x_unknown":{"a":[1,2]}}`)
	resp := te.post(t, "/v1/chat/completions", sent)
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if want := strings.Replace(openAICompletion, `"gpt-4.1-mini"`, `"gpt-4o"`, 1); resp.StatusCode != http.StatusOK || string(got) != want {
		t.Fatalf("client got %d %s, want the upstream's JSON with the client's model", resp.StatusCode, got)
	}
	in := up.only(t)
	if in.Path != "/v1/chat/completions" {
		t.Errorf("upstream path = %s, want /v1/chat/completions", in.Path)
	}
	if a := in.Header.Get("Authorization"); a != "Bearer "+testChannelKey {
		t.Errorf("upstream Authorization = %q, want the channel's key", a)
	}
	if in.Header.Get("X-Api-Key") != "" {
		t.Error("an x-api-key header went to an OpenAI upstream")
	}
	want, _ := sjson.SetBytes(sent, "model", "gpt-4.1-mini")
	if !bytes.Equal(in.Body, want) {
		t.Errorf("upstream body = %s, want %s", in.Body, want)
	}
}

func TestUnauthorizedInCallersFormat(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, replyJSON(http.StatusOK, anthropicMessage))
	te := newTestEngine(t)
	te.addChannel(t, store.Channel{Name: "a", BaseURL: up.URL})
	te.addChannel(t, store.Channel{Name: "o", Type: "openai", BaseURL: up.URL + "/v1"})

	for _, tc := range []struct {
		name, path, format string
		header             http.Header
	}{
		{"messages without a key answer in Anthropic's shape", "/v1/messages", "anthropic", http.Header{}},
		{"messages with a wrong bearer token", "/v1/messages", "anthropic", http.Header{"Authorization": {"Bearer wrong-key"}}},
		{"messages with a wrong x-api-key", "/v1/messages", "anthropic", http.Header{"X-Api-Key": {testAccessKey + "x"}}},
		{"messages with the admin token instead of the access key", "/v1/messages", "anthropic", http.Header{"Authorization": {"Bearer " + testAdminToken}}},
		{"chat completions without a key answer in OpenAI's shape", "/v1/chat/completions", "openai", http.Header{}},
		{"chat completions with a wrong bearer token", "/v1/chat/completions", "openai", http.Header{"Authorization": {"Bearer sk-nope"}}},
		{"models with a wrong key", "/v1/models", "openai", http.Header{"Authorization": {"Bearer sk-nope"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := http.MethodPost
			if tc.path == "/v1/models" {
				method = http.MethodGet
			}
			req, _ := http.NewRequest(method, te.url+tc.path, strings.NewReader(`{"model":"m","messages":[]}`))
			req.Header = tc.header
			resp, err := testClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", resp.StatusCode)
			}
			env := readError(t, resp, tc.format)
			if env.Error.Type != "authentication_error" {
				t.Errorf("error type = %q, want authentication_error", env.Error.Type)
			}
		})
	}
	t.Cleanup(func() {
		if n := len(up.requests()); n != 0 {
			t.Errorf("upstream was called %d times for unauthorised requests", n)
		}
	})
}

func TestBadRequestsInCallersFormat(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, replyJSON(http.StatusOK, anthropicMessage))
	te := newTestEngine(t)
	te.addChannel(t, store.Channel{Name: "a", BaseURL: up.URL})
	te.addChannel(t, store.Channel{Name: "o", Type: "openai", BaseURL: up.URL + "/v1"})

	bodies := []struct{ name, body string }{
		{"malformed JSON", `{"model":"m","messages":[`},
		{"a JSON array", `[{"model":"m"}]`},
		{"a missing model", `{"messages":[{"role":"user","content":"hi"}]}`},
		{"a model that is not a string", `{"model":7,"messages":[]}`},
		{"an empty body", ``},
	}
	for _, ep := range []struct{ path, format string }{
		{"/v1/messages", "anthropic"}, {"/v1/chat/completions", "openai"},
	} {
		for _, b := range bodies {
			t.Run(ep.format+" caller sending "+b.name+" gets 400", func(t *testing.T) {
				t.Parallel()
				resp := te.post(t, ep.path, []byte(b.body))
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("status = %d, want 400", resp.StatusCode)
				}
				if env := readError(t, resp, ep.format); env.Error.Type != "invalid_request_error" {
					t.Errorf("error type = %q, want invalid_request_error", env.Error.Type)
				}
			})
		}
	}

	t.Run("a body over 32 MiB gets 413 without reaching the upstream", func(t *testing.T) {
		t.Parallel()
		const size = proxy.MaxBodyBytes + 64<<10
		req, _ := http.NewRequest(http.MethodPost, te.url+"/v1/messages", newPaddedBody(size))
		req.ContentLength = size
		req.Header.Set("X-Api-Key", testAccessKey)
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status = %d, want 413", resp.StatusCode)
		}
		if env := readError(t, resp, "anthropic"); env.Error.Type != "request_too_large" {
			t.Errorf("error type = %q, want request_too_large", env.Error.Type)
		}
	})

	t.Cleanup(func() {
		if n := len(up.requests()); n != 0 {
			t.Errorf("upstream was called %d times for bad requests", n)
		}
	})
}

// paddedBody streams a valid JSON request of exactly size bytes from one
// small reused chunk, so the test allocates the big body only on the
// server side, where Routex reads it.
type paddedBody struct {
	head, tail []byte
	pad        int // padding bytes still to send
	chunk      []byte
}

func newPaddedBody(size int) *paddedBody {
	head := []byte(`{"model":"claude-opus-4-8","max_tokens":1,"messages":[],"pad":"`)
	tail := []byte(`"}`)
	return &paddedBody{head: head, tail: tail, pad: size - len(head) - len(tail), chunk: bytes.Repeat([]byte("a"), 32<<10)}
}

func (p *paddedBody) Read(b []byte) (int, error) {
	switch {
	case len(p.head) > 0:
		n := copy(b, p.head)
		p.head = p.head[n:]
		return n, nil
	case p.pad > 0:
		n := copy(b[:min(len(b), p.pad)], p.chunk)
		p.pad -= n
		return n, nil
	case len(p.tail) > 0:
		n := copy(b, p.tail)
		p.tail = p.tail[n:]
		return n, nil
	}
	return 0, io.EOF
}

func TestUpstreamErrorsKeepStatusInCallersFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		format     string
		status     int
		body       string
		retryAfter string
		wantType   string
	}{
		{"a 500 from an Anthropic upstream is a 500 api_error", "anthropic", 500,
			`{"type":"error","error":{"type":"api_error","message":"Internal server error"}}`, "", "api_error"},
		{"a 429 keeps its retry-after", "anthropic", 429,
			`{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}`, "17", "rate_limit_error"},
		{"a 529 is overloaded", "anthropic", 529,
			`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, "", "overloaded_error"},
		{"a 500 from an OpenAI upstream is a 500 server_error", "openai", 500,
			`{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`, "", "server_error"},
		{"an OpenAI 429 keeps its retry-after", "openai", 429,
			`{"error":{"message":"Rate limit reached for gpt-4.1-mini","type":"requests","param":null,"code":"rate_limit_exceeded"}}`, "2", "rate_limit_error"},
		{"an HTML 502 page says which channel failed", "anthropic", 502,
			`<html><body><h1>502 Bad Gateway</h1></body></html>`, "", "api_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.Header().Set("Set-Cookie", "upstream=1")
				replyJSON(tc.status, tc.body)(w, r)
			})
			te := newTestEngine(t)
			path, base := "/v1/messages", up.URL
			if tc.format == "openai" {
				path, base = "/v1/chat/completions", up.URL+"/v1"
			}
			te.addChannel(t, store.Channel{Name: "flaky-provider", Type: tc.format, BaseURL: base})
			resp := te.post(t, path, []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
			if resp.StatusCode != tc.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.status)
			}
			if got := resp.Header.Get("Retry-After"); got != tc.retryAfter {
				t.Errorf("retry-after = %q, want %q", got, tc.retryAfter)
			}
			if resp.Header.Get("Set-Cookie") != "" {
				t.Error("the upstream's Set-Cookie reached the client")
			}
			env := readError(t, resp, tc.format)
			if env.Error.Type != tc.wantType {
				t.Errorf("error type = %q, want %q", env.Error.Type, tc.wantType)
			}
			if !strings.Contains(env.Error.Message, "flaky-provider") {
				t.Errorf("message %q does not name the channel", env.Error.Message)
			}
		})
	}
}

func TestUpstreamFailuresBeforeAnswer(t *testing.T) {
	t.Parallel()

	t.Run("an unreachable upstream is a 502 naming the channel", func(t *testing.T) {
		t.Parallel()
		closed := httptest.NewServer(http.NotFoundHandler())
		closed.Close()
		for _, f := range []struct{ format, path, base string }{
			{"anthropic", "/v1/messages", closed.URL},
			{"openai", "/v1/chat/completions", closed.URL + "/v1"},
		} {
			te := newTestEngine(t)
			te.addChannel(t, store.Channel{Name: "gone-" + f.format, Type: f.format, BaseURL: f.base})
			resp := te.post(t, f.path, []byte(`{"model":"m","messages":[]}`))
			if resp.StatusCode != http.StatusBadGateway {
				t.Errorf("%s: status = %d, want 502", f.format, resp.StatusCode)
			}
			if env := readError(t, resp, f.format); !strings.Contains(env.Error.Message, "gone-"+f.format) {
				t.Errorf("%s: message %q does not name the channel", f.format, env.Error.Message)
			}
		}
	})

	t.Run("an upstream that never answers is a 504 after the first-byte timeout", func(t *testing.T) {
		t.Parallel()
		cancelled := make(chan struct{}, 1)
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
			cancelled <- struct{}{}
		})
		te := newTestEngine(t, withTimeouts(200, 0))
		te.addChannel(t, store.Channel{Name: "sleepy", Type: "openai", BaseURL: up.URL + "/v1"})
		start := time.Now()
		resp := te.post(t, "/v1/chat/completions", []byte(`{"model":"m","messages":[]}`))
		if resp.StatusCode != http.StatusGatewayTimeout {
			t.Errorf("status = %d, want 504", resp.StatusCode)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("504 took %v with a 200ms first-byte timeout", took)
		}
		if env := readError(t, resp, "openai"); !strings.Contains(env.Error.Message, "sleepy") {
			t.Errorf("message %q does not name the channel", env.Error.Message)
		}
		within(t, 5*time.Second, cancelled, "the upstream call to be cancelled")
	})

	t.Run("a channel's own timeout_ms overrides the first-byte timeout", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		te := newTestEngine(t) // default first-byte timeout: minutes
		te.addChannel(t, store.Channel{Name: "slow", BaseURL: up.URL, TimeoutMS: 150})
		resp := te.post(t, "/v1/messages", []byte(`{"model":"m","messages":[]}`))
		if resp.StatusCode != http.StatusGatewayTimeout {
			t.Errorf("status = %d, want 504", resp.StatusCode)
		}
		if env := readError(t, resp, "anthropic"); env.Error.Type != "timeout_error" {
			t.Errorf("error type = %q, want timeout_error", env.Error.Type)
		}
	})
}

func TestModelsListsEnabledChannelsOnly(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	te.addChannel(t, store.Channel{Name: "on", BaseURL: "http://127.0.0.1:1", Models: []string{"glm-4.6", "glm-4.5-air"},
		ModelMap: map[string]string{"claude-opus-4-8": "glm-4.6"}})
	te.addChannel(t, store.Channel{Name: "on-openai", Type: "openai", BaseURL: "http://127.0.0.1:1/v1", Models: []string{"gpt-4.1", "glm-4.6"}, Priority: 2})
	off := te.addChannel(t, store.Channel{Name: "off", BaseURL: "http://127.0.0.1:1", Models: []string{"secret-disabled-model"},
		ModelMap: map[string]string{"mapped-disabled": "x"}})
	off.Enabled = false
	if _, err := te.e.Store().UpdateChannel(context.Background(), off); err != nil {
		t.Fatal(err)
	}

	req, _ := http.NewRequest(http.MethodGet, te.url+"/v1/models", nil)
	req.Header.Set("X-Api-Key", testAccessKey)
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			ID      string `json:"id"`
			Object  string `json:"object"`
			OwnedBy string `json:"owned_by"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range list.Data {
		ids = append(ids, m.ID)
	}
	// Clients' names from model maps, then models, then channel,model.
	want := []string{"claude-opus-4-8", "glm-4.6", "glm-4.5-air", "gpt-4.1",
		"on,glm-4.6", "on,glm-4.5-air", "on-openai,gpt-4.1", "on-openai,glm-4.6"}
	if list.Object != "list" || !reflect.DeepEqual(ids, want) {
		t.Errorf("models = %v (object %q), want %v", ids, list.Object, want)
	}
	if list.Data[0].OwnedBy != "on" || list.Data[3].OwnedBy != "on-openai" || list.Data[0].Object != "model" {
		t.Errorf("entries = %+v", list.Data)
	}
}

func TestChannelChoice(t *testing.T) {
	t.Parallel()
	type ch struct {
		name, typ string
		priority  int
		disabled  bool
		models    []string
	}
	for _, tc := range []struct {
		name      string
		channels  []ch
		active    string
		path      string
		wantUsed  string // channel whose upstream must be called; "" for none
		wantModel string
	}{
		{
			name:     "the active provider wins over a better-priority channel of its type",
			channels: []ch{{"best", "anthropic", 1, false, nil}, {"act", "anthropic", 5, false, []string{"glm-4.6"}}},
			active:   "act,glm-4.6", path: "/v1/messages", wantUsed: "act", wantModel: "glm-4.6",
		},
		{
			name:     "an active provider of the other format serves the request, converted",
			channels: []ch{{"act", "openai", 1, false, nil}, {"second", "anthropic", 3, false, nil}, {"first", "anthropic", 2, false, nil}},
			active:   "act,gpt-4.1", path: "/v1/messages", wantUsed: "act", wantModel: "gpt-4.1",
		},
		{
			name:     "without an active provider a channel of the client's format is preferred over a better-priority one of another",
			channels: []ch{{"o", "openai", 1, false, nil}, {"second", "anthropic", 3, false, nil}, {"first", "anthropic", 2, false, nil}},
			path:     "/v1/messages", wantUsed: "first", wantModel: "claude-sonnet-4-5",
		},
		{
			name:     "a disabled best-priority channel is skipped",
			channels: []ch{{"off", "openai", 1, true, nil}, {"on", "openai", 2, false, nil}},
			path:     "/v1/chat/completions", wantUsed: "on", wantModel: "claude-sonnet-4-5",
		},
		{
			name:     "a disabled active provider is skipped",
			channels: []ch{{"act", "anthropic", 1, true, nil}, {"other", "anthropic", 9, false, nil}},
			active:   "act,glm-4.6", path: "/v1/messages", wantUsed: "other", wantModel: "claude-sonnet-4-5",
		},
		{
			name:     "a channel that declares the model is preferred over a better-priority one that does not",
			channels: []ch{{"generic", "anthropic", 1, false, []string{"glm-4.6"}}, {"sonnet", "anthropic", 2, false, []string{"claude-sonnet-4-5"}}},
			path:     "/v1/messages", wantUsed: "sonnet", wantModel: "claude-sonnet-4-5",
		},
		{
			name:     "an OpenAI channel serves an Anthropic client when no Anthropic channel is enabled",
			channels: []ch{{"o", "openai", 1, false, nil}, {"a-off", "anthropic", 1, true, nil}},
			path:     "/v1/messages", wantUsed: "o", wantModel: "claude-sonnet-4-5",
		},
		{
			name:     "no enabled channel is a 503 in Anthropic's shape",
			channels: []ch{{"a-off", "anthropic", 1, true, nil}},
			path:     "/v1/messages",
		},
		{
			name:     "no enabled channel is a 503 in OpenAI's shape",
			channels: []ch{{"o-off", "openai", 1, true, nil}},
			path:     "/v1/chat/completions",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			te := newTestEngine(t)
			ups := map[string]*upstream{}
			for _, c := range tc.channels {
				reply := replyJSON(http.StatusOK, anthropicMessage)
				base := ""
				if c.typ == "openai" {
					reply = replyJSON(http.StatusOK, openAICompletion)
				}
				up := newUpstream(t, reply)
				ups[c.name], base = up, up.URL
				if c.typ == "openai" {
					base += "/v1"
				}
				created := te.addChannel(t, store.Channel{Name: c.name, Type: c.typ, BaseURL: base, Priority: c.priority, Models: c.models})
				if c.disabled {
					created.Enabled = false
					if _, err := te.e.Store().UpdateChannel(context.Background(), created); err != nil {
						t.Fatal(err)
					}
				}
			}
			if tc.active != "" {
				te.setActive(t, tc.active)
			}
			resp := te.post(t, tc.path, []byte(`{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}`))
			format := "anthropic"
			if tc.path == "/v1/chat/completions" {
				format = "openai"
			}
			if tc.wantUsed == "" {
				if resp.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("status = %d, want 503", resp.StatusCode)
				}
				readError(t, resp, format)
			} else {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status = %d, want 200", resp.StatusCode)
				}
			}
			for name, up := range ups {
				got := up.requests()
				switch {
				case name == tc.wantUsed && len(got) != 1:
					t.Errorf("channel %s got %d requests, want 1", name, len(got))
				case name == tc.wantUsed:
					if m := gjson.GetBytes(got[0].Body, "model").Str; m != tc.wantModel {
						t.Errorf("upstream model = %q, want %q", m, tc.wantModel)
					}
				case len(got) != 0:
					t.Errorf("channel %s was used, want %q", name, tc.wantUsed)
				}
			}
		})
	}
}

func TestKeysNeverReachLogs(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	te := newTestEngine(t, withLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	ok := newUpstream(t, replyJSON(http.StatusOK, anthropicMessage))
	bad := newUpstream(t, replyJSON(http.StatusUnauthorized,
		`{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`))
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	te.addChannel(t, store.Channel{Name: "good", BaseURL: ok.URL})
	te.addChannel(t, store.Channel{Name: "bad", Type: "openai", BaseURL: bad.URL + "/v1"})

	// Created through the admin API, as the dashboard does.
	req, _ := http.NewRequest(http.MethodPost, te.url+"/api/channels", strings.NewReader(
		`{"name":"gone","type":"anthropic","base_url":"`+closed.URL+`","api_key":"`+testChannelKey+`","priority":5}`))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create channel through the API: %d", resp.StatusCode)
	}

	body := []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	for _, step := range []struct {
		path, key string
		want      int
	}{
		{"/v1/messages", testAccessKey, 200},
		// The OpenAI channel answers 401 (a revoked key): the request fails
		// over to the next channel, and the 401 is logged on the way.
		{"/v1/chat/completions", testAccessKey, 200},
		{"/v1/messages", testAccessKey + "-wrong", 401},
		{"/v1/messages?key=" + testAccessKey + "0", "", 401},
	} {
		req, _ := http.NewRequest(http.MethodPost, te.url+step.path, bytes.NewReader(body))
		if step.key != "" {
			req.Header.Set("Authorization", "Bearer "+step.key)
		}
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != step.want {
			t.Errorf("%s: status %d, want %d", step.path, resp.StatusCode, step.want)
		}
	}
	te.setActive(t, "gone")
	resp = te.post(t, "/v1/messages", body)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("unreachable channel: status %d, want 502", resp.StatusCode)
	}

	te.stopNow(t)
	out := logs.String()
	if !strings.Contains(out, "request done") {
		t.Fatalf("the engine logged no requests; the test would prove nothing:\n%s", out)
	}
	for name, secret := range map[string]string{"channel key": testChannelKey, "access key": testAccessKey, "admin token": testAdminToken} {
		if strings.Contains(out, secret) {
			t.Errorf("the %s appears in the logs", name)
		}
	}
}

func TestRequestLogsAreRecorded(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, replyJSON(http.StatusOK, anthropicMessage))
	te := newTestEngine(t)
	te.addChannel(t, store.Channel{Name: "zhipu", BaseURL: up.URL, ModelMap: map[string]string{"claude-opus-4-8": "glm-4.6"}})
	req, _ := http.NewRequest(http.MethodPost, te.url+"/v1/messages", strings.NewReader(`{"model":"claude-opus-4-8","max_tokens":5,"messages":[]}`))
	req.Header.Set("X-Api-Key", testAccessKey)
	req.Header.Set("User-Agent", "claude-cli/2.1.197 (external, sdk-cli)")
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	path := te.e.Store().Path()
	te.stopNow(t)
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs, err := st.RecentRequestLogs(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 {
		t.Fatalf("%d request logs, want 1: %+v", len(logs), logs)
	}
	l := logs[0]
	if l.ChannelName != "zhipu" || l.Status != 200 || l.ClientModel != "claude-opus-4-8" || l.UpstreamModel != "glm-4.6" ||
		l.Format != "anthropic" || l.Stream || l.UserAgent != "claude-cli/2.1.197 (external, sdk-cli)" || l.ChannelID == 0 {
		t.Errorf("request log = %+v", l)
	}
}
