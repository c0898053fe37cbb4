package responses

import (
	"os"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// TestStreamGolden decodes every testdata/streams/*.sse (upstream streams)
// into neutral events and encodes those back into a Responses client
// stream, which must pass the SDKs' rules (ValidateWire).
func TestStreamGolden(t *testing.T) {
	t.Parallel()
	codectest.StreamGolden(t, Codec{}, protocol.EncodeOptions{Model: "client-model", FreeformTools: []string{"apply_patch"}}, stable,
		func(t *testing.T, out []byte) {
			if err := ValidateWire(codectest.ReadSSE(t, string(out))); err != nil {
				t.Errorf("client stream breaks the SDK rules: %v", err)
			}
		})
	t.Run("the upstream fixtures themselves pass the validator", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"text", "reasoning_tools", "incomplete"} {
			in, _ := os.ReadFile("testdata/streams/" + name + ".sse")
			if err := ValidateWire(codectest.ReadSSE(t, string(in))); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}

func TestStreamDecode(t *testing.T) {
	t.Parallel()
	read := func(name string) string { return string(codectest.ReadTestdata(t, "streams/"+name)) }
	last := func(evs []protocol.Event, typ protocol.EventType) *protocol.Event {
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i].Type == typ {
				return &evs[i]
			}
		}
		return nil
	}
	t.Run("usage and the stop reason come from response.completed", func(t *testing.T) {
		t.Parallel()
		stop := last(decodeStream(t, read("reasoning_tools.sse")), protocol.EventStop)
		want := protocol.Usage{InputTokens: 904, CacheReadTokens: 4096, OutputTokens: 300, ReasoningTokens: 192}
		if stop == nil || *stop.Usage != want || stop.StopReason != protocol.StopToolUse {
			t.Errorf("stop = %+v, want tool_use with %+v", stop, want)
		}
	})
	t.Run("a custom call's text becomes the neutral {\"input\": …} object, piece by piece", func(t *testing.T) {
		t.Parallel()
		evs := decodeStream(t, read("reasoning_tools.sse"))
		var args string
		for _, ev := range evs {
			if ev.Type == protocol.EventDelta && ev.Delta == protocol.DeltaJSON && ev.Index == 2 {
				args += ev.Text
			}
		}
		if got := protocol.FreeformText([]byte(args)); got != "*** Begin Patch\n*** Update File: a.go\n@@\n-old \"x\"\n+new \"y\" \\o/ é\n*** End Patch" {
			t.Errorf("unwrapped %q from %s", got, args)
		}
	})
	t.Run("summary parts are joined and the encrypted content follows them", func(t *testing.T) {
		t.Parallel()
		evs := decodeStream(t, read("reasoning_tools.sse"))
		var thinking, enc string
		for _, ev := range evs {
			if ev.Type == protocol.EventDelta && ev.Delta == protocol.DeltaThinking {
				thinking += ev.Text
			}
			if ev.Type == protocol.EventDelta && ev.Delta == protocol.DeltaEncrypted {
				enc += ev.Text
			}
		}
		if thinking != "**Checking the repo**\n\nI'll list the files first.\n\n**Patching**" || enc != "gAAAAABo_encrypted_reasoning_blob==" {
			t.Errorf("thinking %q encrypted %q", thinking, enc)
		}
	})
	t.Run("response.incomplete stops as max_tokens", func(t *testing.T) {
		t.Parallel()
		if stop := last(decodeStream(t, read("incomplete.sse")), protocol.EventStop); stop == nil || stop.StopReason != protocol.StopMaxTokens {
			t.Errorf("stop = %+v", stop)
		}
	})
	t.Run("response.failed and error events end the stream with their kind (rule 19)", func(t *testing.T) {
		t.Parallel()
		evs := decodeStream(t, read("failed.sse"))
		if e := evs[len(evs)-1]; e.Type != protocol.EventError || e.ErrorKind != protocol.RateLimit || !strings.Contains(e.ErrorMessage, "Rate limit") {
			t.Errorf("failed: last = %+v", e)
		}
		evs = decodeStream(t, read("error_event.sse"))
		if e := evs[len(evs)-1]; e.Type != protocol.EventError || e.ErrorKind != protocol.APIError || !strings.Contains(e.ErrorMessage, "server had an error") {
			t.Errorf("error event: last = %+v", e)
		}
	})
	t.Run("a stream cut before response.completed ends with an error", func(t *testing.T) {
		t.Parallel()
		evs := decodeStream(t, read("cut_short.sse"))
		if e := evs[len(evs)-1]; e.Type != protocol.EventError || !strings.Contains(e.ErrorMessage, "ended early") {
			t.Errorf("last = %+v", e)
		}
	})
	t.Run("arguments an added item already holds are not doubled by the deltas that follow", func(t *testing.T) {
		t.Parallel()
		text := "data: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_a\",\"status\":\"in_progress\",\"output\":[]}}\n\n" +
			"data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"f\",\"call_id\":\"c\",\"name\":\"n\",\"arguments\":\"{\\\"a\\\":1}\"}}\n\n" +
			"data: {\"type\":\"response.function_call_arguments.delta\",\"output_index\":0,\"item_id\":\"f\",\"delta\":\"{\\\"a\\\":1}\"}\n\n" +
			"data: {\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"f\",\"call_id\":\"c\",\"name\":\"n\",\"arguments\":\"{\\\"a\\\":1}\"}}\n\n" +
			"data: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_a\",\"status\":\"completed\",\"output\":[]}}\n\n"
		var args string
		for _, ev := range decodeStream(t, text) {
			if ev.Type == protocol.EventDelta {
				args += ev.Text
			}
		}
		if args != `{"a":1}` {
			t.Errorf("arguments %q", args)
		}
	})
	t.Run("servers that send whole items without deltas still give their content", func(t *testing.T) {
		t.Parallel()
		text := "data: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_w\",\"status\":\"in_progress\",\"output\":[]}}\n\n" +
			"data: {\"type\":\"response.output_item.done\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"type\":\"message\",\"id\":\"m\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"whole\"}]}}\n\n" +
			"data: {\"type\":\"response.output_item.done\",\"sequence_number\":2,\"output_index\":1,\"item\":{\"type\":\"function_call\",\"id\":\"f\",\"call_id\":\"c\",\"name\":\"n\",\"arguments\":\"{\\\"a\\\":1}\"}}\n\n" +
			"data: {\"type\":\"response.completed\",\"sequence_number\":3,\"response\":{\"id\":\"resp_w\",\"status\":\"completed\",\"output\":[]}}\n\n"
		evs := decodeStream(t, text)
		codectest.WellFormed(t, evs)
		var got []string
		for _, ev := range evs {
			if ev.Type == protocol.EventDelta {
				got = append(got, ev.Text)
			}
		}
		if strings.Join(got, "|") != `whole|{"a":1}` {
			t.Errorf("deltas = %q", got)
		}
	})
}

