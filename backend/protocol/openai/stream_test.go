package openai

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

var createdRE = regexp.MustCompile(`"created":\d+`)

// stable fixes the created time, the one thing that changes between runs.
func stable(b []byte) []byte { return createdRE.ReplaceAll(b, []byte(`"created":0`)) }

// encodeStream writes events as a client stream with a fixed created time.
func encodeStream(evs []protocol.Event, opts protocol.EncodeOptions) []byte {
	return stable(codectest.EncodeStream(Codec{}, opts, evs))
}

// decodeStream runs a whole upstream stream through a decoder, Finish
// included.
func decodeStream(t testing.TB, text string) []protocol.Event {
	t.Helper()
	return codectest.DecodeStream(t, Codec{}, text)
}

// TestStreamGolden decodes every testdata/streams/*.sse into neutral events
// and encodes those back into an OpenAI client stream, against golden files.
func TestStreamGolden(t *testing.T) {
	t.Parallel()
	codectest.StreamGolden(t, Codec{}, protocol.EncodeOptions{Model: "client-model", IncludeUsage: true}, stable, checkChunks)
}

// checkChunks asserts every data line of a client stream is JSON or
// [DONE], and that the stream ends with [DONE].
func checkChunks(t *testing.T, out []byte) {
	t.Helper()
	evs := codectest.ReadSSE(t, string(out))
	for _, ev := range evs {
		if string(ev.Data) != "[DONE]" && !json.Valid(ev.Data) {
			t.Errorf("invalid chunk %s", ev.Data)
		}
	}
	if len(evs) == 0 || string(evs[len(evs)-1].Data) != "[DONE]" {
		t.Errorf("stream does not end with [DONE]")
	}
}

func lastStop(evs []protocol.Event) *protocol.Event {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == protocol.EventStop {
			return &evs[i]
		}
	}
	return nil
}

