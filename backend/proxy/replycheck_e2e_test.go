package proxy_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/routex-app/routex/backend/config"
)

// A channel that answers 200 with something that is not a reply is broken,
// and its breaker opens as for a 500.
func TestInvalidRepliesOpenTheBreaker(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t, withRouting(config.Routing{FailureThreshold: 2, CooldownS: 60}))
	a := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><title>Login</title></html>")
	})
	b := newUpstream(t, answer("B", false))
	twoChannels(t, te, a, b)
	for range 2 {
		readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
	}
	if h := te.channelHealth(t, "A"); h.Get("state").Str != "open" || h.Get("failed").Int() != 2 {
		t.Errorf("A's health after two HTML 200s = %s, want open with 2 failed", h.Raw)
	}
}
