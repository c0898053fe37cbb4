package convert

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/internal/fixture"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/anthropic"
)

func claudeCodeRequest(t testing.TB) []byte {
	t.Helper()
	return fixture.ClaudeCode(t).Body
}

func TestClaudeCodeRequestConvertsToEveryFormat(t *testing.T) {
	t.Parallel()
	req, err := For(protocol.Anthropic).DecodeRequest(claudeCodeRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range protocol.Formats {
		t.Run(string(to), func(t *testing.T) {
			body, err := Request(req, to, "upstream-model")
			if err != nil {
				t.Fatalf("encode for %s: %v", to, err)
			}
			if !json.Valid(body) {
				t.Fatal("not JSON")
			}
			back, err := For(to).DecodeRequest(body)
			if err != nil {
				t.Fatalf("%s cannot read its own encoding: %v", to, err)
			}
			if len(back.Tools) != len(req.Tools) {
				t.Errorf("tools: %d in, %d back", len(req.Tools), len(back.Tools))
			}
			if len(back.System) == 0 {
				t.Error("the system prompt was lost (rule 1)")
			}
			if to != protocol.Anthropic && strings.Contains(string(body), "cache_control") {
				t.Error("cache_control leaked to a provider that rejects it (rule 8)")
			}
		})
	}
}

// openAIChunks is an OpenAI stream with no usage at all: the case where
// Routex must estimate.
var openAIChunks = []string{
	`{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`,
	`{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"Hello there, "}}]}`,
	`{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"how can I help?"}}]}`,
	`{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
	`[DONE]`,
}

func TestStreamWithoutUpstreamUsageIsEstimated(t *testing.T) {
	t.Parallel()
	req, err := For(protocol.Anthropic).DecodeRequest(claudeCodeRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStream(protocol.OpenAI, protocol.Anthropic, req, protocol.EncodeOptions{Model: "claude-opus-4-8", EstimatedInputTokens: 123})
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, c := range openAIChunks {
		if out, err = s.Event(out, protocol.SSEEvent{Data: []byte(c)}); err != nil {
			t.Fatal(err)
		}
	}
	out = s.Finish(out)
	u := s.Usage()
	if !u.Estimated || u.InputTokens <= 0 || u.OutputTokens <= 0 {
		t.Fatalf("usage = %+v, want estimated input and output", u)
	}
	events := codectest.ReadSSE(t, string(out))
	if err := validateAnthropicWire(events); err != nil {
		t.Fatalf("invalid Anthropic stream: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), `"input_tokens":123`) {
		t.Errorf("message_start should carry the estimate given: %s", out)
	}
}

func TestStreamKeepsRealUsage(t *testing.T) {
	t.Parallel()
	req := &protocol.Request{Messages: []protocol.Message{{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockText, Text: "hi"}}}}}
	s, _ := NewStream(protocol.OpenAI, protocol.Anthropic, req, protocol.EncodeOptions{Model: "x"})
	chunks := append(append([]string{}, openAIChunks[:4]...),
		`{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[],"usage":{"prompt_tokens":50,"completion_tokens":7,"total_tokens":57,"prompt_tokens_details":{"cached_tokens":20}}}`, `[DONE]`)
	var out []byte
	for _, c := range chunks {
		out, _ = s.Event(out, protocol.SSEEvent{Data: []byte(c)})
	}
	s.Finish(out)
	u := s.Usage()
	if u.Estimated || u.InputTokens != 30 || u.CacheReadTokens != 20 || u.OutputTokens != 7 {
		t.Fatalf("usage = %+v, want the upstream's (30 fresh + 20 cached in, 7 out)", u)
	}
}

func TestReplayTurnsAWholeReplyIntoAStream(t *testing.T) {
	t.Parallel()
	reply := `{"id":"chatcmpl-1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Sure.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"Read","arguments":"{\"path\":\"a.go\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}`
	s, _ := NewStream(protocol.OpenAI, protocol.Anthropic, &protocol.Request{}, protocol.EncodeOptions{Model: "x"})
	out, err := s.Replay(nil, []byte(reply))
	if err != nil {
		t.Fatal(err)
	}
	if err := validateAnthropicWire(codectest.ReadSSE(t, string(out))); err != nil {
		t.Fatalf("invalid stream: %v\n%s", err, out)
	}
	for _, want := range []string{`"type":"tool_use"`, `"partial_json":"{\"path\":\"a.go\"}"`, `"stop_reason":"tool_use"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
}

func TestFailEndsTheStreamWithAnErrorEvent(t *testing.T) {
	t.Parallel()
	s, _ := NewStream(protocol.OpenAI, protocol.Anthropic, &protocol.Request{}, protocol.EncodeOptions{Model: "x"})
	out, _ := s.Event(nil, protocol.SSEEvent{Data: []byte(openAIChunks[1])})
	out = s.Fail(out, protocol.Overloaded, "channel c: upstream went silent")
	if !strings.HasSuffix(string(out), "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"channel c: upstream went silent\"}}\n\n") {
		t.Fatalf("stream does not end with the error event:\n%s", out)
	}
	if after := s.Finish(nil); len(after) != 0 {
		t.Fatalf("nothing may follow the error event, got %s", after)
	}
}

// validateAnthropicWire reads a client stream back with the Anthropic
// decoder and checks the order of docs/CONVERSION.md, rule 15 on what it finds.
func validateAnthropicWire(wire []protocol.SSEEvent) error {
	dec := anthropic.Codec{}.NewStreamDecoder()
	var events []protocol.Event
	for _, ev := range wire {
		got, err := dec.Decode(ev)
		if err != nil {
			return err
		}
		events = append(events, got...)
	}
	events = append(events, dec.Finish()...)
	return anthropic.ValidateStream(events)
}

// FuzzConvertRequest feeds one body to every decoder and what decodes to
// every encoder: malformed input must give an error, never a panic.
func FuzzConvertRequest(f *testing.F) {
	f.Add([]byte(`{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`))
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"array"}}}}`))
	f.Add([]byte(`{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"hi"}],"output_config":{"format":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"minimum":1}}}}}}`))
	f.Add([]byte(`{"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"a":{"type":"STRING"}}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, from := range protocol.Formats {
			req, err := For(from).DecodeRequest(body)
			if err != nil {
				continue
			}
			for _, to := range protocol.Formats {
				Request(req, to, "m")
			}
		}
	})
}

// Claude Code's metadata.user_id is a JSON string of about 150 characters;
// OpenAI refuses a user longer than 64 with a 400 before answering. The
// OpenAI request carries a stable stand-in instead, the same for every
// request of the same user.
func TestClaudeCodeUserIDFitsOpenAI(t *testing.T) {
	t.Parallel()
	req, err := For(protocol.Anthropic).DecodeRequest(claudeCodeRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(req.UserID) <= 64 {
		t.Fatalf("the fixture's user id has %d characters; the test needs Claude Code's long one", len(req.UserID))
	}
	body, err := Request(req, protocol.OpenAI, "gpt-4.1")
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		User string `json:"user"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if out.User == "" || len(out.User) > 64 {
		t.Fatalf("user = %q (%d characters), want a stand-in of at most 64", out.User, len(out.User))
	}
	again, _ := Request(req, protocol.OpenAI, "gpt-4.1")
	if !strings.Contains(string(again), `"user":"`+out.User+`"`) {
		t.Error("the stand-in is not stable across requests")
	}
	if req.UserID == out.User {
		t.Error("the stand-in is the original")
	}
}