func TestStreamDecodeRules(t *testing.T) {
	t.Parallel()
	read := func(name string) string { return string(codectest.ReadTestdata(t, "streams/"+name)) }
	t.Run("the usage chunk after finish_reason is read and reported (rule 17)", func(t *testing.T) {
		t.Parallel()
		stop := lastStop(decodeStream(t, read("text.sse")))
		want := protocol.Usage{InputTokens: 20, CacheReadTokens: 100, OutputTokens: 5}
		if stop == nil || *stop.Usage != want || stop.StopReason != protocol.StopEndTurn {
			t.Errorf("stop = %+v, want end_turn with %+v", stop, want)
		}
	})
	t.Run("tool calls make the stop reason tool_use even when finish_reason says stop (rule 11)", func(t *testing.T) {
		t.Parallel()
		stop := lastStop(decodeStream(t, read("text_after_tool.sse")))
		if stop == nil || stop.StopReason != protocol.StopToolUse {
			t.Errorf("stop = %+v, want tool_use", stop)
		}
	})
	t.Run("text after a tool call opens a new text block (rule 15)", func(t *testing.T) {
		t.Parallel()
		evs := decodeStream(t, read("text_after_tool.sse"))
		var starts []protocol.BlockType
		for _, ev := range evs {
			if ev.Type == protocol.EventBlockStart {
				starts = append(starts, ev.Block.Type)
			}
		}
		if len(starts) != 2 || starts[0] != protocol.BlockToolUse || starts[1] != protocol.BlockText {
			t.Errorf("blocks = %v, want tool_use then text", starts)
		}
	})
	t.Run("interleaved parallel calls each get a whole block with their own arguments", func(t *testing.T) {
		t.Parallel()
		evs := decodeStream(t, read("interleaved.sse"))
		args := map[string]string{}
		var cur string
		for _, ev := range evs {
			if ev.Type == protocol.EventBlockStart {
				cur = ev.Block.ID
			}
			if ev.Type == protocol.EventDelta {
				args[cur] += ev.Text
			}
		}
		if args["call_a"] != `{"pattern":"*.go"}` || args["call_b"] != `{"pattern":"TODO"}` {
			t.Errorf("arguments = %v", args)
		}
	})
	t.Run("a call cut by max_tokens gets the piece that closes its JSON and stops as max_tokens", func(t *testing.T) {
		t.Parallel()
		evs := decodeStream(t, read("max_tokens.sse"))
		var args string
		for _, ev := range evs {
			if ev.Type == protocol.EventDelta && ev.Delta == protocol.DeltaJSON {
				args += ev.Text
			}
		}
		if !json.Valid([]byte(args)) {
			t.Errorf("arguments %q are not valid JSON", args)
		}
		if stop := lastStop(evs); stop == nil || stop.StopReason != protocol.StopMaxTokens {
			t.Errorf("stop = %+v, want max_tokens", stop)
		}
	})
	t.Run("an error chunk mid-stream becomes the last event with its kind (rule 19)", func(t *testing.T) {
		t.Parallel()
		evs := decodeStream(t, read("error_mid_stream.sse"))
		last := evs[len(evs)-1]
		if last.Type != protocol.EventError || last.ErrorKind != protocol.Overloaded || last.ErrorMessage != "The server is overloaded" {
			t.Errorf("last = %+v", last)
		}
	})
	t.Run("a stream cut before finish_reason ends with an api_error", func(t *testing.T) {
		t.Parallel()
		evs := decodeStream(t, read("cut_short.sse"))
		last := evs[len(evs)-1]
		if last.Type != protocol.EventError || last.ErrorKind != protocol.APIError {
			t.Errorf("last = %+v", last)
		}
		if lastStop(evs) != nil {
			t.Error("a cut stream must not claim a clean stop")
		}
	})
	t.Run("an event after [DONE] and a second Finish add nothing", func(t *testing.T) {
		t.Parallel()
		d := Codec{}.NewStreamDecoder()
		for _, ev := range codectest.ReadSSE(t, read("text.sse")) {
			if _, err := d.Decode(ev); err != nil {
				t.Fatal(err)
			}
		}
		evs, _ := d.Decode(protocol.SSEEvent{Data: []byte(`{"choices":[{"delta":{"content":"late"}}]}`)})
		if len(evs) != 0 || len(d.Finish()) != 0 {
			t.Errorf("events after [DONE]: %v", evs)
		}
	})
	t.Run("a chunk that is not JSON is an error naming the problem", func(t *testing.T) {
		t.Parallel()
		_, err := Codec{}.NewStreamDecoder().Decode(protocol.SSEEvent{Data: []byte(`{"choices":`)})
		if err == nil || !strings.Contains(err.Error(), "invalid upstream stream chunk") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("error kinds come from the error type, the code or an HTTP status", func(t *testing.T) {
		t.Parallel()
		cases := map[string]protocol.ErrorKind{
			`{"error":{"message":"m","type":"rate_limit_error"}}`:         protocol.RateLimit,
			`{"error":{"message":"m","code":429}}`:                        protocol.RateLimit,
			`{"error":{"message":"m","code":"invalid_api_key"}}`:          protocol.Authentication,
			`{"error":{"message":"m","type":"server_error","code":null}}`: protocol.APIError,
			`{"error":"plain text"}`:                                      protocol.APIError,
		}
		for in, want := range cases {
			evs, err := Codec{}.NewStreamDecoder().Decode(protocol.SSEEvent{Data: []byte(in)})
			if err != nil || len(evs) != 1 || evs[0].ErrorKind != want {
				t.Errorf("%s: events %+v, err %v; want kind %s", in, evs, err, want)
			}
		}
	})
}

func TestStreamEncodeRules(t *testing.T) {
	t.Parallel()
	tool := &protocol.Block{Type: protocol.BlockToolUse, ID: "toolu_01", Name: "Read"}
	base := []protocol.Event{
		{Type: protocol.EventStart, ID: "msg_01", Model: "claude"},
		{Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockText}},
		{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaText, Text: "hi"},
		{Type: protocol.EventBlockStop, Index: 0},
		{Type: protocol.EventPing},
		{Type: protocol.EventBlockStart, Index: 1, Block: tool},
		{Type: protocol.EventDelta, Index: 1, Delta: protocol.DeltaJSON, Text: `{"a":`},
		{Type: protocol.EventDelta, Index: 1, Delta: protocol.DeltaJSON, Text: `1}`},
		{Type: protocol.EventBlockStop, Index: 1},
		{Type: protocol.EventStop, StopReason: protocol.StopToolUse, Usage: &protocol.Usage{InputTokens: 3, CacheReadTokens: 7, OutputTokens: 2}},
		{Type: protocol.EventEnd},
	}
	chunks := func(evs []protocol.Event, opts protocol.EncodeOptions) []string {
		var out []string
		for _, ev := range codectest.ReadSSE(t, string(encodeStream(evs, opts))) {
			out = append(out, string(ev.Data))
		}
		return out
	}
	t.Run("chunks come in the order of rule 16 and share one id", func(t *testing.T) {
		t.Parallel()
		got := chunks(base, protocol.EncodeOptions{Model: "gpt-x", IncludeUsage: true})
		want := []string{
			`{"id":"chatcmpl-01","object":"chat.completion.chunk","created":0,"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`,
			`{"id":"chatcmpl-01","object":"chat.completion.chunk","created":0,"model":"gpt-x","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}`,
			`{"id":"chatcmpl-01","object":"chat.completion.chunk","created":0,"model":"gpt-x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"toolu_01","type":"function","function":{"name":"Read","arguments":""}}]},"finish_reason":null}]}`,
			`{"id":"chatcmpl-01","object":"chat.completion.chunk","created":0,"model":"gpt-x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]},"finish_reason":null}]}`,
			`{"id":"chatcmpl-01","object":"chat.completion.chunk","created":0,"model":"gpt-x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]},"finish_reason":null}]}`,
			`{"id":"chatcmpl-01","object":"chat.completion.chunk","created":0,"model":"gpt-x","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
			`{"id":"chatcmpl-01","object":"chat.completion.chunk","created":0,"model":"gpt-x","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":7}}}`,
			`[DONE]`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("chunks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("without include_usage there is no usage chunk", func(t *testing.T) {
		t.Parallel()
		for _, c := range chunks(base, protocol.EncodeOptions{Model: "gpt-x"}) {
			if strings.Contains(c, `"usage"`) {
				t.Errorf("usage chunk sent unasked: %s", c)
			}
		}
	})
	t.Run("a second tool call gets tool index 1 whatever its block index", func(t *testing.T) {
		t.Parallel()
		evs := []protocol.Event{
			{Type: protocol.EventStart, ID: "msg_1"},
			{Type: protocol.EventBlockStart, Index: 0, Block: tool},
			{Type: protocol.EventBlockStop, Index: 0},
			{Type: protocol.EventBlockStart, Index: 1, Block: &protocol.Block{Type: protocol.BlockThinking}},
			{Type: protocol.EventDelta, Index: 1, Delta: protocol.DeltaThinking, Text: "hmm"},
			{Type: protocol.EventDelta, Index: 1, Delta: protocol.DeltaSignature, Text: "sig"},
			{Type: protocol.EventBlockStop, Index: 1},
			{Type: protocol.EventBlockStart, Index: 2, Block: &protocol.Block{Type: protocol.BlockToolUse, ID: "toolu_02", Name: "Bash"}},
			{Type: protocol.EventDelta, Index: 2, Delta: protocol.DeltaJSON, Text: `{}`},
		}
		got := strings.Join(chunks(evs, protocol.EncodeOptions{}), "\n")
		for _, want := range []string{`"reasoning_content":"hmm"`, `{"index":1,"id":"toolu_02"`, `{"index":1,"function":{"arguments":"{}"}}`} {
			if !strings.Contains(got, want) {
				t.Errorf("missing %s in\n%s", want, got)
			}
		}
		if strings.Contains(got, "sig") {
			t.Error("a signature leaked into the OpenAI stream")
		}
	})
	t.Run("an error becomes an OpenAI error chunk then [DONE] and nothing after", func(t *testing.T) {
		t.Parallel()
		evs := []protocol.Event{
			{Type: protocol.EventStart, ID: "msg_1"},
			{Type: protocol.EventError, ErrorKind: protocol.Overloaded, ErrorMessage: "busy"},
			{Type: protocol.EventEnd},
		}
		got := chunks(evs, protocol.EncodeOptions{})
		if len(got) != 3 || got[1] != `{"error":{"code":"overloaded_error","message":"busy","type":"server_error"}}` || got[2] != "[DONE]" {
			t.Errorf("chunks = %q", got)
		}
	})
}
