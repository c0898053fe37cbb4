package proxy

import (
	"net/http/httptest"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/route"
)

// The proxy takes the model and the stream flag from the format's one
// request reader, so it and routing never disagree on them (a "stream": 1
// once streamed in the proxy while routing saw no stream).
func TestInboundAgreesWithRouting(t *testing.T) {
	t.Parallel()
	cases := []struct {
		format protocol.Format
		path   string
		body   string
	}{
		{protocol.OpenAI, "/v1/chat/completions", `{"model":"m","stream":true,"messages":[]}`},
		{protocol.OpenAI, "/v1/chat/completions", `{"model":"m","stream":1,"messages":[]}`},
		{protocol.OpenAI, "/v1/chat/completions", `{"model":"m","stream":"true","messages":[]}`},
		{protocol.Anthropic, "/v1/messages", `{"model":"m","stream":true,"max_tokens":1,"messages":[]}`},
		{protocol.Anthropic, "/v1/messages", `{"model":"m","stream":false,"max_tokens":1,"messages":[]}`},
		{protocol.Responses, "/v1/responses", `{"model":"m","stream":true,"input":"hi"}`},
		{protocol.Responses, "/v1/responses", `{"model":"m","stream":1,"input":"hi"}`},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", c.path, nil)
		in, err := parseInbound(c.format, r, []byte(c.body))
		if err != nil {
			t.Fatalf("%s %s: %v", c.format, c.body, err)
		}
		s := route.Summarize(c.format, "", []byte(c.body), nil)
		if in.stream != s.Stream || in.model != s.Model {
			t.Errorf("%s %s: proxy reads model %q stream %t, routing %q %t", c.format, c.body, in.model, in.stream, s.Model, s.Stream)
		}
	}
	r := httptest.NewRequest("POST", "/v1/chat/completions", nil)
	if _, err := parseInbound(protocol.OpenAI, r, []byte(`{"model":7,"messages":[]}`)); err == nil {
		t.Error("a model that is not a string was accepted")
	}
}
