package transform

import (
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

func TestBodySteps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config string
		format protocol.Format
		in     string
		want   string
	}{
		{"streamoptions asks an OpenAI stream for usage", `["streamoptions"]`, protocol.OpenAI,
			`{"model":"m","stream":true}`, `{"model":"m","stream":true,"stream_options":{"include_usage":true}}`},
		{"streamoptions keeps other stream options", `["streamoptions"]`, protocol.OpenAI,
			`{"stream":true,"stream_options":{"x":1}}`, `{"stream":true,"stream_options":{"x":1,"include_usage":true}}`},
		{"streamoptions turns include_usage false to true", `["streamoptions"]`, protocol.OpenAI,
			`{"stream":true,"stream_options":{"include_usage":false}}`, `{"stream":true,"stream_options":{"include_usage":true}}`},
		{"streamoptions replaces a stream_options that is not an object", `["streamoptions"]`, protocol.OpenAI,
			`{"stream":true,"stream_options":null}`, `{"stream":true,"stream_options":{"include_usage":true}}`},
		{"streamoptions leaves a request already asking alone", `["streamoptions"]`, protocol.OpenAI,
			`{"stream":true, "stream_options": {"include_usage": true}}`, `{"stream":true, "stream_options": {"include_usage": true}}`},
		{"streamoptions leaves a non-streamed request alone", `["streamoptions"]`, protocol.OpenAI,
			`{"stream":false}`, `{"stream":false}`},
		{"streamoptions reads stream as routing does: 1 is not true", `["streamoptions"]`, protocol.OpenAI,
			`{"stream":1}`, `{"stream":1}`},
		{"streamoptions leaves Anthropic bodies alone", `["streamoptions"]`, protocol.Anthropic,
			`{"stream":true}`, `{"stream":true}`},
		{"customparams adds a field", `[["customparams", {"params": {"enable_thinking": false}}]]`, protocol.OpenAI,
			`{"model":"qwen3"}`, `{"model":"qwen3","enable_thinking":false}`},
		{"customparams merges objects key by key", `[["customparams", {"params": {"provider": {"order": ["a"], "allow_fallbacks": false}}}]]`, protocol.OpenAI,
			`{"provider":{"order":["x"],"sort":"price"}}`, `{"provider":{"order":["a"],"sort":"price","allow_fallbacks":false}}`},
		{"customparams replaces a value that is not an object", `[["customparams", {"params": {"thinking": {"type": "disabled"}}}]]`, protocol.Anthropic,
			`{"thinking":"on"}`, `{"thinking":{"type": "disabled"}}`},
		{"customparams null deletes a field", `[["customparams", {"params": {"top_k": null, "a": {"b": null}}}]]`, protocol.OpenAI,
			`{"top_k":5,"a":{"b":1,"c":2}}`, `{"a":{"c":2}}`},
		{"customparams handles dotted and numeric keys", `[["customparams", {"params": {"a.b": 1, "o": {"2": true}}}]]`, protocol.OpenAI,
			`{"o":{"1":false}}`, `{"o":{"1":false,"2":true},"a.b":1}`},
		{"steps run in order", `[["customparams", {"params": {"stream": true}}], "streamoptions"]`, protocol.OpenAI,
			`{}`, `{"stream":true,"stream_options":{"include_usage":true}}`},
		{"request-only steps leave the body alone", `["cleancache", "tooluse"]`, protocol.OpenAI,
			`{"x":1}`, `{"x":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := mustChain(t, tt.config, "m").Body(tt.format, []byte(tt.in))
			if err != nil {
				t.Fatalf("Body: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("body = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestBodyRejectsABodyThatIsNotAnObject(t *testing.T) {
	t.Parallel()
	_, err := mustChain(t, `[["customparams", {"params": {"a": 1}}]]`, "m").Body(protocol.OpenAI, []byte(`[1]`))
	if !errors.Is(err, errNotObject) {
		t.Errorf("err = %v, want errNotObject", err)
	}
}

func TestHeadersStep(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config string
		in     http.Header
		want   http.Header
	}{
		{"set adds and replaces headers", `[["headers", {"set": {"x-title": "Routex", "HTTP-Referer": "https://routex.app"}}]]`,
			http.Header{"X-Title": {"old", "older"}},
			http.Header{"X-Title": {"Routex"}, "Http-Referer": {"https://routex.app"}}},
		{"remove drops a header in any case", `[["headers", {"remove": ["anthropic-beta"]}]]`,
			http.Header{"Anthropic-Beta": {"x"}, "Anthropic-Version": {"2023-06-01"}},
			http.Header{"Anthropic-Version": {"2023-06-01"}}},
		{"remove runs before set, so one step replaces", `[["headers", {"set": {"A": "new"}, "remove": ["a"]}]]`,
			http.Header{"A": {"old"}}, http.Header{"A": {"new"}}},
		{"steps run in order", `[["headers", {"set": {"A": "1"}}], ["headers", {"remove": ["A"]}]]`,
			http.Header{}, http.Header{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mustChain(t, tt.config, "m").Headers(tt.in)
			if !reflect.DeepEqual(tt.in, tt.want) {
				t.Errorf("headers = %v, want %v", tt.in, tt.want)
			}
		})
	}
}
