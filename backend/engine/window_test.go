package engine_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/observe"
)

// A switch made in the window (PUT /api/active through the admin API) is
// what the tray shows at its next poll, and it is announced on the live
// event stream the window and other browsers follow.
func TestWindowSwitchReachesTheTrayAndTheEventStream(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	srv := serve(t, e)
	auth := http.Header{"Authorization": {"Bearer " + testAdminToken}, "Content-Type": {"application/json"}}
	var ids []int64
	for _, name := range []string{"anthropic", "deepseek"} {
		resp, body := do(t, http.MethodPost, srv.URL+"/api/channels", "", auth,
			`{"name":"`+name+`","type":"anthropic","base_url":"https://api.example.com","api_key":"sk-test-key-000001"}`)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create %s: %d %s", name, resp.StatusCode, body)
		}
		var c struct{ ID int64 }
		json.Unmarshal([]byte(body), &c)
		ids = append(ids, c.ID)
	}
	_, first := do(t, http.MethodGet, srv.URL+"/api/events?poll=1&since=0", "", auth, "")
	var start struct{ Next uint64 }
	json.Unmarshal([]byte(first), &start)

	if resp, body := do(t, http.MethodPut, srv.URL+"/api/active", "", auth, `{"channel_id":`+itoa(ids[1])+`}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT /api/active: %d %s", resp.StatusCode, body)
	}
	s, err := e.TrayBridge().TrayState(context.Background())
	if err != nil || s.ActiveID != ids[1] {
		t.Fatalf("the tray's state has active %d (%v), want deepseek (%d)", s.ActiveID, err, ids[1])
	}

	_, polled := do(t, http.MethodGet, srv.URL+"/api/events?poll=1&topics=change&since="+itoa(int64(start.Next)), "", auth, "")
	var got struct{ Events []observe.Event }
	json.Unmarshal([]byte(polled), &got)
	found := false
	for _, ev := range got.Events {
		found = found || (ev.Topic == observe.TopicChange && strings.Contains(string(ev.Data), `"routes"`))
	}
	if !found {
		t.Errorf("no change event for the routes after the switch: %s", polled)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The window reaches /api in-process, through DesktopHandler: the live
// event stream must flush through its status recorder and stay open, so
// a change reaches the window as it happens (a recorder that cannot
// flush ends the stream after its first write).
func TestDesktopHandlerStreamsLiveEvents(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	srv := httptest.NewServer(e.DesktopHandler())
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/events?topics=change", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "retry:") {
		t.Fatalf("the stream's first line is %q (%v), want its retry: line", lines.Text(), lines.Err())
	}
	// A change made now must arrive on the open stream.
	go func() {
		post, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/channels",
			strings.NewReader(`{"name":"live","type":"anthropic","base_url":"https://api.example.com","api_key":"sk-test-key-000001"}`))
		post.Header.Set("Content-Type", "application/json")
		if r, err := http.DefaultClient.Do(post); err == nil {
			r.Body.Close()
		}
	}()
	for lines.Scan() {
		if lines.Text() == "event: "+observe.TopicChange {
			return
		}
	}
	t.Fatalf("the stream ended without the change event: %v", lines.Err())
}
