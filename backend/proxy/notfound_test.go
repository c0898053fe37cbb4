package proxy_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/store"
)

// A 404 is the channel's, not the request's: it fails over, shows in the
// channel's health, and a 400 about the request itself still returns at
// once.
func TestNotFoundCountsAgainstTheChannel(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	a := newUpstream(t, replyJSON(http.StatusNotFound, `{"type":"error","error":{"type":"not_found_error","message":"model: claude-sonnet-4-5"}}`))
	b := newUpstream(t, answer("B", false))
	twoChannels(t, te, a, b)
	raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
	if got := clientText(t, raw, false); got != answerText("B") {
		t.Fatalf("client got %q, want B's answer", got)
	}
	h := te.channelHealth(t, "A")
	if h.Get("failed").Int() != 1 || !strings.Contains(h.Get("last_error").Str, "404") {
		t.Errorf("A's health = %s, want 1 failure with the 404", h.Raw)
	}
}

// count_tokens on a provider without that endpoint is counted locally
// rather than failed over or refused.
func TestCountTokensWithoutTheEndpointIsCountedHere(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	})
	te.addChannel(t, store.Channel{Name: "glm", BaseURL: up.URL})
	raw := readOK(t, te.post(t, "/v1/messages/count_tokens",
		[]byte(`{"model":"glm-4.6","messages":[{"role":"user","content":"count these few words please"}]}`)))
	if n := gjson.GetBytes(raw, "input_tokens").Int(); n <= 0 {
		t.Errorf("count_tokens answered %s, want a local count", raw)
	}
	if h := te.channelHealth(t, "glm"); h.Get("failed").Int() != 0 {
		t.Errorf("a missing count endpoint counted against the channel: %s", h.Raw)
	}
}
