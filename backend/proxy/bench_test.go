package proxy_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/store"
)

// streamEvents is a streamed reply of 20 SSE events, as a short answer.
func streamEvents() []string {
	evs := []string{anthropicEvents[0], anthropicEvents[1]}
	for i := range 15 {
		evs = append(evs, fmt.Sprintf("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word %d \"}}\n\n", i))
	}
	return append(evs, anthropicEvents[5:]...)
}

// openAIBenchChunks is an OpenAI stream of 20 chunks, the converted twin of
// streamEvents.
func openAIBenchChunks() []string {
	evs := []string{openAIChunks[0]}
	for i := range 17 {
		evs = append(evs, fmt.Sprintf("data: {\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word %d \"}}]}\n\n", i))
	}
	return append(evs, openAIChunks[len(openAIChunks)-2:]...)
}

// BenchmarkOverhead measures one request at a time against a zero-delay mock
// Anthropic upstream: straight to the mock (direct), through a bare
// httputil.ReverseProxy (reverseproxy), and through the whole Routex engine
// on a loopback server with request logging to SQLite on (routex). Compare
// ns/op of routex/* with direct/* for the per-request overhead; there is no
// wall-clock assertion because these machines are shared and noisy.
func BenchmarkOverhead(b *testing.B) {
	events := streamEvents()
	mock := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Header.Get("X-Bench-Stream") == "" {
			replyJSON(http.StatusOK, anthropicMessage)(w, r)
			return
		}
		replySSE(events)(w, r)
	}))
	defer mock.Close()

	// As users run it: info-level logging (formatted, then discarded here)
	// and the request log written to SQLite.
	te := newTestEngine(b, withLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	te.addChannel(b, store.Channel{Name: "bench", BaseURL: mock.URL, ModelMap: map[string]string{"claude-opus-4-8": "glm-4.6"}})

	// Converted: the same Anthropic client, served by an OpenAI channel.
	oaEvents := openAIBenchChunks()
	oaMock := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Header.Get("X-Bench-Stream") == "" {
			replyJSON(http.StatusOK, openAICompletion)(w, r)
			return
		}
		replySSE(oaEvents)(w, r)
	}))
	defer oaMock.Close()
	conv := newTestEngine(b, withLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	conv.addChannel(b, store.Channel{Name: "bench-openai", Type: "openai", BaseURL: oaMock.URL + "/v1",
		ModelMap: map[string]string{"claude-opus-4-8": "gpt-4.1"}})

	target, _ := url.Parse(mock.URL)
	rp := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:       func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
		FlushInterval: -1,
	})
	defer rp.Close()

	fx := loadFixture(b, "claude-code-2.1.197-messages.json")
	jsonBody, _ := sjson.SetBytes(fx.Body, "stream", false)
	streamBody := fx.Body

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	defer client.CloseIdleConnections()

	for _, kind := range []struct {
		name   string
		body   []byte
		stream bool
	}{{"json", jsonBody, false}, {"stream", streamBody, true}} {
		for _, path := range []struct{ name, base string }{
			{"direct", mock.URL}, {"reverseproxy", rp.URL}, {"routex", te.url}, {"converted", conv.url},
		} {
			b.Run(path.name+"/"+kind.name, func(b *testing.B) {
				b.SetBytes(int64(len(kind.body)))
				b.ReportAllocs()
				var ttfb time.Duration
				for b.Loop() {
					req, _ := http.NewRequest(http.MethodPost, path.base+"/v1/messages", bytes.NewReader(kind.body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Anthropic-Version", "2023-06-01")
					req.Header.Set("X-Api-Key", testAccessKey)
					if kind.stream {
						req.Header.Set("X-Bench-Stream", "1")
					}
					sent := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					first := make([]byte, 1)
					if _, err := io.ReadFull(resp.Body, first); err != nil {
						b.Fatal(err)
					}
					ttfb += time.Since(sent)
					n, err := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK || n == 0 {
						b.Fatalf("status %d, %d bytes, %v", resp.StatusCode, n, err)
					}
				}
				// Time to the first byte of the reply: for streams, the
				// first event, which is what a user waits for.
				b.ReportMetric(float64(ttfb.Nanoseconds())/float64(b.N), "ttfb-ns/op")
			})
		}
	}
}
