package transform

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// toolStream is an upstream stream with a text block and one tool call
// named name whose arguments arrive as the given deltas.
func toolStream(name string, deltas ...string) []protocol.Event {
	evs := []protocol.Event{
		{Type: protocol.EventStart},
		blockStart(0, protocol.BlockText),
		{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaText, Text: "Let me look."},
		blockStop(0),
		{Type: protocol.EventBlockStart, Index: 1, Block: &protocol.Block{Type: protocol.BlockToolUse, ID: "toolu_1", Name: name}},
	}
	for _, d := range deltas {
		evs = append(evs, protocol.Event{Type: protocol.EventDelta, Index: 1, Delta: protocol.DeltaJSON, Text: d})
	}
	return append(evs, blockStop(1),
		protocol.Event{Type: protocol.EventStop, StopReason: protocol.StopToolUse},
		protocol.Event{Type: protocol.EventEnd})
}

func TestToolRepairResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input, want string
	}{
		{"valid arguments are kept byte for byte", `{ "path": "a" }`, `{ "path": "a" }`},
		{"truncated arguments are closed", `{"path": "a", "lines": [1, 2`, `{"path":"a","lines":[1,2]}`},
		{"a trailing comma is dropped", `{"path": "a",}`, `{"path":"a"}`},
		{"empty arguments become an empty object", ``, `{}`},
		{"hopeless arguments become an empty object", `not json`, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := protocol.Response{Content: []protocol.Block{
				{Type: protocol.BlockText, Text: "x"},
				{Type: protocol.BlockToolUse, Name: "Read", Input: json.RawMessage(tt.input)},
			}}
			mustChain(t, `["toolrepair"]`, "m").Response(&resp)
			if got := compact(t, resp.Content[1].Input); got != compact(t, []byte(tt.want)) {
				t.Errorf("input = %s, want %s", got, tt.want)
			}
			if resp.Content[0].Text != "x" {
				t.Error("the text block changed")
			}
		})
	}
}

func TestToolRepairStream(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		deltas []string
		want   string
	}{
		{"a truncated call is repaired in one delta at its stop", []string{`{"path": "a`, `b", "limit": 1`}, `{"path": "ab", "limit": 1}`},
		{"a valid call arrives whole, unchanged", []string{`{"path":`, ` "a"}`}, `{"path": "a"}`},
		{"a call without arguments gets no delta", nil, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := run(t, mustChain(t, `["toolrepair"]`, "m"), toolStream("Read", tt.deltas...))
			var deltas []string
			for _, ev := range out {
				if ev.Type == protocol.EventDelta && ev.Delta == protocol.DeltaJSON {
					deltas = append(deltas, ev.Text)
				}
			}
			if tt.want == "" {
				if len(deltas) != 0 {
					t.Errorf("deltas = %q, want none", deltas)
				}
				return
			}
			if len(deltas) != 1 || deltas[0] != tt.want {
				t.Errorf("deltas = %q, want one: %s", deltas, tt.want)
			}
		})
	}
}

func TestToolRepairStreamReleasesACallCutOffByTheEnd(t *testing.T) {
	t.Parallel()
	in := toolStream("Read", `{"path": "a`)
	in = append(in[:len(in)-3:len(in)-3], protocol.Event{Type: protocol.EventError, ErrorMessage: "upstream closed"})
	out := run(t, mustChain(t, `["toolrepair"]`, "m"), in)
	if got := summary(out); got != `text:Let me look.|tool_use(Read):{"path": "a"}` {
		t.Errorf("stream = %s", got)
	}
}

