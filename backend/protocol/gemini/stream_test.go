package gemini

import (
	"strconv"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// Upstream Gemini streams, as streamGenerateContent?alt=sse sends them.
var geminiStreams = []struct{ name, file, sse string }{
	{"text across chunks stays one block and usage is the last one", "stream_text",
		`data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}],"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash","responseId":"r1"}

data: {"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":1,"totalTokenCount":13},"modelVersion":"gemini-2.5-flash","responseId":"r1"}

data: {"candidates":[{"content":{"role":"model","parts":[{"text":"!"}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":3,"totalTokenCount":15},"modelVersion":"gemini-2.5-flash","responseId":"r1"}

`},
	{"thinking then text then parallel tool calls", "stream_thinking_tools",
		`data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Need both files.","thought":true}]},"index":0}],"responseId":"r2","modelVersion":"gemini-2.5-pro"}

data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Reading them."}]},"index":0}],"responseId":"r2"}

data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"Read","args":{"file_path":"/a"}},"thoughtSignature":"U0lH"},{"functionCall":{"name":"Read","args":{"file_path":"/b"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":20,"thoughtsTokenCount":50,"cachedContentTokenCount":64,"totalTokenCount":170},"responseId":"r2"}

`},
	{"max tokens stops the reply", "stream_max_tokens",
		`data: {"candidates":[{"content":{"role":"model","parts":[{"text":"a long"}]},"index":0}],"responseId":"r3"}

data: {"candidates":[{"content":{"role":"model","parts":[{"text":" answ"}]},"finishReason":"MAX_TOKENS","index":0}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":4,"totalTokenCount":9},"responseId":"r3"}

`},
	{"an upstream error mid-stream becomes an error event", "stream_error",
		`data: {"candidates":[{"content":{"role":"model","parts":[{"text":"partial"}]},"index":0}],"responseId":"r4"}

data: {"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}

`},
	{"a stream cut before any finishReason ends with an api error only", "stream_cut",
		`data: {"candidates":[{"content":{"role":"model","parts":[{"text":"partial"}]},"index":0}],"responseId":"r5"}

`},
}

func TestStreamDecoderMatchesGolden(t *testing.T) {
	t.Parallel()
	for _, s := range geminiStreams {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			evs := decodeStream(t, s.sse)
			golden(t, s.file+".events.jsonl", pruner.EventLines(t, evs))
			checkEventOrder(t, evs)
		})
	}
}

// checkEventOrder asserts the shape of docs/CONVERSION.md, rule 15: indexes 0,1,2… each started,
// delta'd and stopped in order, deltas matching their block.
func checkEventOrder(t *testing.T, evs []protocol.Event) {
	t.Helper()
	open := map[int]protocol.BlockType{}
	next := 0
	for i, ev := range evs {
		switch ev.Type {
		case protocol.EventBlockStart:
			if ev.Index != next {
				t.Errorf("event %d opens index %d, want %d", i, ev.Index, next)
			}
			next++
			open[ev.Index] = ev.Block.Type
		case protocol.EventDelta:
			bt, ok := open[ev.Index]
			want := map[protocol.DeltaType]protocol.BlockType{protocol.DeltaText: protocol.BlockText, protocol.DeltaJSON: protocol.BlockToolUse,
				protocol.DeltaThinking: protocol.BlockThinking, protocol.DeltaSignature: protocol.BlockThinking}[ev.Delta]
			if !ok || bt != want {
				t.Errorf("event %d: %s delta on block %d of type %q", i, ev.Delta, ev.Index, bt)
			}
		case protocol.EventBlockStop:
			if _, ok := open[ev.Index]; !ok {
				t.Errorf("event %d stops block %d that is not open", i, ev.Index)
			}
			delete(open, ev.Index)
		case protocol.EventStop, protocol.EventEnd:
			if len(open) > 0 {
				t.Errorf("event %d (%s) with blocks still open: %v", i, ev.Type, open)
			}
		}
	}
}

func TestStreamDecoderErrorKinds(t *testing.T) {
	t.Parallel()
	for code, want := range map[int]protocol.ErrorKind{429: protocol.RateLimit, 503: protocol.Overloaded, 529: protocol.Overloaded, 500: protocol.APIError, 400: protocol.APIError} {
		d := Codec{}.NewStreamDecoder()
		evs, err := d.Decode(protocol.SSEEvent{Data: []byte(`{"error":{"code":` + strconv.Itoa(code) + `,"message":"m"}}`)})
		if err != nil || len(evs) != 1 || evs[0].ErrorKind != want {
			t.Errorf("code %d: got %+v %v, want %s", code, evs, err, want)
		}
		if rest := d.Finish(); len(rest) != 0 {
			t.Errorf("code %d: Finish after an error gave %+v", code, rest)
		}
	}
}

