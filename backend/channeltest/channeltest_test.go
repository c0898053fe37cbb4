package channeltest

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
)

func TestEachFormatSendsWhatTheProxyWould(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, format, model       string
		chatPath, streamPath      string
		listPath                  string
		authHeader, authValue     string
		wantMaxField, wantMaxPath string
	}{
		{"anthropic uses /v1/messages, x-api-key and a version", "anthropic", "claude-haiku-4-5",
			"/v1/messages", "/v1/messages", "/v1/models", "X-Api-Key", "sk-test-key-1234", "max_tokens", ""},
		{"openai uses /chat/completions under the base and a bearer key", "openai", "gpt-4.1-mini",
			"/v1/chat/completions", "/v1/chat/completions", "/v1/models", "Authorization", "Bearer sk-test-key-1234", "max_tokens", ""},
		{"openai reasoning models get max_completion_tokens", "openai", "o3-mini",
			"/v1/chat/completions", "/v1/chat/completions", "/v1/models", "Authorization", "Bearer sk-test-key-1234", "max_completion_tokens", ""},
		{"openai-responses uses /responses under the base, a bearer key and 16 output tokens", "openai-responses", "gpt-5-codex",
			"/v1/responses", "/v1/responses", "/v1/models", "Authorization", "Bearer sk-test-key-1234", "max_output_tokens", ""},
		{"gemini puts the model in the path and the key in x-goog-api-key", "gemini", "gemini-2.5-flash",
			"/v1beta/models/gemini-2.5-flash:generateContent", "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
			"/v1beta/models", "X-Goog-Api-Key", "sk-test-key-1234", "", "maxOutputTokens"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t, c.format, c.model, "other-model")
			srv := httptest.NewServer(m)
			defer srv.Close()
			ch := channelFor(c.format, srv.URL)
			ch.Models = []string{c.model}
			res := Test(context.Background(), srv.Client(), ch, Options{})
			if res.Verdict != OK {
				t.Fatalf("verdict %s: %s", res.Verdict, res.Message)
			}
			if res.Model != c.model || len(res.Models) != 2 || res.Models[0] != c.model {
				t.Fatalf("model %q, models %v", res.Model, res.Models)
			}
			got := m.received()
			if len(got) != 3 {
				t.Fatalf("want list, chat and stream requests, got %d", len(got))
			}
			if got[0].method != "GET" || got[0].path != c.listPath {
				t.Fatalf("list request %s %s, want GET %s", got[0].method, got[0].path, c.listPath)
			}
			if got[1].path != c.chatPath || got[2].path != c.streamPath {
				t.Fatalf("chat %s, stream %s", got[1].path, got[2].path)
			}
			for _, r := range got {
				if r.header.Get(c.authHeader) != c.authValue {
					t.Fatalf("%s %s: %s = %q", r.method, r.path, c.authHeader, r.header.Get(c.authHeader))
				}
			}
			if c.format == "anthropic" && got[1].header.Get("Anthropic-Version") == "" {
				t.Fatal("anthropic requests need anthropic-version")
			}
			if c.format == "gemini" {
				if got[2].query != "alt=sse" {
					t.Fatalf("gemini stream query %q", got[2].query)
				}
				gc, _ := got[1].body["generationConfig"].(map[string]any)
				if gc[c.wantMaxPath] != float64(1) {
					t.Fatalf("gemini body %v", got[1].body)
				}
			} else {
				want := float64(1)
				if c.format == "openai-responses" {
					want = 16
				}
				if got[1].body[c.wantMaxField] != want || got[1].body["model"] != c.model {
					t.Fatalf("body %v", got[1].body)
				}
				if got[2].body["stream"] != true {
					t.Fatalf("stream body %v", got[2].body)
				}
			}
			if res.StreamTTFTMS < 0 || res.TotalMS < res.TTFTMS {
				t.Fatalf("timings: %+v", res)
			}
		})
	}
}

