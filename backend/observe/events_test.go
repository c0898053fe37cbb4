package observe

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func newTestHub(t *testing.T) (*Hub, *httptest.Server) {
	t.Helper()
	h := NewHub(0, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

// sseEvent is one parsed server-sent event.
type sseEvent struct{ event, id, data string }

// readEvents reads n events (comments skipped) from an SSE body.
func readEvents(t *testing.T, r *bufio.Reader, n int) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	for len(out) < n {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read SSE after %d events: %v", len(out), err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if cur != (sseEvent{}) {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			cur.event = line[7:]
		case strings.HasPrefix(line, "id: "):
			cur.id = line[4:]
		case strings.HasPrefix(line, "data: "):
			cur.data = line[6:]
		}
	}
	return out
}

func openStream(t *testing.T, ctx context.Context, url string, hdr map[string]string) *bufio.Reader {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	return bufio.NewReader(resp.Body)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEventsStream(t *testing.T) {
	t.Parallel()
	t.Run("a subscriber sees published events in order, filtered by topic", func(t *testing.T) {
		t.Parallel()
		h, srv := newTestHub(t)
		r := openStream(t, t.Context(), srv.URL+"?topics=request", nil)
		waitFor(t, "the subscription", func() bool { return h.Subscribers() == 1 })
		for i := range 5 {
			h.Publish(TopicRequest, RequestEvent{Channel: "c", Status: 200 + i})
			h.Publish(TopicHealth, HealthEvent{Channel: "c", State: "open"})
		}
		got := readEvents(t, r, 5)
		for i, ev := range got {
			var re RequestEvent
			if err := json.Unmarshal([]byte(ev.data), &re); err != nil {
				t.Fatal(err)
			}
			if ev.event != TopicRequest || re.Status != 200+i || ev.id != strconv.Itoa(2*i+1) {
				t.Fatalf("event %d = %+v", i, ev)
			}
		}
	})
	t.Run("Last-Event-ID replays what came after it, then streams live", func(t *testing.T) {
		t.Parallel()
		h, srv := newTestHub(t)
		for i := range 10 {
			h.Publish(TopicRequest, map[string]int{"n": i})
		}
		r := openStream(t, t.Context(), srv.URL, map[string]string{"Last-Event-ID": "7"})
		waitFor(t, "the subscription", func() bool { return h.Subscribers() == 1 })
		h.Publish(TopicHealth, map[string]int{"n": 10})
		got := readEvents(t, r, 4)
		for i, want := range []string{"8", "9", "10", "11"} {
			if got[i].id != want {
				t.Fatalf("event %d id = %s, want %s (all: %+v)", i, got[i].id, want, got)
			}
		}
	})
	t.Run("a ping comment keeps an idle stream open", func(t *testing.T) {
		t.Parallel()
		h := NewHub(0, slog.New(slog.DiscardHandler))
		h.pingEvery = 20 * time.Millisecond
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close) // after the stream's body is closed
		r := openStream(t, t.Context(), srv.URL, nil)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if line == ": ping\n" {
				return
			}
		}
	})
	t.Run("a client that goes away ends its subscription and goroutine", func(t *testing.T) {
		h, srv := newTestHub(t)
		before := runtime.NumGoroutine()
		for range 20 {
			ctx, cancel := context.WithCancel(t.Context())
			r := openStream(t, ctx, srv.URL, nil)
			h.Publish(TopicRequest, 1)
			readEvents(t, r, 1)
			cancel()
		}
		waitFor(t, "subscriptions to close", func() bool { return h.Subscribers() == 0 })
		http.DefaultClient.CloseIdleConnections()
		waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before+2 })
	})
	t.Run("an unknown topic is refused", func(t *testing.T) {
		t.Parallel()
		_, srv := newTestHub(t)
		resp, err := http.Get(srv.URL + "?topics=request,bogus")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "topics=request,health") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
}

func TestEventsPoll(t *testing.T) {
	t.Parallel()
	h, srv := newTestHub(t)
	poll := func(query string) (events []Event, next uint64) {
		resp, err := http.Get(srv.URL + "?poll=1&" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Events []Event `json:"events"`
			Next   uint64  `json:"next"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return body.Events, body.Next
	}
	if evs, next := poll("since=0"); len(evs) != 0 || next != 0 {
		t.Fatalf("empty hub: %v, next %d", evs, next)
	}
	for i := range 3 {
		h.Publish(TopicRequest, map[string]int{"n": i})
	}
	h.Publish(TopicHealth, map[string]string{"state": "open"})
	evs, next := poll("since=1&topics=request")
	if len(evs) != 2 || evs[0].Seq != 2 || evs[1].Seq != 3 || next != 4 || string(evs[0].Data) != `{"n":1}` {
		t.Fatalf("poll since 1 = %+v, next %d", evs, next)
	}
	if evs, next = poll("since=4"); len(evs) != 0 || next != 4 {
		t.Fatalf("poll at the end = %+v, next %d", evs, next)
	}
	if evs, _ = poll("since=99"); len(evs) != 4 {
		t.Fatalf("a since beyond the last event (a restart) replays all kept: got %d", len(evs))
	}
}

func TestHubRingAndSlowSubscribers(t *testing.T) {
	t.Parallel()
	t.Run("the ring keeps the newest events", func(t *testing.T) {
		t.Parallel()
		h := NewHub(5, nil)
		for i := range 12 {
			h.Publish(TopicRequest, i)
		}
		evs, next := h.Since(0, nil)
		if len(evs) != 5 || evs[0].Seq != 8 || evs[4].Seq != 12 || next != 12 {
			t.Fatalf("ring = %+v", evs)
		}
	})
	t.Run("a slow subscriber loses events without blocking the publisher and is told", func(t *testing.T) {
		t.Parallel()
		h := NewHub(0, nil)
		sub := h.Subscribe(nil)
		defer sub.Close()
		done := make(chan struct{})
		go func() {
			for i := range DefaultSubscriberQ + 10 {
				h.Publish(TopicRequest, i)
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Publish blocked on a full subscriber")
		}
		if got := sub.Missed(); got != 10 {
			t.Fatalf("missed = %d, want 10", got)
		}
		if got := sub.Missed(); got != 0 {
			t.Fatalf("Missed did not reset: %d", got)
		}
	})
}