func TestStreamDecoderRejectsGarbage(t *testing.T) {
	t.Parallel()
	d := Codec{}.NewStreamDecoder()
	if _, err := d.Decode(protocol.SSEEvent{Data: []byte(`{"candidates":[`)}); err == nil {
		t.Error("no error for a broken chunk")
	}
	if evs, err := d.Decode(protocol.SSEEvent{Data: []byte(`[DONE]`)}); err != nil || evs != nil {
		t.Errorf("[DONE] gave %v %v", evs, err)
	}
}

// neutralStream is a reply as another codec's decoder would produce it:
// thinking with a signature, text, a tool call whose arguments arrive in
// pieces, then the stop with usage.
func neutralStream() []protocol.Event {
	return []protocol.Event{
		{Type: protocol.EventStart, ID: "msg_01", Model: "claude-sonnet-4", Usage: &protocol.Usage{InputTokens: 40, CacheReadTokens: 2000}},
		{Type: protocol.EventPing},
		{Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockThinking}},
		{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaThinking, Text: "Let me check."},
		{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaSignature, Text: "RXNpZw=="},
		{Type: protocol.EventBlockStop, Index: 0},
		{Type: protocol.EventBlockStart, Index: 1, Block: &protocol.Block{Type: protocol.BlockText}},
		{Type: protocol.EventDelta, Index: 1, Delta: protocol.DeltaText, Text: "I'll run \"ls\" <now>\n"},
		{Type: protocol.EventBlockStop, Index: 1},
		{Type: protocol.EventBlockStart, Index: 2, Block: &protocol.Block{Type: protocol.BlockToolUse, ID: "toolu_01", Name: "Bash"}},
		{Type: protocol.EventDelta, Index: 2, Delta: protocol.DeltaJSON, Text: `{"comm`},
		{Type: protocol.EventDelta, Index: 2, Delta: protocol.DeltaJSON, Text: `and":"ls -la"}`},
		{Type: protocol.EventBlockStop, Index: 2},
		{Type: protocol.EventBlockStart, Index: 3, Block: &protocol.Block{Type: protocol.BlockToolUse, ID: "toolu_02", Name: "Read"}},
		{Type: protocol.EventDelta, Index: 3, Delta: protocol.DeltaJSON, Text: `{"file_path":"/tmp/a`},
		{Type: protocol.EventBlockStop, Index: 3},
		{Type: protocol.EventStop, StopReason: protocol.StopToolUse, Usage: &protocol.Usage{OutputTokens: 90, ReasoningTokens: 30}},
		{Type: protocol.EventEnd},
	}
}

func TestStreamEncoderMatchesGolden(t *testing.T) {
	t.Parallel()
	got := encodeStream(neutralStream(), "gemini-2.5-pro")
	golden(t, "stream_encoded.sse", got)
	// Every event must be a data-only SSE event holding valid JSON that the
	// decoder reads back to the same calls.
	evs := decodeStream(t, string(got))
	var calls []string
	for _, ev := range evs {
		if ev.Type == protocol.EventDelta && ev.Delta == protocol.DeltaJSON {
			calls = append(calls, ev.Text)
		}
		if ev.Type == protocol.EventStop && (ev.StopReason != protocol.StopToolUse || ev.Usage.InputTokens != 40 || ev.Usage.CacheReadTokens != 2000 || ev.Usage.OutputTokens != 90) {
			t.Errorf("stop event %+v %+v", ev, ev.Usage)
		}
	}
	if strings.Join(calls, "|") != `{"command":"ls -la"}|{"file_path":"/tmp/a"}` {
		t.Errorf("calls read back as %q", calls)
	}
}

func TestStreamEncoderWritesErrorsInGeminiEnvelope(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		kind protocol.ErrorKind
		want string
	}{
		{"overloaded is 503 UNAVAILABLE", protocol.Overloaded, `data: {"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}` + "\n\n"},
		{"rate limit is 429 RESOURCE_EXHAUSTED", protocol.RateLimit, `data: {"error":{"code":429,"message":"busy","status":"RESOURCE_EXHAUSTED"}}` + "\n\n"},
		{"api error is 500 INTERNAL", protocol.APIError, `data: {"error":{"code":500,"message":"busy","status":"INTERNAL"}}` + "\n\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := encodeStream([]protocol.Event{{Type: protocol.EventError, ErrorKind: c.kind, ErrorMessage: "busy"}}, "m")
			if string(got) != c.want {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestStreamEncoderWritesNothingForPingAndEnd(t *testing.T) {
	t.Parallel()
	got := encodeStream([]protocol.Event{{Type: protocol.EventPing}, {Type: protocol.EventEnd}, {Type: protocol.EventStart, ID: "x"}}, "m")
	if len(got) != 0 {
		t.Errorf("got %q", got)
	}
}