func TestVerdicts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, format string
		setup        func(m *mockUpstream, ch *store.Channel, o *Options)
		want         Verdict
		status       int
		msgHas       []string
	}{
		{"a refused key is auth_failed", "anthropic", func(m *mockUpstream, ch *store.Channel, o *Options) {
			m.listStatus, m.status, m.errBody = 401, 401, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`
		}, AuthFailed, 401, []string{"key was refused", "invalid x-api-key", "console"}},
		{"a forbidden chat is auth_failed even when listing works", "openai", func(m *mockUpstream, ch *store.Channel, o *Options) {
			m.status, m.errBody = 403, `{"error":{"message":"project has no access"}}`
		}, AuthFailed, 403, []string{"HTTP 403", "project has no access"}},
		{"an unknown model is not_found and names models that exist", "anthropic", func(m *mockUpstream, ch *store.Channel, o *Options) {
			o.Model = "claude-nope"
			m.status, m.errBody = 404, `{"type":"error","error":{"type":"not_found_error","message":"model: claude-nope"}}`
		}, NotFound, 404, []string{`"claude-nope"`, "claude-sonnet-4-5"}},
		{"a 400 about the model is not_found too", "openai", func(m *mockUpstream, ch *store.Channel, o *Options) {
			o.Model = "deepseek-chatt"
			m.status, m.errBody = 400, `{"error":{"message":"Model Not Exist","type":"invalid_request_error"}}`
		}, NotFound, 400, []string{`"deepseek-chatt"`, "Model Not Exist"}},
		{"an openai base_url without /v1 gets a hint", "openai", func(m *mockUpstream, ch *store.Channel, o *Options) {
			ch.BaseURL = strings.TrimSuffix(ch.BaseURL, "/v1")
		}, NotFound, 404, []string{"should end with /v1"}},
		{"a responses base_url without /v1 gets a hint", "openai-responses", func(m *mockUpstream, ch *store.Channel, o *Options) {
			ch.BaseURL = strings.TrimSuffix(ch.BaseURL, "/v1")
		}, NotFound, 404, []string{"should end with /v1", "/responses"}},
		{"a Responses stream that fails is an error with its message", "openai-responses", func(m *mockUpstream, ch *store.Channel, o *Options) {
			m.failStream = "The model is overloaded today"
		}, Failed, 200, []string{"streamed one failed", "overloaded today"}},
		{"a slow first token is slow", "gemini", func(m *mockUpstream, ch *store.Channel, o *Options) {
			m.delay, o.SlowAfter = 30*time.Millisecond, 10*time.Millisecond
		}, Slow, 200, []string{"first token"}},
		{"rate limits are an error that says so", "openai", func(m *mockUpstream, ch *store.Channel, o *Options) {
			m.status, m.errBody = 429, `{"error":{"message":"quota exceeded"}}`
		}, Failed, 429, []string{"quota", "billing"}},
		{"a provider failure is an error", "gemini", func(m *mockUpstream, ch *store.Channel, o *Options) {
			m.status, m.errBody = 503, `{"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}`
		}, Failed, 503, []string{"HTTP 503", "overloaded"}},
		{"a web page instead of an API is an error", "anthropic", func(m *mockUpstream, ch *store.Channel, o *Options) {
			m.html = true
		}, Failed, 200, []string{"web page"}},
		{"an empty 200 is an error", "openai", func(m *mockUpstream, ch *store.Channel, o *Options) {
			m.okBody, m.okType = new(string), "application/json"
		}, Failed, 200, []string{"empty body"}},
		{"a portal page sent as JSON is an error", "anthropic", func(m *mockUpstream, ch *store.Channel, o *Options) {
			page := "<html><head><title>Sign in to Wi-Fi</title></head></html>"
			m.okBody, m.okType = &page, "application/json"
		}, Failed, 200, []string{"web page", "Sign in to Wi-Fi"}},
		{"an error object in a 200 is an error", "gemini", func(m *mockUpstream, ch *store.Channel, o *Options) {
			body := `{"error":{"code":400,"message":"API key expired"}}`
			m.okBody, m.okType = &body, "application/json"
		}, Failed, 200, []string{"API key expired"}},
		{"no answer within the timeout is unreachable", "anthropic", func(m *mockUpstream, ch *store.Channel, o *Options) {
			m.delay, o.Timeout = 5*time.Second, 100*time.Millisecond
		}, Unreachable, 0, []string{"no answer", "within 100ms"}},
		{"an unknown type is an error", "anthropic", func(m *mockUpstream, ch *store.Channel, o *Options) {
			ch.Type = "cohere"
		}, Failed, 0, []string{"unknown channel type"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t, c.format, "claude-sonnet-4-5", "gpt-4.1-mini", "gemini-2.5-flash")
			srv := httptest.NewServer(m)
			defer srv.Close()
			ch := channelFor(c.format, srv.URL)
			var o Options
			c.setup(m, &ch, &o)
			res := Test(context.Background(), srv.Client(), ch, o)
			if res.Verdict != c.want || res.Status != c.status {
				t.Fatalf("verdict %s status %d, want %s %d: %s", res.Verdict, res.Status, c.want, c.status, res.Message)
			}
			for _, s := range c.msgHas {
				if !strings.Contains(res.Message, s) {
					t.Fatalf("message %q lacks %q", res.Message, s)
				}
			}
			if strings.Contains(res.Message, ch.APIKey) {
				t.Fatal("the message leaks the key")
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tlsSrv := httptest.NewUnstartedServer(newMock(t, "anthropic", "claude-haiku-4-5"))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	plain := httptest.NewServer(newMock(t, "anthropic", "claude-haiku-4-5"))
	t.Cleanup(plain.Close)
	// dnsFails stands in for a resolver that does not know the host, so no
	// test ever asks a real DNS server.
	dnsFails := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "api.exampel.com", IsNotFound: true}}
	}}}
	cases := []struct {
		name   string
		client *http.Client
		base   string
		msgHas string
	}{
		{"a closed port is refused", http.DefaultClient, closedURL, "refused"},
		{"an unknown host name says to check for typos", dnsFails, "https://api.exampel.com", "could not be resolved"},
		{"an untrusted certificate says so", http.DefaultClient, tlsSrv.URL, "not trusted"},
		{"https to a plain HTTP server suggests http://", http.DefaultClient, strings.Replace(plain.URL, "http://", "https://", 1), "try http://"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ch := store.Channel{Name: "x", Type: "anthropic", BaseURL: c.base, APIKey: "k"}
			res := Test(context.Background(), c.client, ch, Options{Timeout: 5 * time.Second})
			if res.Verdict != Unreachable || !strings.Contains(res.Message, c.msgHas) {
				t.Fatalf("got %s: %s", res.Verdict, res.Message)
			}
		})
	}
}

