package proxy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/routex-app/routex/backend/store"
	"github.com/routex-app/routex/internal/bigbody"
)

// imageBody is an Anthropic request of about size bytes: a few turns of
// text and as many 1 MiB base64 PNG-like images as fit, the shape of a
// Claude Code request after screenshots.
func imageBody(tb testing.TB, size int) []byte {
	tb.Helper()
	content := bigbody.ImageContent(size)
	body, err := json.Marshal(map[string]any{
		"model": "claude-opus-4-8", "max_tokens": 1024, "stream": false,
		"system": "You are Claude Code.",
		"messages": []any{
			map[string]any{"role": "user", "content": "take screenshots"},
			map[string]any{"role": "assistant", "content": "Taking them now."},
			map[string]any{"role": "user", "content": content},
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// BenchmarkBodyMemory measures what one large request costs in memory,
// passthrough and converted (Anthropic client, OpenAI channel): B/op over
// the body size is reported as x-body (bytes allocated per byte of body,
// the engine's whole handling, client and mock included but small).
//
//	go test -run XXX -bench BodyMemory -benchmem ./backend/proxy/
func BenchmarkBodyMemory(b *testing.B) {
	mock := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/v1/chat/completions" {
			replyJSON(http.StatusOK, openAICompletion)(w, r)
			return
		}
		replyJSON(http.StatusOK, anthropicMessage)(w, r)
	}))
	defer mock.Close()
	te := newTestEngine(b, withLogger(slog.New(slog.DiscardHandler)))
	te.addChannel(b, store.Channel{Name: "pass", BaseURL: mock.URL, Models: []string{"claude-opus-4-8"}})
	te.addChannel(b, store.Channel{Name: "conv", Type: "openai", BaseURL: mock.URL + "/v1", Models: []string{"gpt-4.1"}})
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()

	for _, size := range []int{1 << 20, 8 << 20, 31 << 20} {
		body := imageBody(b, size)
		for _, path := range []struct{ name, model string }{{"passthrough", "pass,claude-opus-4-8"}, {"converted", "conv,gpt-4.1"}} {
			withModel := bytes.Replace(body, []byte(`"model":"claude-opus-4-8"`), []byte(`"model":"`+path.model+`"`), 1)
			b.Run(fmt.Sprintf("%s/%dMiB", path.name, size>>20), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(withModel)))
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				for b.Loop() {
					req, _ := http.NewRequest(http.MethodPost, te.url+"/v1/messages", bytes.NewReader(withModel))
					req.Header.Set("X-Api-Key", testAccessKey)
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(withModel)), "x-body")
			})
		}
	}
}
