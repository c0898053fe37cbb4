package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/store"
)

// validReply is the smallest real reply of each format: a connection test
// refuses a 200 that is not one, as the proxy does.
var validReply = map[string]string{
	"anthropic": `{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"p"}],"stop_reason":"max_tokens"}`,
	"openai":    `{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"p"},"finish_reason":"length"}]}`,
	"gemini":    `{"candidates":[{"content":{"role":"model","parts":[{"text":"p"}]},"finishReason":"MAX_TOKENS"}]}`,
}

func TestProbeSendsTheSmallestRequestInEachFormat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, typ, path, header, value, body string
	}{
		{"anthropic goes to /v1/messages with x-api-key", "anthropic", "/v1/messages", "X-Api-Key", "sk-test-key-123456", `"max_tokens":1`},
		{"openai goes to /chat/completions with a bearer key", "openai", "/v1/chat/completions", "Authorization", "Bearer sk-test-key-123456", `"max_tokens":1`},
		{"gemini goes to generateContent with x-goog-api-key", "gemini", "/v1beta/models/up-model:generateContent", "X-Goog-Api-Key", "sk-test-key-123456", `"maxOutputTokens":1`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if r.URL.Path != tc.path || r.Header.Get(tc.header) != tc.value || !strings.Contains(string(body), tc.body) ||
					r.Header.Get("X-Team") != "core" {
					w.WriteHeader(http.StatusTeapot)
					w.Write([]byte(`{"error":{"message":"unexpected ` + r.URL.Path + `"}}`))
					return
				}
				w.Write([]byte(validReply[tc.typ]))
			}))
			defer srv.Close()
			base := srv.URL
			if tc.typ == "openai" {
				base += "/v1"
			}
			ch := store.Channel{Name: "c", Type: tc.typ, BaseURL: base, APIKey: "sk-test-key-123456", Models: []string{"client-model"},
				ModelMap: map[string]string{"client-model": "up-model"}, Headers: map[string]string{"X-Team": "core"}}
			r := probeChannel(context.Background(), srv.Client(), ch, i18n.New("en"))
			if !r.OK || r.Status != 200 {
				t.Fatalf("probe failed: %+v", r)
			}
		})
	}
}

func TestProbeReportsTheUpstreamMessage(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":{"message":"invalid x-api-key"}}`))
	}))
	defer srv.Close()
	r := probeChannel(context.Background(), srv.Client(), store.Channel{Name: "c", Type: "anthropic", BaseURL: srv.URL, Models: []string{"m"}}, i18n.New("en"))
	if r.OK || r.Status != 401 || !strings.Contains(r.Error, "invalid x-api-key") || !strings.Contains(r.Error, "refused") {
		t.Fatalf("got %+v", r)
	}
	// Without a model the test still runs (the provider's default model)
	// and reports the same refusal.
	r = probeChannel(context.Background(), srv.Client(), store.Channel{Name: "c", Type: "openai", BaseURL: srv.URL}, i18n.New("en"))
	if r.OK || !strings.Contains(r.Error, "refused") {
		t.Fatalf("a channel without models: %+v", r)
	}
}

func TestProgressPrintsPlainLinesWhenNotATerminal(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	p := newProgress(&b, "importing", 3)
	p.step(1, "a")
	p.step(2, "b")
	p.done()
	if got := b.String(); got != "importing 1/3 … a\nimporting 2/3 … b\n" {
		t.Fatalf("got %q", got)
	}
}

func TestChannelTestAllShowsProgressAndFailsOnABadChannel(t *testing.T) {
	t.Parallel()
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(validReply["openai"])) }))
	defer ok.Close()
	f := testHome(t)
	run(t, channelCmd(f), "", "add", "good", "--type", "openai", "--base-url", ok.URL, "--model", "m")
	run(t, channelCmd(f), "", "add", "dead", "--type", "openai", "--base-url", "http://127.0.0.1:1", "--model", "m")
	out, err := run(t, channelCmd(f), "", "test", "--all")
	if err == nil || !strings.Contains(err.Error(), "1 of 2 channels failed") {
		t.Fatalf("error %v", err)
	}
	// The tests run in parallel: progress counts them as they finish, in
	// whatever order; the results keep the channels' order.
	for _, w := range []string{"testing 1/2 … ", "testing 2/2 … ", "… good\n", "… dead\n", "✓ good", "✗ dead"} {
		if !strings.Contains(out, w) {
			t.Fatalf("output lacks %q:\n%s", w, out)
		}
	}
	if strings.Index(out, "✓ good") > strings.Index(out, "✗ dead") {
		t.Errorf("results out of the channels' order:\n%s", out)
	}
	if _, err := run(t, channelCmd(f), "", "test", "good"); err != nil {
		t.Fatalf("testing one good channel: %v", err)
	}
}
