package observe_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/observe"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/convert"
)

// usageCase is one upstream reply and the usage it reports.
type usageCase struct {
	name   string
	format protocol.Format
	stream bool
	body   string
	want   protocol.Usage
}

// sse joins data lines (and "event: name|data" pairs) into a stream.
func sse(events ...string) string {
	var b strings.Builder
	for _, ev := range events {
		if name, data, ok := strings.Cut(ev, "|"); ok {
			b.WriteString("event: " + name + "\n")
			ev = data
		}
		b.WriteString("data: " + ev + "\n\n")
	}
	return b.String()
}

var usageCases = []usageCase{
	{"openai body: prompt_tokens_details.cached_tokens and reasoning", protocol.OpenAI, false,
		`{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],` +
			`"usage":{"prompt_tokens":1200,"completion_tokens":42,"total_tokens":1242,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":10}}}`,
		protocol.Usage{InputTokens: 176, OutputTokens: 42, CacheReadTokens: 1024, ReasoningTokens: 10}},
	{"openai body: Moonshot's top-level cached_tokens", protocol.OpenAI, false,
		`{"id":"chatcmpl-2","object":"chat.completion","model":"kimi-k2","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],` +
			`"usage":{"prompt_tokens":300,"completion_tokens":7,"total_tokens":307,"cached_tokens":256}}`,
		protocol.Usage{InputTokens: 44, OutputTokens: 7, CacheReadTokens: 256}},
	{"openai body: DeepSeek's prompt_cache_hit_tokens", protocol.OpenAI, false,
		`{"id":"chatcmpl-3","object":"chat.completion","model":"deepseek-chat","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],` +
			`"usage":{"prompt_tokens":80,"completion_tokens":5,"total_tokens":85,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":16}}`,
		protocol.Usage{InputTokens: 16, OutputTokens: 5, CacheReadTokens: 64}},
	{"openai body: prompt_cache_miss_tokens without prompt_tokens", protocol.OpenAI, false,
		`{"id":"chatcmpl-4","object":"chat.completion","model":"deepseek-chat","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],` +
			`"usage":{"completion_tokens":5,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":16}}`,
		protocol.Usage{InputTokens: 16, OutputTokens: 5, CacheReadTokens: 64}},
	{"openai stream: the usage chunk after finish_reason, null before", protocol.OpenAI, true, sse(
		`{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}],"usage":null}`,
		`{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}`,
		`{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":500,"completion_tokens":20,"prompt_tokens_details":{"cached_tokens":128},"completion_tokens_details":{"reasoning_tokens":4}}}`,
		`[DONE]`),
		protocol.Usage{InputTokens: 372, OutputTokens: 20, CacheReadTokens: 128, ReasoningTokens: 4}},
	{"openai stream: Moonshot's top-level cached_tokens", protocol.OpenAI, true, sse(
		`{"id":"c","object":"chat.completion.chunk","model":"kimi-k2","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}`,
		`{"id":"c","object":"chat.completion.chunk","model":"kimi-k2","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":90,"completion_tokens":3,"cached_tokens":60}}`,
		`[DONE]`),
		protocol.Usage{InputTokens: 30, OutputTokens: 3, CacheReadTokens: 60}},
	{"openai stream: Moonshot's usage inside choices[0] of the last chunk", protocol.OpenAI, true, sse(
		`{"id":"c","object":"chat.completion.chunk","model":"kimi-k2","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}`,
		`{"id":"c","object":"chat.completion.chunk","model":"kimi-k2","choices":[{"index":0,"delta":{},"finish_reason":"stop","usage":{"prompt_tokens":1200,"completion_tokens":9,"total_tokens":1209,"cached_tokens":1024}}]}`,
		`[DONE]`),
		protocol.Usage{InputTokens: 176, OutputTokens: 9, CacheReadTokens: 1024}},
	{"openai stream: top-level usage wins over choices[0].usage", protocol.OpenAI, true, sse(
		`{"id":"c","object":"chat.completion.chunk","model":"kimi-k2","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}`,
		`{"id":"c","object":"chat.completion.chunk","model":"kimi-k2","choices":[{"index":0,"delta":{},"finish_reason":"stop","usage":{"prompt_tokens":1,"completion_tokens":1}}],"usage":{"prompt_tokens":90,"completion_tokens":3,"cached_tokens":60}}`,
		`[DONE]`),
		protocol.Usage{InputTokens: 30, OutputTokens: 3, CacheReadTokens: 60}},
	{"anthropic body: cache_creation and cache_read", protocol.Anthropic, false,
		`{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,` +
			`"usage":{"input_tokens":12,"cache_creation_input_tokens":150,"cache_read_input_tokens":300,"output_tokens":7}}`,
		protocol.Usage{InputTokens: 12, OutputTokens: 7, CacheReadTokens: 300, CacheWriteTokens: 150}},
	{"anthropic stream: input from message_start, output from message_delta", protocol.Anthropic, true, sse(
		`message_start|{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","usage":{"input_tokens":25,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":1}}}`,
		`content_block_start|{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
		`content_block_delta|{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\"usage\": {\"input_tokens\": 9}"}}`,
		`content_block_stop|{"type":"content_block_stop","index":0}`,
		`message_delta|{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`,
		`message_stop|{"type":"message_stop"}`),
		protocol.Usage{InputTokens: 25, OutputTokens: 15, CacheReadTokens: 2000, CacheWriteTokens: 100}},
	{"anthropic stream: a compatible endpoint repeats the counts in message_delta", protocol.Anthropic, true, sse(
		`{"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","content":[],"model":"glm-4.6","usage":{"input_tokens":0,"output_tokens":0}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}`,
		`{"type":"content_block_stop","index":0}`,
		`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":40,"cache_read_input_tokens":8,"output_tokens":6}}`,
		`{"type":"message_stop"}`),
		protocol.Usage{InputTokens: 40, OutputTokens: 6, CacheReadTokens: 8}},
	{"gemini body: cachedContentTokenCount and thoughtsTokenCount", protocol.Gemini, false,
		`{"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"finishReason":"STOP","index":0}],` +
			`"usageMetadata":{"promptTokenCount":400,"candidatesTokenCount":30,"cachedContentTokenCount":350,"thoughtsTokenCount":120,"totalTokenCount":550},"modelVersion":"gemini-2.5-pro"}`,
		protocol.Usage{InputTokens: 50, OutputTokens: 150, CacheReadTokens: 350, ReasoningTokens: 120}},
	{"gemini body: the array streamGenerateContent sends without alt=sse", protocol.Gemini, false,
		`[{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":1,"totalTokenCount":51}},` +
			`{"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":9,"cachedContentTokenCount":20,"thoughtsTokenCount":30,"totalTokenCount":89}}]`,
		protocol.Usage{InputTokens: 30, OutputTokens: 39, CacheReadTokens: 20, ReasoningTokens: 30}},
	{"gemini stream: the last usageMetadata, a function call's args aside", protocol.Gemini, true, sse(
		`{"candidates":[{"content":{"parts":[{"functionCall":{"name":"log","args":{"usageMetadata":{"promptTokenCount":999}}}}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":1,"totalTokenCount":51},"modelVersion":"gemini-2.5-flash"}`,
		`{"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":9,"cachedContentTokenCount":20,"thoughtsTokenCount":30,"totalTokenCount":89},"modelVersion":"gemini-2.5-flash"}`),
		protocol.Usage{InputTokens: 30, OutputTokens: 39, CacheReadTokens: 20, ReasoningTokens: 30}},
	{"responses body: input_tokens_details and output_tokens_details", protocol.Responses, false,
		`{"id":"resp_2","object":"response","status":"completed","model":"gpt-5","output":[{"id":"msg_2","type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","text":"Hi","annotations":[]}]}],` +
			`"usage":{"input_tokens":120,"input_tokens_details":{"cached_tokens":100},"output_tokens":80,"output_tokens_details":{"reasoning_tokens":64},"total_tokens":200}}`,
		protocol.Usage{InputTokens: 20, OutputTokens: 80, CacheReadTokens: 100, ReasoningTokens: 64}},
	{"responses stream: response.completed's usage, not a tool's or the text's", protocol.Responses, true, sse(
		`response.created|{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-5-codex","output":[],"usage":null}}`,
		`response.output_item.added|{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}`,
		`response.content_part.added|{"type":"response.content_part.added","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":""}}`,
		`response.output_text.delta|{"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"\"usage\": {\"input_tokens\": 9}"}`,
		`response.output_item.done|{"type":"response.output_item.done","sequence_number":4,"output_index":0,"item":{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"\"usage\": {\"input_tokens\": 9}"}]}}`,
		`response.completed|{"type":"response.completed","sequence_number":5,"response":{"id":"resp_1","object":"response","status":"completed","model":"gpt-5-codex","output":[],"tools":[{"type":"function","name":"f","parameters":{"properties":{"usage":{"type":"string"}}}}],"usage":{"input_tokens":5000,"input_tokens_details":{"cached_tokens":4096},"output_tokens":300,"output_tokens_details":{"reasoning_tokens":192},"total_tokens":5300}}}`),
		protocol.Usage{InputTokens: 904, OutputTokens: 300, CacheReadTokens: 4096, ReasoningTokens: 192}},
	{"responses stream: response.incomplete without event lines", protocol.Responses, true, sse(
		`{"type":"response.created","sequence_number":0,"response":{"id":"r","object":"response","status":"in_progress","model":"gpt-5","output":[]}}`,
		`{"type":"response.incomplete","sequence_number":1,"response":{"id":"r","object":"response","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"model":"gpt-5","output":[],"usage":{"input_tokens":40,"output_tokens":16,"total_tokens":56}}}`),
		protocol.Usage{InputTokens: 40, OutputTokens: 16}},
}

