package transform

import (
	"reflect"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

func TestReasoningResponse(t *testing.T) {
	t.Parallel()
	tool := protocol.Block{Type: protocol.BlockToolUse, ID: "t1", Name: "Read"}
	tests := []struct {
		name string
		in   []protocol.Block
		want []protocol.Block
	}{
		{"a think tag at the start becomes a thinking block",
			[]protocol.Block{{Type: protocol.BlockText, Text: "<think>\nLet me see.\n</think>\n\nThe answer."}, tool},
			[]protocol.Block{{Type: protocol.BlockThinking, Thinking: "Let me see."}, {Type: protocol.BlockText, Text: "The answer."}, tool}},
		{"white space before the tag is allowed",
			[]protocol.Block{{Type: protocol.BlockText, Text: "\n <thinking>hmm</thinking>ok"}},
			[]protocol.Block{{Type: protocol.BlockThinking, Thinking: "hmm"}, {Type: protocol.BlockText, Text: "ok"}}},
		{"an unclosed tag is all reasoning (the reply was cut off)",
			[]protocol.Block{{Type: protocol.BlockText, Text: "<think>still thinking"}},
			[]protocol.Block{{Type: protocol.BlockThinking, Thinking: "still thinking"}}},
		{"a reply that is only reasoning has no text block",
			[]protocol.Block{{Type: protocol.BlockText, Text: "<think>x</think>\n"}, tool},
			[]protocol.Block{{Type: protocol.BlockThinking, Thinking: "x"}, tool}},
		{"a tag later in the text is left alone",
			[]protocol.Block{{Type: protocol.BlockText, Text: "Use <think> tags like <think>this</think>."}},
			[]protocol.Block{{Type: protocol.BlockText, Text: "Use <think> tags like <think>this</think>."}}},
		{"only the first text block is looked at",
			[]protocol.Block{{Type: protocol.BlockThinking, Thinking: "r"}, {Type: protocol.BlockText, Text: "a"}, {Type: protocol.BlockText, Text: "<think>b</think>"}},
			[]protocol.Block{{Type: protocol.BlockThinking, Thinking: "r"}, {Type: protocol.BlockText, Text: "a"}, {Type: protocol.BlockText, Text: "<think>b</think>"}}},
		{"a text block after a real thinking block is split too",
			[]protocol.Block{{Type: protocol.BlockThinking, Thinking: "r", Signature: "s"}, {Type: protocol.BlockText, Text: "<think>b</think>c"}},
			[]protocol.Block{{Type: protocol.BlockThinking, Thinking: "r", Signature: "s"}, {Type: protocol.BlockThinking, Thinking: "b"}, {Type: protocol.BlockText, Text: "c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := protocol.Response{Content: tt.in}
			mustChain(t, `["reasoning"]`, "m").Response(&resp)
			if !reflect.DeepEqual(resp.Content, tt.want) {
				t.Errorf("content =\n%+v\nwant\n%+v", resp.Content, tt.want)
			}
		})
	}
}

func TestReasoningStream(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		deltas []string
		want   string
	}{
		{"a tag split at awkward places", []string{"<th", "ink>abc</thi", "nk>answer"},
			"thinking:abc|text:answer|tool_use(Read):" + `{"path":"a"}`},
		{"a tag in one delta", []string{"<think>abc</think>answer"},
			"thinking:abc|text:answer|tool_use(Read):" + `{"path":"a"}`},
		{"the closing tag one byte at a time", []string{"<think>a", "<", "/", "t", "h", "i", "n", "k", ">", "b"},
			"thinking:a|text:b|tool_use(Read):" + `{"path":"a"}`},
		{"white space around is dropped", []string{"\n", "  <think>\n", "abc", "</think>", "\n\n", "answer"},
			"thinking:abc|text:answer|tool_use(Read):" + `{"path":"a"}`},
		{"the longer tag", []string{"<thinki", "ng>abc</thinking>answer"},
			"thinking:abc|text:answer|tool_use(Read):" + `{"path":"a"}`},
		{"no tag passes through", []string{"Hello", " world"},
			"text:Hello world|tool_use(Read):" + `{"path":"a"}`},
		{"a tag-like start passes through", []string{"<", "b>bold"},
			"text:<b>bold|tool_use(Read):" + `{"path":"a"}`},
		{"a block that ends inside a possible tag keeps its text", []string{"<th"},
			"text:<th|tool_use(Read):" + `{"path":"a"}`},
		{"an empty text block stays", nil,
			"text:|tool_use(Read):" + `{"path":"a"}`},
		{"an unclosed tag is all reasoning", []string{"<think>abc", "</thi"},
			"thinking:abc</thi|tool_use(Read):" + `{"path":"a"}`},
		{"only reasoning, no answer: no renumbering", []string{"<think>abc</think>", "\n"},
			"thinking:abc|tool_use(Read):" + `{"path":"a"}`},
		{"a later tag is text", []string{"Answer: <think>no</think>"},
			"text:Answer: <think>no</think>|tool_use(Read):" + `{"path":"a"}`},
		{"long white space gives up holding", []string{strings.Repeat(" ", 100), "<think>x</think>"},
			"text:" + strings.Repeat(" ", 100) + "<think>x</think>|tool_use(Read):" + `{"path":"a"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := run(t, mustChain(t, `["reasoning"]`, "m"), textStream(tt.deltas...))
			if got := summary(out); got != tt.want {
				t.Errorf("stream = %s\nwant     %s", got, tt.want)
			}
		})
	}
}

// TestReasoningStreamAtEverySplit cuts one reply into three deltas at
// every pair of positions: the result must not depend on where the
// upstream's chunks happen to end.
func TestReasoningStreamAtEverySplit(t *testing.T) {
	t.Parallel()
	const text = " <think>a<b</think>\nc</think>d"
	const want = "thinking:a<b|text:c</think>d|tool_use(Read):" + `{"path":"a"}`
	c := mustChain(t, `["reasoning"]`, "m")
	for i := 0; i <= len(text); i++ {
		for j := i; j <= len(text); j++ {
			out := run(t, c, textStream(text[:i], text[i:j], text[j:]))
			if got := summary(out); got != want {
				t.Fatalf("split %q|%q|%q: stream = %s, want %s", text[:i], text[i:j], text[j:], got, want)
			}
		}
	}
}

func TestReasoningStreamHoldsNoMoreThanTheTag(t *testing.T) {
	t.Parallel()
	st := mustChain(t, `["reasoning"]`, "m").NewStream()
	in := textStream("<think>", "long reasoning", "more </th", "ink>answer")
	var sizes []int
	for _, ev := range in[:6] {
		sizes = append(sizes, len(st.Event(ev)))
	}
	// start; text block start held; tag held until "<think>" is complete,
	// then thinking start; "long reasoning" at once; "more " with "</th"
	// held; then the held bytes complete the tag: the thinking block
	// stops, and the answer's block opens with its text.
	want := []int{1, 0, 1, 1, 1, 3}
	if !reflect.DeepEqual(sizes, want) {
		t.Errorf("events per input = %v, want %v", sizes, want)
	}
}

func TestReasoningStreamAfterARealThinkingBlock(t *testing.T) {
	t.Parallel()
	in := []protocol.Event{
		{Type: protocol.EventStart},
		blockStart(0, protocol.BlockThinking),
		{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaThinking, Text: "r"},
		blockStop(0),
		blockStart(1, protocol.BlockText),
		{Type: protocol.EventDelta, Index: 1, Delta: protocol.DeltaText, Text: "<think>x</think>y"},
		{Type: protocol.EventPing},
		{Type: protocol.EventDelta, Index: 1, Delta: protocol.DeltaText, Text: "z"},
		blockStop(1),
		blockStart(2, protocol.BlockText),
		{Type: protocol.EventDelta, Index: 2, Delta: protocol.DeltaText, Text: "<think>w</think>"},
		blockStop(2),
		{Type: protocol.EventStop, StopReason: protocol.StopEndTurn},
		{Type: protocol.EventEnd},
	}
	out := run(t, mustChain(t, `["reasoning"]`, "m"), in)
	if got, want := summary(out), "thinking:r|thinking:x|text:yz|text:<think>w</think>"; got != want {
		t.Errorf("stream = %s, want %s", got, want)
	}
}

func TestReasoningStreamReleasesHeldTextBeforeAnError(t *testing.T) {
	t.Parallel()
	in := []protocol.Event{
		{Type: protocol.EventStart},
		blockStart(0, protocol.BlockText),
		{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaText, Text: "<thi"},
		{Type: protocol.EventError, ErrorKind: protocol.ErrorKind("overloaded"), ErrorMessage: "busy"},
	}
	out := run(t, mustChain(t, `["reasoning"]`, "m"), in)
	if got, want := summary(out), "text:<thi"; got != want || out[len(out)-1].Type != protocol.EventError {
		t.Errorf("stream = %s (last %s), want %s then the error", got, out[len(out)-1].Type, want)
	}
}
