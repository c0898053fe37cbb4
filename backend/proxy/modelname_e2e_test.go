package proxy_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/store"
)

// A passthrough reply names the client's model when Routex renamed it on
// the way up (model_map, a route target, the active provider's model):
// Claude Code drops the thinking block of a turn it thinks another model
// wrote, and the next request is refused. Every other byte passes as the
// upstream sent it.
func TestPassthroughRepliesNameTheClientsModel(t *testing.T) {
	t.Parallel()
	anthropicStream := strings.Join(anthropicEvents, "")
	openAIStream := strings.Join(openAIChunks, "")
	geminiStream := strings.Join(geminiToolEvents, "")
	cases := []struct {
		name, format, path, client, upstreamModel string
		rename                                    func(t testing.TB, te *testEngine, base string)
		body                                      []byte
		reply                                     http.HandlerFunc
		want                                      string
	}{
		{"Anthropic, model_map, whole", "anthropic", "/v1/messages", "claude-opus-4-8", "glm-4.6",
			mapTo("anthropic", "glm-4.6"), chatBody("claude-opus-4-8", false, "hi"),
			replyJSON(http.StatusOK, anthropicMessage), strings.Replace(anthropicMessage, `"glm-4.6"`, `"claude-opus-4-8"`, 1)},
		{"Anthropic, model_map, stream", "anthropic", "/v1/messages", "claude-opus-4-8", "glm-4.6",
			mapTo("anthropic", "glm-4.6"), chatBody("claude-opus-4-8", true, "hi"),
			replySSE(anthropicEvents), strings.Replace(anthropicStream, `"glm-4.6"`, `"claude-opus-4-8"`, 1)},
		{"Anthropic, the active provider's model, stream", "anthropic", "/v1/messages", "claude-opus-4-8", "glm-4.6",
			func(t testing.TB, te *testEngine, base string) {
				te.addChannel(t, store.Channel{Name: "zhipu", BaseURL: base})
				te.setActive(t, "zhipu,glm-4.6")
			}, chatBody("claude-opus-4-8", true, "hi"),
			replySSE(anthropicEvents), strings.Replace(anthropicStream, `"glm-4.6"`, `"claude-opus-4-8"`, 1)},
		{"OpenAI, model_map, whole", "openai", "/v1/chat/completions", "gpt-5", "gpt-4.1-mini",
			mapTo("openai", "gpt-4.1-mini"), []byte(`{"model":"gpt-5","messages":[{"role":"user","content":"hi"}]}`),
			replyJSON(http.StatusOK, openAICompletion), strings.Replace(openAICompletion, `"gpt-4.1-mini"`, `"gpt-5"`, 1)},
		{"OpenAI, model_map, stream", "openai", "/v1/chat/completions", "gpt-5", "gpt-4.1-mini",
			mapTo("openai", "gpt-4.1-mini"), []byte(`{"model":"gpt-5","stream":true,"messages":[{"role":"user","content":"hi"}]}`),
			replySSE(openAIChunks), strings.ReplaceAll(openAIStream, `"gpt-4.1-mini"`, `"gpt-5"`)},
		{"Gemini, model_map, stream", "gemini", "/v1beta/models/gemini-3-pro:streamGenerateContent?alt=sse", "gemini-3-pro", "gemini-2.5-pro",
			mapTo("gemini", "gemini-2.5-pro"), []byte(`{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`),
			replySSE(geminiToolEvents), strings.ReplaceAll(geminiStream, `"gemini-2.5-pro"`, `"gemini-3-pro"`)},
		{"not renamed: the upstream's own name for the model stays", "anthropic", "/v1/messages", "glm-4.6", "glm-4.6",
			mapTo("anthropic", ""), chatBody("glm-4.6", false, "hi"),
			replyJSON(http.StatusOK, strings.Replace(anthropicMessage, `"glm-4.6"`, `"glm-4.6-0930"`, 1)),
			strings.Replace(anthropicMessage, `"glm-4.6"`, `"glm-4.6-0930"`, 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			te := newTestEngine(t)
			up := newUpstream(t, c.reply)
			c.rename(t, te, up.URL)
			body := c.body
			if c.format == "anthropic" {
				body, _ = sjson.SetBytes(body, "thinking", map[string]any{"type": "adaptive"})
			}
			raw := readOK(t, te.postAs(t, c.format, c.path, body, nil))
			sent := up.only(t)
			if c.format != "gemini" && gjson.GetBytes(sent.Body, "model").Str != c.upstreamModel {
				t.Fatalf("upstream got model %s, want %s", gjson.GetBytes(sent.Body, "model").Str, c.upstreamModel)
			}
			if c.format == "gemini" && !strings.Contains(sent.Path, c.upstreamModel) {
				t.Fatalf("upstream path %s does not name %s", sent.Path, c.upstreamModel)
			}
			if string(raw) != c.want {
				t.Fatalf("client got\n%s\nwant\n%s", raw, c.want)
			}
		})
	}
}

// mapTo adds a channel of format that renames every client model to model
// (none when model is empty).
func mapTo(format, model string) func(t testing.TB, te *testEngine, base string) {
	return func(t testing.TB, te *testEngine, base string) {
		ch := store.Channel{Name: "up", Type: format, BaseURL: base}
		if format == "openai" {
			ch.BaseURL += "/v1"
		}
		if model != "" {
			ch.ModelMap = map[string]string{"claude-opus-4-8": model, "gpt-5": model, "gemini-3-pro": model}
		}
		te.addChannel(t, ch)
	}
}
