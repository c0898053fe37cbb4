package proxy_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/config"
)

// A request that passes over a paused channel says so in its log: the
// paused channel is an attempt marked skipped, with the failures that
// paused it and when it may serve again; a channel after the one that
// answered is not listed.
func TestSkippedChannelIsRecorded(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t, withRouting(config.Routing{FailureThreshold: 3}))
	a := newUpstream(t, fail500)
	b := newUpstream(t, answer("B", false))
	twoChannels(t, te, a, b)
	for range 3 {
		readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
	}
	readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
	if n := len(a.requests()); n != 3 {
		t.Fatalf("A received %d requests, want 3 (then paused)", n)
	}
	logs := te.waitLogs(t, 4)
	last := logs[0] // newest first
	at := last.Get("attempts").Array()
	if len(at) != 1 || at[0].Get("channel").Str != "A" || at[0].Get("skipped").Str != "paused" ||
		at[0].Get("failures").Int() != 3 || at[0].Get("status").Int() != 0 {
		t.Fatalf("the request after the pause logged attempts %s, want one skipped attempt on A (paused after 3 failures)", last.Get("attempts").Raw)
	}
	until, err := time.Parse(time.RFC3339Nano, at[0].Get("until").Str)
	if err != nil || until.Before(time.Now()) {
		t.Errorf("skipped attempt until = %q, want a time ahead", at[0].Get("until").Str)
	}
	if last.Get("channel").Str != "B" || last.Get("status").Int() != http.StatusOK {
		t.Errorf("the request was served by %s with %d, want B with 200", last.Get("channel").Str, last.Get("status").Int())
	}
	// The three before: a real failure on A each, none skipped.
	for _, l := range logs[1:] {
		at := l.Get("attempts").Array()
		if len(at) != 1 || at[0].Get("skipped").Exists() || at[0].Get("status").Int() != 500 {
			t.Errorf("a request before the pause logged attempts %s, want one 500 on A", l.Get("attempts").Raw)
		}
	}

	// With B first in the route, A's pause is nobody's business: B answers
	// and nothing was passed over.
	te.putRoutes(t, `{"routes":{"default":["B","A"]}}`)
	readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
	if at := te.waitLogs(t, 5)[0].Get("attempts").Array(); len(at) != 0 {
		t.Errorf("a request served by the first channel of its route logged attempts %v", at)
	}
}
