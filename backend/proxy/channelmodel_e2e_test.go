package proxy_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/store"
)

// A route target written "channel" (the model "as requested") on a channel
// that lists its models must not forward a model name the channel is known
// not to serve: Claude Code's claude-sonnet-4-5 to a DeepSeek channel gets
// the channel's model map, else its first model.
func TestTargetModelIsOneTheChannelServes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		models   []string
		modelMap map[string]string
		target   string
		want     string
	}{
		{"as requested on a channel that lists other models: its first model", []string{"deepseek-chat", "deepseek-reasoner"}, nil, "deepseek", "deepseek-chat"},
		{"the model map comes first", []string{"deepseek-chat", "deepseek-reasoner"}, map[string]string{"claude-sonnet-4-5": "deepseek-reasoner"}, "deepseek", "deepseek-reasoner"},
		{"a wildcard key in the model map matches", []string{"deepseek-chat", "deepseek-reasoner"}, map[string]string{"claude-*": "deepseek-reasoner", "gpt-*": "deepseek-chat"}, "deepseek", "deepseek-reasoner"},
		{"the longest matching wildcard wins", []string{"deepseek-chat"}, map[string]string{"claude-*": "deepseek-chat", "claude-sonnet-*": "deepseek-reasoner"}, "deepseek", "deepseek-reasoner"},
		{"an exact key beats a wildcard", []string{"deepseek-chat"}, map[string]string{"claude-*": "deepseek-chat", "claude-sonnet-4-5": "exact"}, "deepseek", "exact"},
		{"the target's own model", []string{"deepseek-chat", "deepseek-reasoner"}, nil, "deepseek,deepseek-reasoner", "deepseek-reasoner"},
		{"a channel that lists no models gets the model as requested", nil, nil, "deepseek", "claude-sonnet-4-5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			te := newTestEngine(t)
			up := newUpstream(t, replyJSON(http.StatusOK, openAICompletion))
			te.addChannel(t, store.Channel{Name: "deepseek", Type: "openai", BaseURL: up.URL + "/v1", Models: tt.models, ModelMap: tt.modelMap})
			te.setActive(t, tt.target)
			resp := te.post(t, "/v1/messages", msgBody(t, map[string]any{"model": "claude-sonnet-4-5"}))
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if got := gjson.GetBytes(up.only(t).Body, "model").Str; got != tt.want {
				t.Errorf("upstream got model %q, want %q", got, tt.want)
			}
			// The client still sees the model it asked for.
			if got := gjson.GetBytes(body, "model").Str; got != "claude-sonnet-4-5" {
				t.Errorf("client got model %q, want claude-sonnet-4-5", got)
			}
			explained := te.explain(t, msgBody(t, map[string]any{"model": "claude-sonnet-4-5"}), nil)
			if got := explained.Get("targets.0.model").Str; got != tt.want {
				t.Errorf("explain says model %q, want %q", got, tt.want)
			}
		})
	}
}
