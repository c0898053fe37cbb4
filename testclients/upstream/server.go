// Package upstream is the scripted provider behind `make test-clients`: one
// HTTP server that speaks Anthropic Messages, OpenAI Chat Completions,
// Gemini and the OpenAI Responses API, plays a two-turn tool loop (call the
// client's shell tool, then answer quoting its output), and in strict mode
// refuses what the real providers refuse, with their status and error shape.
// Every request is recorded, attributed to the cell whose path prefix it
// came under, so the runner can tell why a cell failed.
package upstream

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// APIKey is the provider key the runner gives every channel; a request
// without it is refused as a real provider would refuse a missing key.
const APIKey = "sk-scripted-upstream-key"

// Record is one request the upstream received, as written to the log.
type Record struct {
	Time     time.Time         `json:"time"`
	Cell     string            `json:"cell"`
	Format   string            `json:"format"`
	Method   string            `json:"method"`
	Path     string            `json:"path"`
	Stream   bool              `json:"stream,omitempty"`
	Model    string            `json:"model,omitempty"`
	Status   int               `json:"status"`
	Refused  string            `json:"refused,omitempty"`
	Warnings []string          `json:"warnings,omitempty"`
	Action   string            `json:"action,omitempty"`
	Hash     string            `json:"hash,omitempty"`
	Headers  map[string]string `json:"headers,omitempty"`
	Body     json.RawMessage   `json:"body,omitempty"`
	Text     string            `json:"text,omitempty"`
}

// recordedHeaders are the request headers worth seeing in the log (never
// the key headers).
var recordedHeaders = []string{"anthropic-version", "anthropic-beta", "User-Agent", "Content-Type", "x-goog-api-client"}

