package anthropic

import (
	"bytes"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// TestStreamGolden decodes each recorded upstream stream into neutral
// events (golden .events.jsonl), checks them against docs/CONVERSION.md, rule 15, and encodes
// them back for an Anthropic client (golden .client.sse), which must
// decode to a valid stream again.
func TestStreamGolden(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, what string }{
		{"text", "text with a ping and escapes"},
		{"tools", "thinking, text, then parallel tool calls with streamed arguments"},
		{"server_tools", "server tool blocks skipped, indexes renumbered, citations ignored"},
		{"max_tokens", "a reply cut by max_tokens"},
		{"redacted", "redacted thinking and a stop sequence"},
		{"error_midstream", "an upstream error mid-stream (rule 19)"},
		{"early_end", "a stream cut off mid tool call"},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			t.Parallel()
			events, err := codectest.DecodeSSE(Codec{}, codectest.ReadTestdata(t, c.name+".sse"))
			if err != nil {
				t.Fatal(err)
			}
			if err := ValidateStream(events); err != nil {
				t.Errorf("decoded stream breaks rule 15: %v", err)
			}
			golden(t, c.name+".events.jsonl", eventLines(t, events))
			wire := codectest.EncodeStream(Codec{}, protocol.EncodeOptions{Model: "claude-client", EstimatedInputTokens: 99}, events)
			golden(t, c.name+".client.sse", wire)
			again, err := codectest.DecodeSSE(Codec{}, wire)
			if err != nil {
				t.Fatalf("client stream does not decode: %v", err)
			}
			if err := ValidateStream(again); err != nil {
				t.Errorf("client stream breaks rule 15: %v", err)
			}
		})
	}
}

func TestStreamDecoder(t *testing.T) {
	t.Parallel()
	t.Run("an error event maps its type to the error kind and ends the stream", func(t *testing.T) {
		t.Parallel()
		events, err := codectest.DecodeSSE(Codec{}, codectest.ReadTestdata(t, "error_midstream.sse"))
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.Type != protocol.EventError || last.ErrorKind != protocol.Overloaded || last.ErrorMessage != "Overloaded" {
			t.Errorf("%+v", last)
		}
	})
	t.Run("a stream without message_stop ends with an api_error after closing its blocks", func(t *testing.T) {
		t.Parallel()
		events, _ := codectest.DecodeSSE(Codec{}, codectest.ReadTestdata(t, "early_end.sse"))
		n := len(events)
		if events[n-2].Type != protocol.EventBlockStop || events[n-1].ErrorKind != protocol.APIError || events[n-1].ErrorMessage != "upstream stream ended early" {
			t.Errorf("%+v", events[n-2:])
		}
	})
	t.Run("a stream that lost only message_stop ends normally", func(t *testing.T) {
		t.Parallel()
		text := codectest.ReadTestdata(t, "max_tokens.sse")
		text = text[:bytes.Index(text, []byte("event: message_stop"))]
		events, _ := codectest.DecodeSSE(Codec{}, text)
		if err := ValidateStream(events); err != nil || events[len(events)-1].Type != protocol.EventEnd {
			t.Errorf("%v %+v", err, events[len(events)-1])
		}
	})
	t.Run("message_delta usage merges with message_start usage", func(t *testing.T) {
		t.Parallel()
		events, _ := codectest.DecodeSSE(Codec{}, codectest.ReadTestdata(t, "tools.sse"))
		for _, ev := range events {
			if ev.Type == protocol.EventStop {
				u := ev.Usage
				if u.InputTokens != 472 || u.OutputTokens != 89 || u.CacheReadTokens != 2000 || u.CacheWriteTokens != 100 {
					t.Errorf("%+v", u)
				}
			}
		}
	})
	bad := []struct{ name, data, want string }{
		{"data that is not JSON is an error", `{"type":`, "not valid JSON"},
		{"a delta for a block never started is an error", `{"type":"content_block_delta","index":7,"delta":{"type":"text_delta","text":"x"}}`, "never started"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			_, err := Codec{}.NewStreamDecoder().Decode(protocol.SSEEvent{Data: []byte(b.data)})
			if err == nil || !strings.Contains(err.Error(), b.want) {
				t.Errorf("error %v, want %q", err, b.want)
			}
		})
	}
	t.Run("a delta that does not fit its block is an error", func(t *testing.T) {
		t.Parallel()
		d := Codec{}.NewStreamDecoder()
		d.Decode(protocol.SSEEvent{Data: []byte(`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)})
		_, err := d.Decode(protocol.SSEEvent{Data: []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}`)})
		if err == nil {
			t.Error("no error")
		}
	})
}