func TestStreamEncode(t *testing.T) {
	t.Parallel()
	start := protocol.Event{Type: protocol.EventStart, ID: "msg_1", Model: "claude"}
	stop := func(r protocol.StopReason) protocol.Event {
		return protocol.Event{Type: protocol.EventStop, StopReason: r, Usage: &protocol.Usage{InputTokens: 5, OutputTokens: 2}}
	}
	end := protocol.Event{Type: protocol.EventEnd}
	t.Run("a free-text call streams unwrapped, escapes decoded across pieces", func(t *testing.T) {
		t.Parallel()
		pieces := []string{`{"in`, `put": "line1\`, `nline \"q\" \u00`, `e9 \ud83d`, `\ude00 end"}`}
		evs := []protocol.Event{start, {Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockToolUse, ID: "toolu_1", Name: "apply_patch"}}}
		for _, p := range pieces {
			evs = append(evs, protocol.Event{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaJSON, Text: p})
		}
		evs = append(evs, protocol.Event{Type: protocol.EventBlockStop, Index: 0}, stop(protocol.StopToolUse), end)
		out := encodeStream(evs, protocol.EncodeOptions{FreeformTools: []string{"apply_patch"}})
		wire := codectest.ReadSSE(t, string(out))
		if err := ValidateWire(wire); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		var deltas int
		for _, ev := range wire {
			if ev.Event == "response.custom_tool_call_input.delta" {
				deltas++
			}
		}
		if deltas < 3 || !strings.Contains(string(out), `"input":"line1\nline \"q\" é 😀 end"`) {
			t.Errorf("%d deltas; stream:\n%s", deltas, out)
		}
	})
	t.Run("a free-text call the model wrapped another way is unwrapped at the end", func(t *testing.T) {
		t.Parallel()
		evs := []protocol.Event{start, {Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockToolUse, ID: "t", Name: "apply_patch"}},
			{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaJSON, Text: `{"patch":"P"}`},
			{Type: protocol.EventBlockStop, Index: 0}, stop(protocol.StopToolUse), end}
		out := encodeStream(evs, protocol.EncodeOptions{FreeformTools: []string{"apply_patch"}})
		if err := ValidateWire(codectest.ReadSSE(t, string(out))); err != nil || !strings.Contains(string(out), `"input":"P"`) {
			t.Errorf("%v\n%s", err, out)
		}
	})
	t.Run("max_tokens ends with response.incomplete and its reason", func(t *testing.T) {
		t.Parallel()
		evs := []protocol.Event{start, {Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockText}},
			{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaText, Text: "cut"},
			{Type: protocol.EventBlockStop, Index: 0}, stop(protocol.StopMaxTokens), end}
		out := string(encodeStream(evs, protocol.EncodeOptions{}))
		if !strings.Contains(out, "event: response.incomplete\n") || !strings.Contains(out, `"incomplete_details":{"reason":"max_output_tokens"}`) {
			t.Errorf("stream:\n%s", out)
		}
	})
	t.Run("an error mid-stream gives response.failed then an error event (rule 19)", func(t *testing.T) {
		t.Parallel()
		evs := []protocol.Event{start, {Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockText}},
			{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaText, Text: "par"},
			{Type: protocol.EventError, ErrorKind: protocol.Overloaded, ErrorMessage: "channel c: upstream went silent"}}
		out := encodeStream(evs, protocol.EncodeOptions{})
		wire := codectest.ReadSSE(t, string(out))
		if err := ValidateWire(wire); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		n := len(wire)
		if wire[n-2].Event != "response.failed" || wire[n-1].Event != "error" || !strings.Contains(string(wire[n-1].Data), "went silent") {
			t.Errorf("stream:\n%s", out)
		}
	})
	t.Run("an error before anything still starts the response, so SDKs can read the failure", func(t *testing.T) {
		t.Parallel()
		out := encodeStream([]protocol.Event{{Type: protocol.EventError, ErrorKind: protocol.InvalidRequest, ErrorMessage: "prompt is too long: 300000 tokens"}}, protocol.EncodeOptions{})
		if err := ValidateWire(codectest.ReadSSE(t, string(out))); err != nil || !strings.Contains(string(out), `"code":"context_length_exceeded"`) {
			t.Errorf("%v\n%s", err, out)
		}
	})
	t.Run("nothing follows the end", func(t *testing.T) {
		t.Parallel()
		enc := Codec{}.NewStreamEncoder(protocol.EncodeOptions{})
		var out []byte
		for _, ev := range []protocol.Event{start, stop(protocol.StopEndTurn), end} {
			out = enc.Encode(out, ev)
		}
		if more := enc.Encode(nil, protocol.Event{Type: protocol.EventError, ErrorMessage: "late"}); len(more) != 0 {
			t.Errorf("wrote after the end: %s", more)
		}
	})
}