func TestTLSUpstreamWithItsClientIsOK(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(newMock(t, "openai", "gpt-4.1-mini"))
	defer srv.Close()
	res := Test(context.Background(), srv.Client(), channelFor("openai", srv.URL), Options{})
	if res.Verdict != OK || res.Model != "gpt-4.1-mini" {
		t.Fatalf("got %s %q: %s", res.Verdict, res.Model, res.Message)
	}
	if res.ConnectMS <= 0 {
		t.Fatalf("a new TLS connection has a connect time: %+v", res)
	}
}

func TestFakeClockDecidesSlow(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newMock(t, "anthropic", "claude-haiku-4-5"))
	defer srv.Close()
	// Every reading of the clock moves it two seconds on: any measured span
	// is then long, which makes "slow" deterministic without sleeping.
	var now time.Time
	var mu = make(chan struct{}, 1)
	clock := func() time.Time {
		mu <- struct{}{}
		defer func() { <-mu }()
		now = now.Add(2 * time.Second)
		return now
	}
	res := Test(context.Background(), srv.Client(), channelFor("anthropic", srv.URL), Options{Now: clock, SlowAfter: time.Second})
	if res.Verdict != Slow || res.StreamTTFTMS < 2000 {
		t.Fatalf("got %s: %+v", res.Verdict, res)
	}
}
