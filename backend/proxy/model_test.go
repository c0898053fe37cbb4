package proxy_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/store"
)

// A blank model or one with control characters is refused in the caller's
// format; a very long one is served, but every log row holds only its start
// and a mark.
func TestModelNamesAreCheckedAndLogRowsBounded(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	up := newUpstream(t, replyJSON(http.StatusOK, anthropicMessage))
	te.addChannel(t, store.Channel{Name: "c", BaseURL: up.URL})
	body := func(model string) []byte {
		return []byte(`{"model":` + jsonString(model) + `,"max_tokens":8,"messages":[{"role":"user","content":"hi"}]}`)
	}
	for _, model := range []string{"   ", "claude\nX-Injected: yes", "a\u0000b"} {
		resp := te.post(t, "/v1/messages", body(model))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("model %q: status %d, want 400", model, resp.StatusCode)
		}
		if env := readError(t, resp, "anthropic"); !strings.Contains(env.Error.Message, "model") {
			t.Errorf("model %q: message %q does not name the model", model, env.Error.Message)
		}
	}
	if n := len(up.requests()); n != 0 {
		t.Errorf("the upstream received %d refused requests", n)
	}

	long := strings.Repeat("very-long-model-name-", 500) // 10500 bytes
	resp := te.post(t, "/v1/messages", body(long))
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a long model: status %d", resp.StatusCode)
	}
	if got := gjson.GetBytes(up.only(t).Body, "model").Str; got != long {
		t.Errorf("the upstream got a model of %d bytes, want the client's %d", len(got), len(long))
	}
	for _, l := range storedLogs(t, te) {
		if l.Status != http.StatusOK {
			continue
		}
		for what, m := range map[string]string{"client": l.ClientModel, "upstream": l.UpstreamModel} {
			if len(m) > 300 || !strings.HasPrefix(m, "very-long-model-name-") || !strings.Contains(m, "truncated") {
				t.Errorf("the log row's %s model is %d bytes (%.40q…), want its start and a mark", what, len(m), m)
			}
		}
	}
}