func TestStreamEncoder(t *testing.T) {
	t.Parallel()
	start := protocol.Event{Type: protocol.EventStart, ID: "chatcmpl-123", Model: "gpt-5"}
	tests := []struct {
		name   string
		opts   protocol.EncodeOptions
		events []protocol.Event
		want   []string // substrings, in order
	}{
		{"rule 15: message_start uses the estimate when the upstream reported no input",
			protocol.EncodeOptions{Model: "claude-x", EstimatedInputTokens: 1234},
			[]protocol.Event{start},
			[]string{`event: message_start`, `"id":"msg_`, `"model":"claude-x"`, `"usage":{"input_tokens":1234,`}},
		{"rule 15: message_start keeps a real input count",
			protocol.EncodeOptions{EstimatedInputTokens: 1234},
			[]protocol.Event{{Type: protocol.EventStart, ID: "msg_abc", Usage: &protocol.Usage{InputTokens: 7}}},
			[]string{`"id":"msg_abc"`, `"input_tokens":7,`}},
		{"rule 15: text after a tool call is a new block with its own index",
			protocol.EncodeOptions{Model: "c"},
			[]protocol.Event{start,
				{Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockToolUse, ID: "call_1", Name: "ls"}},
				{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaJSON, Text: `{"a":1}`},
				{Type: protocol.EventBlockStop, Index: 0},
				{Type: protocol.EventBlockStart, Index: 1, Block: &protocol.Block{Type: protocol.BlockText}},
				{Type: protocol.EventDelta, Index: 1, Delta: protocol.DeltaText, Text: "hi"},
				{Type: protocol.EventStop, StopReason: protocol.StopEndTurn, Usage: &protocol.Usage{OutputTokens: 5}},
				{Type: protocol.EventEnd}},
			[]string{`"index":0,"content_block":{"type":"tool_use","id":"call_1","name":"ls","input":{}}`,
				`"index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}`,
				`content_block_stop","index":0`,
				`"index":1,"content_block":{"type":"text","text":""}`,
				`"index":1,"delta":{"type":"text_delta","text":"hi"}`,
				`content_block_stop","index":1`,
				`"stop_reason":"tool_use"`, `"usage":{"output_tokens":5,"input_tokens":0,`,
				"event: message_stop"}},
		{"rule 15: thinking starts with an empty signature, signature arrives as a delta",
			protocol.EncodeOptions{},
			[]protocol.Event{start,
				{Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockThinking}},
				{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaThinking, Text: "hmm"},
				{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaSignature, Text: "sig"}},
			[]string{`{"type":"thinking","thinking":"","signature":""}`, `"delta":{"type":"thinking_delta","thinking":"hmm"}`, `"delta":{"type":"signature_delta","signature":"sig"}`}},
		{"a missing message_start, block stop and stop are supplied",
			protocol.EncodeOptions{EstimatedInputTokens: 10},
			[]protocol.Event{{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaText, Text: "x"}, {Type: protocol.EventEnd}},
			[]string{"event: message_start", `"input_tokens":10,`, "content_block_start", "content_block_delta", "content_block_stop", `"stop_reason":"end_turn"`, `"input_tokens":10,`, "message_stop"}},
		{"rule 19: an error becomes an Anthropic error event and nothing follows",
			protocol.EncodeOptions{},
			[]protocol.Event{start, {Type: protocol.EventError, ErrorKind: protocol.Overloaded, ErrorMessage: "busy"}, {Type: protocol.EventEnd}},
			[]string{"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}\n\n"}},
		{"ping keeps idle streams alive",
			protocol.EncodeOptions{},
			[]protocol.Event{{Type: protocol.EventPing}},
			[]string{"event: ping\ndata: {\"type\":\"ping\"}\n\n"}},
		{"a stop sequence is reported",
			protocol.EncodeOptions{},
			[]protocol.Event{start, {Type: protocol.EventStop, StopReason: protocol.StopSequence, StopSequence: "###"}},
			[]string{`"delta":{"stop_reason":"stop_sequence","stop_sequence":"###"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := string(codectest.EncodeStream(Codec{}, tt.opts, tt.events))
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing (in order) %q in:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
			if strings.Contains(tt.name, "nothing follows") && strings.Contains(got, "message_stop") {
				t.Errorf("events after the error:\n%s", got)
			}
		})
	}
}

func TestValidateStream(t *testing.T) {
	t.Parallel()
	start := protocol.Event{Type: protocol.EventStart}
	text := protocol.Event{Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockText}}
	delta := protocol.Event{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaText, Text: "x"}
	stop0 := protocol.Event{Type: protocol.EventBlockStop, Index: 0}
	stop := protocol.Event{Type: protocol.EventStop, StopReason: protocol.StopEndTurn}
	end := protocol.Event{Type: protocol.EventEnd}
	tests := []struct {
		name   string
		events []protocol.Event
		ok     bool
	}{
		{"a whole stream is valid", []protocol.Event{start, text, delta, stop0, stop, end}, true},
		{"an error may end the stream early", []protocol.Event{start, text, delta, {Type: protocol.EventError}}, true},
		{"a block before the start is invalid", []protocol.Event{text, start, stop, end}, false},
		{"an index that skips is invalid", []protocol.Event{start, {Type: protocol.EventBlockStart, Index: 1, Block: &protocol.Block{Type: protocol.BlockText}}, stop, end}, false},
		{"a json delta in a text block is invalid", []protocol.Event{start, text, {Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaJSON}, stop0, stop, end}, false},
		{"a delta after its block stopped is invalid", []protocol.Event{start, text, stop0, delta, stop, end}, false},
		{"a block still open at the stop is invalid", []protocol.Event{start, text, stop, end}, false},
		{"two stops are invalid", []protocol.Event{start, stop, stop, end}, false},
		{"a stream without an end is invalid", []protocol.Event{start, stop}, false},
		{"events after the end are invalid", []protocol.Event{start, stop, end, {Type: protocol.EventPing}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := ValidateStream(tt.events); (err == nil) != tt.ok {
				t.Errorf("ValidateStream = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