// Summary is what one cell's requests add up to.
type Summary struct {
	Calls    int      `json:"calls"`
	Refused  []string `json:"refused,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	Repeats  int      `json:"repeats"`
	Actions  []string `json:"actions,omitempty"`
}

// Server is the scripted upstream. The zero value is not usable; use New.
type Server struct {
	// Strict turns on the checks real providers make.
	Strict bool

	mu      sync.Mutex
	log     io.Writer
	records map[string][]Record
	seen    map[string]map[string]int
}

// New returns a strict server that appends its records, one JSON object a
// line, to log (nil: keep them in memory only).
func New(log io.Writer) *Server {
	return &Server{Strict: true, log: log, records: map[string][]Record{}, seen: map[string]map[string]int{}}
}

// Summary adds up the requests recorded for cell.
func (s *Server) Summary(cell string) Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sum Summary
	for _, r := range s.records[cell] {
		sum.Calls++
		if r.Refused != "" {
			sum.Refused = append(sum.Refused, fmt.Sprintf("%s %s: %s", r.Method, r.Path, r.Refused))
		}
		sum.Warnings = append(sum.Warnings, r.Warnings...)
		if r.Action != "" {
			sum.Actions = append(sum.Actions, r.Action)
		}
	}
	for _, n := range s.seen[cell] {
		if n > 1 {
			sum.Repeats += n - 1
		}
	}
	return sum
}

// Records returns a copy of what cell's requests were.
func (s *Server) Records(cell string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.records[cell]...)
}

func (s *Server) record(r Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[r.Cell] = append(s.records[r.Cell], r)
	if r.Hash != "" {
		if s.seen[r.Cell] == nil {
			s.seen[r.Cell] = map[string]int{}
		}
		s.seen[r.Cell][r.Hash]++
	}
	if s.log != nil {
		line, err := json.Marshal(r)
		if err == nil {
			s.log.Write(append(line, '\n'))
		}
	}
}

// splitCell takes the "/cell/<name>" prefix off path: the runner points
// each cell's channel at its own prefix so requests are attributed to it.
func splitCell(path string) (cell, rest string) {
	if after, ok := strings.CutPrefix(path, "/cell/"); ok {
		name, tail, _ := strings.Cut(after, "/")
		return name, "/" + tail
	}
	return "-", path
}

// exchange is one request being answered: the parsed body, what the
// format handler learned, and the reply it is building.
type exchange struct {
	w      http.ResponseWriter
	r      *http.Request
	rec    Record
	body   map[string]any
	raw    []byte
	strict bool
}

// refuse answers an error in the format's own shape and records why.
func (x *exchange) refuse(status int, payload any, reason string) {
	x.rec.Status = status
	x.rec.Refused = reason
	x.w.Header().Set("Content-Type", "application/json")
	x.w.WriteHeader(status)
	json.NewEncoder(x.w).Encode(payload)
}

func (x *exchange) warn(msg string) { x.rec.Warnings = append(x.rec.Warnings, msg) }

// ServeHTTP dispatches by path after taking off the cell prefix.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cell, path := splitCell(r.URL.Path)
	raw, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	x := &exchange{w: w, r: r, raw: raw, strict: s.Strict, rec: Record{Time: time.Now().UTC(), Cell: cell, Method: r.Method, Path: path, Status: http.StatusOK}}
	if len(raw) > 0 {
		// A repeat is the same body to the same endpoint: a client asking
		// again because it did not accept the answer.
		sum := sha256.Sum256(append([]byte(r.URL.RequestURI()+"\n"), raw...))
		x.rec.Hash = hex.EncodeToString(sum[:8])
		x.rec.Body = json.RawMessage(raw)
		if !json.Valid(raw) {
			x.rec.Body = nil
		}
	}
	for _, h := range recordedHeaders {
		if v := r.Header.Get(h); v != "" {
			if x.rec.Headers == nil {
				x.rec.Headers = map[string]string{}
			}
			x.rec.Headers[h] = v
		}
	}
	defer func() { s.record(x.rec) }()

	switch {
	case r.Method == http.MethodPost && (path == "/v1/messages" || path == "/v1/messages/count_tokens"):
		x.rec.Format = "anthropic"
		serveAnthropic(x, path == "/v1/messages/count_tokens")
	case r.Method == http.MethodPost && path == "/v1/chat/completions":
		x.rec.Format = "openai"
		serveOpenAI(x)
	case r.Method == http.MethodPost && path == "/v1/responses":
		x.rec.Format = "responses"
		serveResponses(x)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/v1beta/models/"):
		x.rec.Format = "gemini"
		serveGemini(x, strings.TrimPrefix(path, "/v1beta/models/"))
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/v1/models/"):
		// Gemini serves its stable version too (the GenAI SDK's default).
		x.rec.Format = "gemini"
		serveGemini(x, strings.TrimPrefix(path, "/v1/models/"))
	default:
		x.rec.Format = "unknown"
		x.rec.Hash = ""
		x.refuse(http.StatusNotFound, map[string]any{"error": map[string]any{"message": "scripted upstream: no such endpoint " + r.Method + " " + path}}, "unknown endpoint "+r.Method+" "+path)
	}
}

// decodeBody parses the JSON object body; ok is false when it is not one
// (the caller has already answered).
func (x *exchange) decodeBody(bad func(msg string)) bool {
	dec := json.NewDecoder(bytes.NewReader(x.raw))
	dec.UseNumber()
	if err := dec.Decode(&x.body); err != nil || x.body == nil {
		bad(fmt.Sprintf("request body is not a JSON object: %v", err))
		return false
	}
	return true
}

// readBody is decodeBody that also records the body's model and stream
// flag, for the formats that carry both in the body.
func (x *exchange) readBody(bad func(msg string)) bool {
	if !x.decodeBody(bad) {
		return false
	}
	x.rec.Model, _ = x.body["model"].(string)
	x.rec.Stream, _ = x.body["stream"].(bool)
	return true
}

// OpenLog opens (appending) the JSON-lines request log at path.
func OpenLog(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("upstream: open log %s: %w", path, err)
	}
	return f, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// sseWriter writes Server-Sent Events and flushes each one.
type sseWriter struct {
	w http.ResponseWriter
	f http.Flusher
}

func newSSE(w http.ResponseWriter) *sseWriter {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	return &sseWriter{w: w, f: f}
}

// event writes one event; an empty name writes a data-only event.
func (s *sseWriter) event(name string, data any) {
	b, _ := json.Marshal(data)
	if name != "" {
		fmt.Fprintf(s.w, "event: %s\n", name)
	}
	fmt.Fprintf(s.w, "data: %s\n\n", b)
	if s.f != nil {
		s.f.Flush()
	}
}

// raw writes a data line as is ("[DONE]").
func (s *sseWriter) raw(data string) {
	fmt.Fprintf(s.w, "data: %s\n\n", data)
	if s.f != nil {
		s.f.Flush()
	}
}