func TestToolUseExitTool(t *testing.T) {
	t.Parallel()
	c := mustChain(t, `["tooluse"]`, "m")
	t.Run("an exit call alone becomes the text answer and ends the turn", func(t *testing.T) {
		t.Parallel()
		resp := protocol.Response{StopReason: protocol.StopToolUse, Content: []protocol.Block{
			{Type: protocol.BlockToolUse, ID: "t1", Name: exitToolName, Input: json.RawMessage(`{"response": "Done: 3 files."}`)},
		}}
		c.Response(&resp)
		if resp.StopReason != protocol.StopEndTurn || len(resp.Content) != 1 ||
			resp.Content[0].Type != protocol.BlockText || resp.Content[0].Text != "Done: 3 files." {
			t.Errorf("response = %+v", resp)
		}
	})
	t.Run("an exit call beside a real call keeps stop reason tool_use", func(t *testing.T) {
		t.Parallel()
		resp := protocol.Response{StopReason: protocol.StopToolUse, Content: []protocol.Block{
			{Type: protocol.BlockToolUse, Name: "Read", Input: json.RawMessage(`{}`)},
			{Type: protocol.BlockToolUse, Name: exitToolName, Input: json.RawMessage(`{"response": "x"`)},
		}}
		c.Response(&resp)
		if resp.StopReason != protocol.StopToolUse || resp.Content[1].Text != "x" {
			t.Errorf("response = %+v", resp)
		}
	})
	t.Run("an exit call in a stream becomes a text block at its index", func(t *testing.T) {
		t.Parallel()
		out := run(t, c, toolStream(exitToolName, `{"response": "All `, `done.\n"}`))
		if got := summary(out); got != "text:Let me look.|text:All done.\n" {
			t.Errorf("stream = %s", got)
		}
		if stop := out[len(out)-2]; stop.StopReason != protocol.StopEndTurn {
			t.Errorf("stop reason = %s, want end_turn", stop.StopReason)
		}
	})
	t.Run("a real call in a stream passes through", func(t *testing.T) {
		t.Parallel()
		out := run(t, c, toolStream("Read", `{"path":`, `"a"}`))
		if got := summary(out); got != `text:Let me look.|tool_use(Read):{"path":"a"}` {
			t.Errorf("stream = %s", got)
		}
		if stop := out[len(out)-2]; stop.StopReason != protocol.StopToolUse {
			t.Errorf("stop reason = %s, want tool_use", stop.StopReason)
		}
	})
}

func TestResponseStepsRunInReverse(t *testing.T) {
	t.Parallel()
	// Configured tooluse then reasoning: on the way down reasoning runs
	// first and splits the text, so the exit answer (turned into text by
	// tooluse afterwards) is not taken for the first text block.
	resp := protocol.Response{StopReason: protocol.StopToolUse, Content: []protocol.Block{
		{Type: protocol.BlockToolUse, Name: exitToolName, Input: json.RawMessage(`{"response": "<think>not reasoning</think>"}`)},
	}}
	mustChain(t, `["tooluse", "reasoning"]`, "m").Response(&resp)
	if resp.Content[0].Type != protocol.BlockText || !strings.HasPrefix(resp.Content[0].Text, "<think>") {
		t.Errorf("content = %+v", resp.Content)
	}
	// The other order: tooluse runs first, reasoning then sees its text.
	resp = protocol.Response{StopReason: protocol.StopToolUse, Content: []protocol.Block{
		{Type: protocol.BlockToolUse, Name: exitToolName, Input: json.RawMessage(`{"response": "<think>r</think>a"}`)},
	}}
	mustChain(t, `["reasoning", "tooluse"]`, "m").Response(&resp)
	if len(resp.Content) != 2 || resp.Content[0].Type != protocol.BlockThinking {
		t.Errorf("content = %+v", resp.Content)
	}
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func TestAllStreamStepsTogetherKeepAValidStream(t *testing.T) {
	t.Parallel()
	c := mustChain(t, `["tooluse", "reasoning", "toolrepair", "cleancache"]`, "m")
	in := []protocol.Event{
		{Type: protocol.EventStart},
		blockStart(0, protocol.BlockText),
		{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaText, Text: "<think>plan"},
		{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaText, Text: "</think>Reading."},
		blockStop(0),
		{Type: protocol.EventBlockStart, Index: 1, Block: &protocol.Block{Type: protocol.BlockToolUse, Name: "Read"}},
		{Type: protocol.EventDelta, Index: 1, Delta: protocol.DeltaJSON, Text: `{"path": "a",`},
		blockStop(1),
		{Type: protocol.EventBlockStart, Index: 2, Block: &protocol.Block{Type: protocol.BlockToolUse, Name: exitToolName}},
		{Type: protocol.EventDelta, Index: 2, Delta: protocol.DeltaJSON, Text: `{"response": "bye`},
		blockStop(2),
		{Type: protocol.EventStop, StopReason: protocol.StopToolUse},
		{Type: protocol.EventEnd},
	}
	out := run(t, c, in)
	if got, want := summary(out), `thinking:plan|text:Reading.|tool_use(Read):{"path": "a"}|text:bye`; got != want {
		t.Errorf("stream = %s\nwant     %s", got, want)
	}
}
