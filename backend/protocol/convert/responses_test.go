package convert

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/internal/golden"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/responses"
)

// The Responses API against each other format, both ways: a request, a
// reply and a stream of each format (testdata/responses/*/FORMAT.*)
// converted into the other, against golden files named FROM.to-TO.

var clockRE = regexp.MustCompile(`"created(_at)?": ?\d+`)

// responsesPairs lists every conversion with the Responses API on one side.
func responsesPairs() [][2]protocol.Format {
	var out [][2]protocol.Format
	for _, f := range []protocol.Format{protocol.Anthropic, protocol.OpenAI, protocol.Gemini} {
		out = append(out, [2]protocol.Format{protocol.Responses, f}, [2]protocol.Format{f, protocol.Responses})
	}
	return out
}

func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	out, _ := json.MarshalIndent(v, "", "  ")
	return append(clockRE.ReplaceAll(out, []byte(`"created${1}":0`)), '\n')
}

func TestResponsesRequestsGolden(t *testing.T) {
	t.Parallel()
	for _, p := range responsesPairs() {
		from, to := p[0], p[1]
		t.Run(string(from)+" to "+string(to), func(t *testing.T) {
			t.Parallel()
			req, err := For(from).DecodeRequest(codectest.ReadTestdata(t, "responses/requests/"+string(from)+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if from == protocol.Gemini {
				req.Model = "gemini-2.5-pro"
			}
			body, err := Request(req, to, "upstream-model")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "responses/requests/"+string(from)+".to-"+string(to)+".json", indent(t, body))
			if _, err := For(to).DecodeRequest(body); err != nil {
				t.Errorf("%s cannot read what was made for it: %v", to, err)
			}
			if to != protocol.Anthropic && strings.Contains(string(body), "cache_control") {
				t.Error("cache_control leaked (rule 8)")
			}
		})
	}
}

// A Responses request that Routex decodes and re-encodes for a Responses
// channel (a transformer works on it, or it hands back what Routex carried
// for another provider): OpenAI's reasoning goes back with the id its
// encrypted content is bound to, and a call id that carried a Gemini
// signature goes without it, on the call and its output alike.
func TestResponsesToResponsesRequestGolden(t *testing.T) {
	t.Parallel()
	req, err := For(protocol.Responses).DecodeRequest(codectest.ReadTestdata(t, "responses/requests/openai-responses.json"))
	if err != nil {
		t.Fatal(err)
	}
	body, err := Request(req, protocol.Responses, "upstream-model")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "responses/requests/openai-responses.to-openai-responses.json", indent(t, body))
}

func TestResponsesRepliesGolden(t *testing.T) {
	t.Parallel()
	for _, p := range responsesPairs() {
		from, to := p[0], p[1]
		t.Run(string(from)+" to "+string(to), func(t *testing.T) {
			t.Parallel()
			out, usage, err := Response(codectest.ReadTestdata(t, "responses/replies/"+string(from)+".json"), from, to, &protocol.Request{},
				protocol.EncodeOptions{Model: "client-model"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if usage.Estimated || usage.InputTokens+usage.CacheReadTokens == 0 || usage.OutputTokens == 0 {
				t.Errorf("usage %+v, want the upstream's", usage)
			}
			golden.Check(t, "responses/replies/"+string(from)+".to-"+string(to)+".json", indent(t, out))
		})
	}
}

func TestResponsesStreamsGolden(t *testing.T) {
	t.Parallel()
	for _, p := range responsesPairs() {
		from, to := p[0], p[1]
		t.Run(string(from)+" to "+string(to), func(t *testing.T) {
			t.Parallel()
			s, err := NewStream(from, to, &protocol.Request{}, protocol.EncodeOptions{Model: "client-model", IncludeUsage: true})
			if err != nil {
				t.Fatal(err)
			}
			var out []byte
			for _, ev := range codectest.ReadSSE(t, string(codectest.ReadTestdata(t, "responses/streams/"+string(from)+".sse"))) {
				if out, err = s.Event(out, ev); err != nil {
					t.Fatal(err)
				}
			}
			out = s.Finish(out)
			if u := s.Usage(); u.Estimated || u.OutputTokens == 0 {
				t.Errorf("usage %+v, want the upstream's", u)
			}
			out = clockRE.ReplaceAll(out, []byte(`"created${1}":0`))
			golden.Check(t, "responses/streams/"+string(from)+".to-"+string(to)+".txt", out)
			wire := codectest.ReadSSE(t, string(out))
			switch to {
			case protocol.Responses:
				err = responses.ValidateWire(wire)
			case protocol.Anthropic:
				err = validateAnthropicWire(wire)
			default:
				for _, ev := range wire {
					if string(ev.Data) != "[DONE]" && !json.Valid(ev.Data) {
						t.Errorf("invalid %s chunk %s", to, ev.Data)
					}
				}
			}
			if err != nil {
				t.Errorf("invalid %s stream: %v\n%s", to, err, out)
			}
		})
	}
}
