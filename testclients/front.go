package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// front is a counting reverse proxy between a client and its cell's
// engine: it sees every request the client makes and Routex's status, so
// the cell can hold Routex's own request log to account for them.
type front struct {
	url  string
	srv  *http.Server
	mu   sync.Mutex
	seen []exchangeSeen
}

// exchangeSeen is one client request and the status Routex answered.
type exchangeSeen struct {
	Method, Path string
	Status       int
	// Asked is the model the client asked for; Named is the model the
	// reply names (Anthropic Messages only, where clients act on it).
	Asked, Named string
}

// maxKept is how much of a reply the proxy keeps to find the model in it.
const maxKept = 256 << 10

type statusWriter struct {
	http.ResponseWriter
	status int
	kept   bytes.Buffer
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if room := maxKept - w.kept.Len(); room > 0 {
		w.kept.Write(b[:min(len(b), room)])
	}
	return w.ResponseWriter.Write(b)
}

// Flush keeps streams streaming through the proxy.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func startFront(target string) (*front, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the counting proxy: %w", err)
	}
	f := &front{url: "http://" + ln.Addr().String()}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1
	f.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ex := exchangeSeen{Method: r.Method, Path: r.URL.Path}
		// The whole body is read before the request goes on: Go's server
		// closes a request's body once the reply's headers are flushed,
		// and the proxy's transport, which reads the body once more after
		// its last byte to check for extra data, would then find it closed
		// and drop the connection in the middle of a streamed reply
		// (the client sees "terminated").
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "counting proxy: read the request: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		messages := r.Method == http.MethodPost && r.URL.Path == "/v1/messages"
		if messages {
			var req struct {
				Model string `json:"model"`
			}
			json.Unmarshal(body, &req)
			ex.Asked = req.Model
		}
		sw := &statusWriter{ResponseWriter: w}
		rp.ServeHTTP(sw, r)
		ex.Status = sw.status
		if messages && sw.status == http.StatusOK {
			ex.Named = replyModel(sw.kept.Bytes())
		}
		f.mu.Lock()
		f.seen = append(f.seen, ex)
		f.mu.Unlock()
	})}
	go f.srv.Serve(ln)
	return f, nil
}

func (f *front) close() { f.srv.Close() }

func (f *front) exchanges() []exchangeSeen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]exchangeSeen(nil), f.seen...)
}

// unlogged404s returns the API requests Routex answered 404 that its
// request log does not show (waiting a little: the log is written behind).
func unlogged404s(e *engine, seen []exchangeSeen) ([]string, error) {
	var missing []string
	for _, s := range seen {
		if s.Status == http.StatusNotFound && s.Method == http.MethodPost && strings.HasPrefix(s.Path, "/v1") {
			missing = append(missing, s.Method+" "+s.Path)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	var logged int
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		status, body, err := e.Admin(http.MethodGet, "/api/logs?status=404&limit=500", nil)
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("GET /api/logs: status %d: %s", status, body)
		}
		var page struct {
			Logs []json.RawMessage `json:"logs"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, fmt.Errorf("GET /api/logs: %w", err)
		}
		logged = len(page.Logs)
		if logged >= len(missing) || time.Now().After(deadline) {
			break
		}
	}
	if logged >= len(missing) {
		return nil, nil
	}
	return missing, nil
}

// replyModel finds the model an Anthropic reply names: "model" of a JSON
// reply, or of message_start's message in a stream.
func replyModel(reply []byte) string {
	var v struct {
		Model   string `json:"model"`
		Message struct {
			Model string `json:"model"`
		} `json:"message"`
	}
	if json.Unmarshal(reply, &v) == nil {
		return v.Model
	}
	sc := bufio.NewScanner(bytes.NewReader(reply))
	sc.Buffer(make([]byte, 0, 64<<10), maxKept)
	for sc.Scan() {
		data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data: "))
		if ok && bytes.Contains(data, []byte(`"message_start"`)) && json.Unmarshal(data, &v) == nil {
			return v.Message.Model
		}
	}
	return ""
}

// renamedModels lists the replies that name another model than the client
// asked for: Claude Code takes such a turn for another model's and drops
// its thinking from the history.
func renamedModels(seen []exchangeSeen) []string {
	var out []string
	for _, s := range seen {
		if s.Asked != "" && s.Named != "" && s.Named != s.Asked {
			out = append(out, fmt.Sprintf("asked for %s, the reply names %s", s.Asked, s.Named))
		}
	}
	return out
}
