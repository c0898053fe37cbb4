package channeltest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// seen is one request the mock upstream received.
type seen struct {
	method, path, query string
	header              http.Header
	body                map[string]any
}

// mockUpstream speaks just enough of the three APIs for a connection test:
// a model list, a one-token reply and a short stream. Tests change its
// behaviour through the fields before the first request; it records what
// it received so tests can check the test sent the right thing.
type mockUpstream struct {
	t      *testing.T
	format string
	models []string
	// status, when set, answers every chat request with it and errBody.
	status  int
	errBody string
	// listStatus, when set, answers the model list with it.
	listStatus int
	// delay holds every chat answer back, before its headers.
	delay time.Duration
	// html answers chat requests with a web page.
	html bool
	// failStream, for openai-responses, ends streams with response.failed
	// carrying this message.
	failStream string
	// okBody, when set, answers chat requests 200 with it as the body
	// (nil: a real reply); okType is its Content-Type.
	okBody *string
	okType string

	mu       sync.Mutex
	requests []seen
}

func newMock(t *testing.T, format string, models ...string) *mockUpstream {
	return &mockUpstream{t: t, format: format, models: models}
}

func (m *mockUpstream) received() []seen {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]seen(nil), m.requests...)
}

func (m *mockUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := seen{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, header: r.Header.Clone()}
	if b, _ := io.ReadAll(r.Body); len(b) > 0 {
		json.Unmarshal(b, &s.body)
	}
	m.mu.Lock()
	m.requests = append(m.requests, s)
	m.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if (m.format == "openai" || m.format == "openai-responses") && !strings.HasPrefix(r.URL.Path, "/v1/") {
		http.Error(w, `{"error":{"message":"Not Found"}}`, http.StatusNotFound)
		return
	}
	if r.Method == http.MethodGet {
		m.list(w)
		return
	}
	if m.delay > 0 {
		select {
		case <-time.After(m.delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case m.html:
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>Welcome</body></html>")
	case m.okBody != nil:
		w.Header().Set("Content-Type", m.okType)
		io.WriteString(w, *m.okBody)
	case m.status != 0:
		w.WriteHeader(m.status)
		io.WriteString(w, m.errBody)
	case strings.Contains(r.URL.Path, "stream") || s.body["stream"] == true:
		m.stream(w)
	default:
		io.WriteString(w, m.reply())
	}
}

func (m *mockUpstream) list(w http.ResponseWriter) {
	if m.listStatus != 0 {
		w.WriteHeader(m.listStatus)
		io.WriteString(w, m.errBody)
		return
	}
	var doc any
	if m.format == "gemini" {
		var models []any
		for _, id := range m.models {
			models = append(models, map[string]any{"name": "models/" + id, "supportedGenerationMethods": []string{"generateContent"}})
		}
		models = append(models, map[string]any{"name": "models/text-embedding-004", "supportedGenerationMethods": []string{"embedContent"}})
		doc = map[string]any{"models": models}
	} else {
		var data []any
		for _, id := range m.models {
			data = append(data, map[string]any{"id": id})
		}
		doc = map[string]any{"data": data}
	}
	json.NewEncoder(w).Encode(doc)
}

func (m *mockUpstream) reply() string {
	switch m.format {
	case "anthropic":
		return `{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"p"}],"stop_reason":"max_tokens"}`
	case "gemini":
		return `{"candidates":[{"content":{"role":"model","parts":[{"text":"p"}]},"finishReason":"MAX_TOKENS"}]}`
	case "openai-responses":
		// As the Responses API sends it: "error": null among the fields.
		return `{"id":"resp_1","object":"response","status":"incomplete","error":null,"incomplete_details":{"reason":"max_output_tokens"},` +
			`"output":[{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"output_text","text":"p"}]}]}`
	}
	return `{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"p"},"finish_reason":"length"}]}`
}

func (m *mockUpstream) stream(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream")
	var events []string
	switch m.format {
	case "anthropic":
		events = []string{"event: message_start\ndata: {\"type\":\"message_start\"}", "event: message_stop\ndata: {\"type\":\"message_stop\"}"}
	case "gemini":
		events = []string{`data: {"candidates":[{"content":{"parts":[{"text":"p"}]}}]}`}
	case "openai-responses":
		if m.failStream != "" {
			b, _ := json.Marshal(map[string]any{"type": "response.failed", "sequence_number": 1, "response": map[string]any{"id": "resp_1",
				"status": "failed", "error": map[string]any{"code": "server_error", "message": m.failStream}}})
			events = []string{"event: response.failed\ndata: " + string(b)}
			break
		}
		events = []string{"event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"error\":null}}",
			"event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":1,\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"error\":null}}"}
	default:
		events = []string{`data: {"choices":[{"delta":{"content":"p"}}]}`, "data: [DONE]"}
	}
	for _, e := range events {
		io.WriteString(w, e+"\n\n")
		w.(http.Flusher).Flush()
	}
}

// channelFor returns a channel of the mock's format pointing at url as the
// provider documents its base URL.
func channelFor(format, url string) store.Channel {
	base := url
	if format == "openai" || format == "openai-responses" {
		base += "/v1"
	}
	return store.Channel{Name: "test", Type: format, BaseURL: base, APIKey: "sk-test-key-1234"}
}