// consumers are every reader of an upstream's usage: the codec on its own,
// the conversion to each other format, and the tee on the passthrough path
// (the reply in one write and byte by byte).
func consumers(t *testing.T, c usageCase) map[string]protocol.Usage {
	t.Helper()
	got := map[string]protocol.Usage{}
	codec := convert.For(c.format)
	if !c.stream {
		resp, err := codec.DecodeResponse([]byte(c.body))
		if err != nil {
			t.Fatalf("codec DecodeResponse: %v", err)
		}
		got["codec DecodeResponse"] = resp.Usage
		if u, ok := observe.ReadUsage(c.format, []byte(c.body)); ok {
			got["observe.ReadUsage"] = u
		}
		for _, to := range protocol.Formats {
			_, u, err := convert.Response([]byte(c.body), c.format, to, nil, protocol.EncodeOptions{}, nil)
			if err != nil {
				t.Fatalf("convert.Response to %s: %v", to, err)
			}
			got["convert.Response to "+string(to)] = u
		}
	} else {
		dec := codec.NewStreamDecoder()
		var stop *protocol.Usage
		take := func(events []protocol.Event) {
			for _, ev := range events {
				if ev.Type == protocol.EventStop {
					stop = ev.Usage
				}
				if ev.Type == protocol.EventError {
					t.Fatalf("codec stream error: %s", ev.ErrorMessage)
				}
			}
		}
		for _, ev := range readEvents(t, c.body) {
			events, err := dec.Decode(ev)
			if err != nil {
				t.Fatalf("codec stream Decode: %v", err)
			}
			take(events)
		}
		take(dec.Finish())
		if stop != nil {
			got["codec stream decoder"] = *stop
		}
		for _, to := range protocol.Formats {
			s, err := convert.NewStream(c.format, to, nil, protocol.EncodeOptions{IncludeUsage: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range readEvents(t, c.body) {
				if _, err := s.Event(nil, ev); err != nil {
					t.Fatalf("convert.Stream to %s: %v", to, err)
				}
			}
			s.Finish(nil)
			got["convert.Stream to "+string(to)] = s.Usage()
		}
	}
	whole := observe.NewUsageTee(c.format, c.stream)
	whole.Write([]byte(c.body))
	if whole.HasUsage() {
		got["UsageTee"] = whole.Usage()
	}
	bytewise := observe.NewUsageTee(c.format, c.stream)
	for i := range len(c.body) {
		bytewise.Write([]byte{c.body[i]})
	}
	if bytewise.HasUsage() {
		got["UsageTee byte by byte"] = bytewise.Usage()
	}
	return got
}

func readEvents(t *testing.T, body string) []protocol.SSEEvent {
	t.Helper()
	r := protocol.NewSSEReader(strings.NewReader(body))
	var out []protocol.SSEEvent
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
}

// Every consumer of an upstream's usage reads the same counts from the
// same reply: a relayed reply and a converted one log the same tokens.
func TestUsageConsumersAgree(t *testing.T) {
	t.Parallel()
	for _, c := range usageCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := consumers(t, c)
			want := 2 + 1 + len(protocol.Formats) // the tee twice, the codec, each conversion
			if !c.stream {
				want++ // observe.ReadUsage
			}
			if len(got) != want {
				t.Errorf("%d consumers reported usage, want %d: %v", len(got), want, got)
			}
			var bad bytes.Buffer
			for name, u := range got {
				if u != c.want {
					fmt.Fprintf(&bad, "\n  %s: %+v", name, u)
				}
			}
			if bad.Len() > 0 {
				t.Errorf("want %+v from every consumer; these differ:%s", c.want, bad.String())
			}
		})
	}
}
