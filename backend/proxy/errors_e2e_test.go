package proxy_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/store"
)

// Upstream errors reach the client in the provider's own words, prefixed at
// most by the channel name: Claude Code recovers from some of them ("prompt
// is too long: N tokens > M maximum") by matching that wording and reading
// the numbers in it.

// longPrompt is Anthropic's answer to an overlong prompt, with the details
// newer models add on a second line.
const longPrompt = "prompt is too long: 210000 tokens > 200000 maximum\nReduce the length of the messages or tools."

func TestUpstreamErrorWordingReachesTheClientWhole(t *testing.T) {
	t.Parallel()
	t.Run("passthrough: an Anthropic 400", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		up := newUpstream(t, replyJSON(http.StatusBadRequest,
			`{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum\nReduce the length of the messages or tools."}}`))
		te.addChannel(t, store.Channel{Name: "A", BaseURL: up.URL})
		resp := te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", resp.StatusCode)
		}
		if got := readError(t, resp, "anthropic").Error.Message; got != "channel A: "+longPrompt {
			t.Fatalf("message %q, want the provider's words behind the channel name", got)
		}
	})
	t.Run("converted: an OpenAI 400 to an Anthropic client", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		const words = "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages."
		up := newUpstream(t, replyJSON(http.StatusBadRequest,
			`{"error":{"message":"`+words+`","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`))
		te.addChannel(t, store.Channel{Name: "O", Type: "openai", BaseURL: up.URL + "/v1"})
		resp := te.postAs(t, "anthropic", "/v1/messages", chatBody("gpt-4.1", true, fresh()), nil)
		if got := readError(t, resp, "anthropic").Error.Message; got != "channel O: "+words {
			t.Fatalf("message %q, want the provider's words behind the channel name", got)
		}
	})
	t.Run("converted: an error inside a 200 keeps its words and its status", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		up := newUpstream(t, replyJSON(http.StatusOK,
			`{"error":{"message":"Rate limit reached for gpt-4.1 in organization org-x on tokens per min.","type":"tokens","code":"rate_limit_exceeded"}}`))
		te.addChannel(t, store.Channel{Name: "O", Type: "openai", BaseURL: up.URL + "/v1"})
		resp := te.postAs(t, "anthropic", "/v1/messages", chatBody("gpt-4.1", false, fresh()), nil)
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("status %d, want 429", resp.StatusCode)
		}
		want := "channel O: Rate limit reached for gpt-4.1 in organization org-x on tokens per min."
		if got := readError(t, resp, "anthropic").Error.Message; got != want {
			t.Fatalf("message %q, want %q", got, want)
		}
	})
	t.Run("failover: the message leads with the answering status's provider words", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		a := newUpstream(t, fail500)
		b := newUpstream(t, replyJSON(529, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`))
		twoChannels(t, te, a, b)
		resp := te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil)
		if resp.StatusCode != 529 {
			t.Errorf("status %d, want B's 529", resp.StatusCode)
		}
		got := readError(t, resp, "anthropic").Error.Message
		if !strings.HasPrefix(got, "channel B: Overloaded (") || !strings.Contains(got, "channel A: boom in A") {
			t.Fatalf("message %q, want B's words first and A's whole after them", got)
		}
	})
	t.Run("passthrough: an error event first in a 200 stream keeps its words and its status", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		up := newUpstream(t, replySSE([]string{
			"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
		}))
		te.addChannel(t, store.Channel{Name: "A", BaseURL: up.URL})
		resp := te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", true, fresh()), nil)
		if resp.StatusCode != 529 {
			t.Errorf("status %d, want 529", resp.StatusCode)
		}
		env := readError(t, resp, "anthropic")
		if env.Error.Message != "channel A: Overloaded" || env.Error.Type != "overloaded_error" {
			t.Fatalf("error %+v, want the provider's words and overloaded_error", env.Error)
		}
	})
	t.Run("an error inside a 200 about the request itself is answered at once, like its 400", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		const words = "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens."
		a := newUpstream(t, replyJSON(http.StatusOK,
			`{"error":{"message":"`+words+`","type":"invalid_request_error","code":"context_length_exceeded"}}`))
		b := newUpstream(t, textReply("openai", false))
		te.addChannel(t, store.Channel{Name: "A", Type: "openai", BaseURL: a.URL + "/v1", Priority: 1})
		te.addChannel(t, store.Channel{Name: "B", Type: "openai", BaseURL: b.URL + "/v1", Priority: 2})
		resp := te.postAs(t, "anthropic", "/v1/messages", chatBody("gpt-4.1", false, fresh()), nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
		if got := readError(t, resp, "anthropic").Error.Message; got != "channel A: "+words {
			t.Errorf("message %q, want the provider's words behind the channel name", got)
		}
		if n := len(b.requests()); n != 0 || len(a.requests()) != 1 {
			t.Errorf("A got %d requests, B %d; want A's error and nothing sent to B", len(a.requests()), n)
		}
	})
}
