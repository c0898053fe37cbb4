package channeltest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"time"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/provider"
	"github.com/routex-app/routex/backend/store"
)

// maxBody caps what a test reads of an answer: a model list or an error,
// never a long reply (max_tokens is 1).
const maxBody = 4 << 20

// tester holds one test's inputs.
type tester struct {
	client *http.Client
	ch     store.Channel
	p      provider.Provider
	opts   Options
	key    string
}

// exchange is one HTTP request's outcome and timing.
type exchange struct {
	url    string
	status int
	body   []byte
	header http.Header
	err    error
	// connect is DNS + TCP connect + TLS of a new connection, 0 if reused.
	connect time.Duration
	// firstByte is the time to the first body byte, total to the last;
	// firstEvent (streams) to the first SSE event.
	firstByte, total, firstEvent time.Duration
	// stream is set when body holds a stream's data lines, one a line.
	stream bool
}

// httpAnswered reports whether the upstream sent a status line: a later
// error (a cut body) is then not "unreachable".
func (x exchange) httpAnswered() bool { return x.status != 0 }

// send posts the minimal chat request for model, streamed or not.
func (t *tester) send(ctx context.Context, model string, stream bool) exchange {
	url := t.p.URL(t.ch.BaseURL, model, provider.OpChat, stream)
	return t.do(ctx, http.MethodPost, url, chatBody(t.ch.Type, model, stream), stream)
}

// chatBody is the smallest request that makes a model generate: one word
// in, one token out.
func chatBody(typ, model string, stream bool) []byte {
	var body map[string]any
	switch typ {
	case "anthropic":
		body = map[string]any{"model": model, "max_tokens": 1,
			"messages": []any{map[string]any{"role": "user", "content": "ping"}}}
	case "gemini":
		body = map[string]any{"contents": []any{map[string]any{"role": "user",
			"parts": []any{map[string]any{"text": "ping"}}}},
			"generationConfig": map[string]any{"maxOutputTokens": 1}}
	case "openai-responses":
		// 16 is the smallest max_output_tokens the Responses API takes.
		body = map[string]any{"model": model, "input": "ping", "max_output_tokens": 16, "store": false}
	default:
		body = map[string]any{"model": model,
			"messages": []any{map[string]any{"role": "user", "content": "ping"}}}
		// Reasoning models refuse max_tokens and want max_completion_tokens.
		if reasoningModel(model) {
			body["max_completion_tokens"] = 1
		} else {
			body["max_tokens"] = 1
		}
	}
	if stream && typ != "gemini" {
		body["stream"] = true
	}
	b, _ := json.Marshal(body)
	return b
}

// reasoningModel reports OpenAI models that take max_completion_tokens:
// the o-series and gpt-5.
func reasoningModel(model string) bool {
	m := strings.ToLower(model)
	if i := strings.LastIndex(m, "/"); i >= 0 {
		m = m[i+1:] // openrouter-style "openai/o3"
	}
	return strings.HasPrefix(m, "gpt-5") || (len(m) > 1 && m[0] == 'o' && m[1] >= '0' && m[1] <= '9')
}

// do sends one request with the channel's auth and headers, as the proxy
// would, and times it with httptrace.
func (t *tester) do(ctx context.Context, method, url string, body []byte, stream bool) (x exchange) {
	x.url = url
	now := t.opts.Now
	// The transport may call these from its dialing goroutine, even after
	// Do returned (a dial that lost the race to an idle connection).
	var mu sync.Mutex
	var dnsStart, connStart, tlsStart time.Time
	var connect time.Duration
	mark := func(at *time.Time) { mu.Lock(); *at = now(); mu.Unlock() }
	add := func(from *time.Time) { mu.Lock(); connect += since(now, *from); mu.Unlock() }
	trace := &httptrace.ClientTrace{
		DNSStart:          func(httptrace.DNSStartInfo) { mark(&dnsStart) },
		DNSDone:           func(httptrace.DNSDoneInfo) { add(&dnsStart) },
		ConnectStart:      func(string, string) { mark(&connStart) },
		ConnectDone:       func(string, string, error) { add(&connStart) },
		TLSHandshakeStart: func() { mark(&tlsStart) },
		TLSHandshakeDone:  func(tls.ConnectionState, error) { add(&tlsStart) },
	}
	defer func() { mu.Lock(); x.connect = connect; mu.Unlock() }()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, url, rd)
	if err != nil {
		x.err = err
		return x
	}
	t.p.Authorize(req.Header, t.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if stream {
		req.Header.Set("Accept", "text/event-stream")
	}
	for k, v := range t.ch.Headers {
		req.Header.Set(k, v)
	}
	start := now()
	resp, err := t.client.Do(req)
	if err != nil {
		x.err = err
		x.total = since(now, start)
		return x
	}
	defer resp.Body.Close()
	x.status, x.header = resp.StatusCode, resp.Header
	fb := &firstByteReader{r: io.LimitReader(resp.Body, maxBody), now: now}
	if stream && resp.StatusCode/100 == 2 {
		x.stream = true
		x.body, x.err = readEvents(fb, func() { x.firstEvent = since(now, start) })
	} else {
		x.body, x.err = io.ReadAll(fb)
	}
	x.total = since(now, start)
	if !fb.at.IsZero() {
		x.firstByte = fb.at.Sub(start)
	}
	return x
}

func since(now func() time.Time, t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return now().Sub(t)
}

// firstByteReader notes when the first body byte arrives.
type firstByteReader struct {
	r   io.Reader
	now func() time.Time
	at  time.Time
}

func (f *firstByteReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 && f.at.IsZero() {
		f.at = f.now()
	}
	return n, err
}

// readEvents reads an SSE stream to its end with protocol.SSEReader (the
// one SSE grammar, as the proxy reads it), calling first at the first
// event with data; it returns each event's data on its own line, for error
// checks.
func readEvents(r io.Reader, first func()) ([]byte, error) {
	rd := protocol.NewSSEReader(r)
	var out bytes.Buffer
	seen := false
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out.Bytes(), nil
		}
		if err != nil {
			return out.Bytes(), err
		}
		if ev.Event != "" && len(ev.Data) == 0 {
			continue // a named event without data says nothing yet
		}
		if !seen {
			seen = true
			first()
		}
		out.Write(bytes.TrimSpace(ev.Data))
		out.WriteByte('\n')
	}
}
