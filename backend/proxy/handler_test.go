package proxy_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/proxy"
	"github.com/routex-app/routex/backend/store"
)

// recorder keeps what the handler records; a fake because the real writer
// batches to SQLite and would make these assertions wait on timers.
type recorder struct {
	mu   sync.Mutex
	recs []store.RequestLog
	got  chan struct{}
}

func newRecorder() *recorder { return &recorder{got: make(chan struct{}, 16)} }

func (r *recorder) Record(rec store.RequestLog) {
	r.mu.Lock()
	r.recs = append(r.recs, rec)
	r.mu.Unlock()
	r.got <- struct{}{}
}

func (r *recorder) last() store.RequestLog {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recs[len(r.recs)-1]
}

// newStore opens a real store on a temporary file.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "routex.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestHandlerOnItsOwn(t *testing.T) {
	t.Parallel()

	t.Run("a handler built with zero timeouts still forwards", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replySSE(anthropicEvents))
		st := newStore(t)
		if _, err := st.CreateChannel(context.Background(), store.Channel{Name: "a", Type: "anthropic", BaseURL: up.URL,
			APIKey: testChannelKey, Enabled: true, Priority: 1, Weight: 1}); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(proxy.New(proxy.Options{AccessKey: testAccessKey, Logger: slog.New(slog.DiscardHandler)}, st))
		defer srv.Close()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/messages", strings.NewReader(`{"model":"m","stream":true,"messages":[]}`))
		req.Header.Set("X-Api-Key", testAccessKey)
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || string(body) != strings.Join(anthropicEvents, "") {
			t.Errorf("got %d %q", resp.StatusCode, body)
		}
	})

	t.Run("count_tokens goes to the same path upstream", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replyJSON(http.StatusOK, `{"input_tokens":2095}`))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "a", BaseURL: up.URL})
		resp := te.post(t, "/v1/messages/count_tokens", []byte(`{"model":"m","messages":[]}`))
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != `{"input_tokens":2095}` {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
		if p := up.only(t).Path; p != "/v1/messages/count_tokens" {
			t.Errorf("upstream path = %s", p)
		}
	})

	t.Run("a Gemini caller's key in the query never goes upstream", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: {\"candidates\":[]}\n\n")
		})
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "g", Type: "gemini", BaseURL: up.URL + "/v1beta",
			ModelMap: map[string]string{"gemini-pro": "gemini-2.5-flash"}})
		resp, err := testClient.Post(te.url+"/v1beta/models/gemini-pro:streamGenerateContent?alt=sse&key="+testAccessKey,
			"application/json", strings.NewReader(`{"contents":[{"parts":[{"text":"hi"}]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		in := up.only(t)
		seenQuery, seenPath, seenKey := in.Query, in.Path, in.Header.Get("X-Goog-Api-Key")
		if resp.StatusCode != http.StatusOK || seenQuery != "alt=sse" {
			t.Errorf("status %d, upstream query %q, want alt=sse only", resp.StatusCode, seenQuery)
		}
		if seenPath != "/v1beta/models/gemini-2.5-flash:streamGenerateContent" || seenKey != testChannelKey {
			t.Errorf("upstream got %s with x-goog-api-key %q", seenPath, seenKey)
		}
	})

	t.Run("a client that leaves mid-stream is recorded as disconnected", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, anthropicEvents[0])
			http.NewResponseController(w).Flush()
			<-r.Context().Done()
		})
		st := newStore(t)
		if _, err := st.CreateChannel(context.Background(), store.Channel{Name: "a", Type: "anthropic", BaseURL: up.URL,
			APIKey: testChannelKey, Enabled: true, Priority: 1, Weight: 1}); err != nil {
			t.Fatal(err)
		}
		rec := newRecorder()
		srv := httptest.NewServer(proxy.New(proxy.Options{AccessKey: testAccessKey, Recorder: rec, Logger: slog.New(slog.DiscardHandler)}, st))
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{}}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/messages", strings.NewReader(`{"model":"m","stream":true,"messages":[]}`))
		req.Header.Set("X-Api-Key", testAccessKey)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readEvent(bufio.NewReader(resp.Body))
		resp.Body.Close()
		within(t, 5*time.Second, rec.got, "the exchange to be recorded")
		if l := rec.last(); l.Error != "client disconnected" || l.ChannelName != "a" || !l.Stream || l.TTFTMS < 0 {
			t.Errorf("record = %+v", l)
		}
	})
}
