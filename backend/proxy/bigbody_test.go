package proxy_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
	"github.com/routex-app/routex/backend/store"
)

// Large images cross every conversion byte for byte: they skip the decode
// and encode round trip (protocol.Hollow), which must not change them.
func TestLargeImagesSurviveConversion(t *testing.T) {
	t.Parallel()
	raw := make([]byte, 300<<10)
	for i := range raw {
		raw[i] = byte(i * 31)
	}
	img := base64.StdEncoding.EncodeToString(raw)
	anthropicBody := `{"model":"m","max_tokens":64,"messages":[{"role":"user","content":[` +
		`{"type":"image","source":{"type":"base64","media_type":"image/png","data":"` + img + `"}},` +
		`{"type":"text","text":"describe"}]}]}`
	openAIBody := `{"model":"m","messages":[{"role":"user","content":[` +
		`{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,` + img + `"}},{"type":"text","text":"describe"}]}]}`

	for _, tc := range []struct {
		name, client, path, body, channel, reply, want string
		got                                            func(received) string
	}{
		{"Anthropic client, OpenAI channel", "anthropic", "/v1/messages", anthropicBody, "openai", openAICompletion,
			"data:image/png;base64," + img,
			func(r received) string { return gjson.GetBytes(r.Body, "messages.0.content.0.image_url.url").Str }},
		{"Anthropic client, Gemini channel", "anthropic", "/v1/messages", anthropicBody, "gemini",
			`{"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}]}`, img,
			func(r received) string { return gjson.GetBytes(r.Body, "contents.0.parts.0.inlineData.data").Str }},
		{"OpenAI client, Anthropic channel", "openai", "/v1/chat/completions", openAIBody, "anthropic", anthropicMessage, img,
			func(r received) string { return gjson.GetBytes(r.Body, "messages.0.content.0.source.data").Str }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			te := newTestEngine(t)
			up := newUpstream(t, replyJSON(http.StatusOK, tc.reply))
			base := up.URL
			if tc.channel == "openai" {
				base += "/v1"
			}
			te.addChannel(t, store.Channel{Name: "c", Type: tc.channel, BaseURL: base})
			readOK(t, te.postAs(t, tc.client, tc.path, []byte(tc.body), nil))
			got := tc.got(up.only(t))
			if got != tc.want {
				t.Errorf("upstream image: %d bytes starting %.40q, want %d bytes starting %.40q", len(got), got, len(tc.want), tc.want)
			}
			if strings.Contains(string(up.only(t).Body), "rxblob") {
				t.Error("a placeholder reached the upstream")
			}
		})
	}
}

// Request bodies in flight have a memory budget: past it a request is
// refused at once with 529 (Anthropic) and a Retry-After, and the budget is
// returned when requests finish.
func TestBodiesInFlightAreCapped(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	arrived := make(chan struct{}, 4)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		replyJSON(http.StatusOK, anthropicMessage)(w, r)
	})
	// Registered after the upstream, so it runs before the upstream's Close
	// waits for its handlers: a failed step must not leave one blocked.
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	te := newTestEngine(t, func(c *config.Config, _ *engine.Options) { c.Limits.BodiesInFlightMB = 32 })
	te.addChannel(t, store.Channel{Name: "c", BaseURL: up.URL})
	body := func(mb int) []byte {
		return []byte(`{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"` + strings.Repeat("x", mb<<20) + `"}]}`)
	}
	first := make(chan *http.Response, 1)
	go func() { first <- te.post(t, "/v1/messages", body(20)) }()
	within(t, 30*time.Second, arrived, "the first request to reach the upstream")

	resp := te.post(t, "/v1/messages", body(20))
	if resp.StatusCode != 529 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a second 20 MiB body with 32 MiB in the budget: status %d, Retry-After %q; want 529 with one",
			resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if env := readError(t, resp, "anthropic"); env.Error.Type != "overloaded_error" || !strings.Contains(env.Error.Message, "bodies_in_flight_mb") {
		t.Errorf("error %+v, want overloaded_error naming the setting", env.Error)
	}
	// A small one still fits beside the first.
	small := make(chan *http.Response, 1)
	go func() { small <- te.post(t, "/v1/messages", body(1)) }()
	within(t, 30*time.Second, arrived, "the small request to reach the upstream")
	unblock()
	for _, ch := range []chan *http.Response{first, small} {
		readOK(t, within(t, 10*time.Second, ch, "an answer"))
	}
	// Everything was given back: another 20 MiB body fits now.
	readOK(t, te.post(t, "/v1/messages", body(20)))
}
