package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// Inputs that look fine in a form and break later: each is refused at save
// time, naming the field.
func TestValidationRefusesWhatWouldBreakLater(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	a.createChannel("DeepSeek", "")
	otherID := a.createChannel("other", "")

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		field, want              string
	}{
		{"a channel name differing only by case", "POST", "/api/channels",
			`{"name":"deepseek","type":"openai","base_url":"https://x.example/v1"}`, http.StatusConflict, "name", "DeepSeek"},
		{"a rename to another channel's name in other case", "PATCH", "/api/channels/" + itoa(otherID),
			`{"name":"DEEPSEEK"}`, http.StatusConflict, "name", "DeepSeek"},
		{"a name with a control character", "POST", "/api/channels",
			`{"name":"a\u0007b","type":"openai","base_url":"https://x.example/v1"}`, http.StatusBadRequest, "name", "control"},
		{"a name with an escape sequence", "POST", "/api/channels",
			`{"name":"a\u001b[31mred","type":"openai","base_url":"https://x.example/v1"}`, http.StatusBadRequest, "name", "control"},
		{"a key with a line break", "POST", "/api/channels",
			`{"name":"k1","type":"openai","base_url":"https://x.example/v1","api_key":"sk-abc\r\nX-Injected: 1"}`, http.StatusBadRequest, "api_key", "line break"},
		{"one of several keys with a line break", "POST", "/api/channels",
			`{"name":"k2","type":"openai","base_url":"https://x.example/v1","api_keys":["sk-good-1","sk-bad\n2"]}`, http.StatusBadRequest, "api_keys", "line break"},
		{"a header value with a line break", "POST", "/api/channels",
			`{"name":"h","type":"openai","base_url":"https://x.example/v1","headers":{"X-A":"v\r\nX-B: 1"}}`, http.StatusBadRequest, "headers", "line break"},
		{"a model with a control character", "POST", "/api/channels",
			`{"name":"m","type":"openai","base_url":"https://x.example/v1","models":["gpt\u0000x"]}`, http.StatusBadRequest, "models", "control"},
		{"a rule strategy that is no strategy", "PUT", "/api/routes",
			`{"rules":[{"name":"r","targets":["other"],"strategy":"round-robin"}]}`, http.StatusBadRequest, "rules[0].strategy", "round_robin"},
	} {
		r := a.do(tc.method, tc.path, tc.body)
		if r.status != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, r.status, tc.status, r.raw)
			continue
		}
		f := r.field(tc.field)
		if f == nil || !strings.Contains(f["message"].(string), tc.want) {
			t.Errorf("%s: field %q = %v, want a message with %q: %s", tc.name, tc.field, f, tc.want, r.raw)
		}
	}
	// A rename to its own name in another case is fine.
	a.do("PATCH", "/api/channels/"+itoa(otherID), `{"name":"OTHER"}`).want(t, http.StatusOK)
	// Valid strategies in rules still save.
	a.do("PUT", "/api/routes", `{"rules":[{"name":"r","targets":["OTHER"],"strategy":"round_robin"}]}`).want(t, http.StatusOK)
}
