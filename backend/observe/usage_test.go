package observe

import (
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/protocol"
)

// Real event sequences as the providers send them (ids shortened).
const (
	anthropicStream = "event: message_start\n" +
		`data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":1}}}` + "\n\n" +
		"event: content_block_start\n" +
		`data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}` + "\n\n" +
		"event: ping\n" + `data: {"type": "ping"}` + "\n\n" +
		"event: content_block_delta\n" +
		`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello \"usage\": 99"}}` + "\n\n" +
		"event: content_block_stop\n" + `data: {"type":"content_block_stop","index":0}` + "\n\n" +
		"event: message_delta\n" +
		`data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}` + "\n\n" +
		"event: message_stop\n" + `data: {"type":"message_stop"}` + "\n\n"

	anthropicJSON = `{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5",
  "content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,
  "usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":300,"output_tokens":7}}`

	openAIStream = `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}` + "\r\n\r\n" +
		`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}],"usage":null}` + "\r\n\r\n" +
		`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}` + "\r\n\r\n" +
		`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":42,"total_tokens":1242,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":10}}}` + "\r\n\r\n" +
		"data: [DONE]\r\n\r\n"

	openAIJSON = `{"id":"chatcmpl-1","object":"chat.completion","model":"deepseek-chat","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],
  "usage":{"prompt_tokens":80,"completion_tokens":5,"total_tokens":85,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":16}}`

	geminiStream = `data: {"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":1,"totalTokenCount":51},"modelVersion":"gemini-2.5-flash"}` + "\r\n\r\n" +
		`data: {"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":9,"cachedContentTokenCount":20,"thoughtsTokenCount":30,"totalTokenCount":89},"modelVersion":"gemini-2.5-flash"}` + "\r\n\r\n"

	responsesStream = "event: response.created\n" +
		`data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-5-codex","output":[],"usage":null}}` + "\n\n" +
		"event: response.output_item.added\n" +
		`data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}` + "\n\n" +
		"event: response.output_text.delta\n" +
		`data: {"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"\"usage\": {\"input_tokens\": 9}"}` + "\n\n" +
		"event: response.completed\n" +
		`data: {"type":"response.completed","sequence_number":3,"response":{"id":"resp_1","object":"response","status":"completed","model":"gpt-5-codex","output":[{"id":"msg_1","type":"message","content":[{"type":"output_text","text":"usage"}]}],"tools":[{"type":"function","name":"f","parameters":{"properties":{"usage":{"type":"string"}}}}],"usage":{"input_tokens":5000,"input_tokens_details":{"cached_tokens":4096},"output_tokens":300,"output_tokens_details":{"reasoning_tokens":192},"total_tokens":5300},"user":null,"metadata":{}}}` + "\n\n"

	// responsesBareStream has no event: lines, as some compatible
	// servers send it.
	responsesBareStream = `data: {"type":"response.output_text.delta","sequence_number":2,"item_id":"m","output_index":0,"content_index":0,"delta":"Hi"}` + "\n\n" +
		`data: {"type":"response.incomplete","sequence_number":3,"response":{"id":"r","status":"incomplete","usage":{"input_tokens":40,"output_tokens":16,"total_tokens":56}}}` + "\n\n"

	responsesJSON = `{"id":"resp_2","object":"response","status":"completed","model":"gpt-5","output":[{"id":"msg_2","type":"message","content":[{"type":"output_text","text":"Hi"}]}],
  "usage":{"input_tokens":120,"input_tokens_details":{"cached_tokens":100},"output_tokens":8,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":128}}`

	geminiJSON = `{"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"finishReason":"STOP","index":0}],
  "usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":3,"totalTokenCount":43},"modelVersion":"gemini-2.5-pro"}`
)

func TestUsageTee(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		format protocol.Format
		stream bool
		body   string
		want   protocol.Usage
	}{
		{"an Anthropic stream takes input from message_start and output from message_delta", protocol.Anthropic, true, anthropicStream,
			protocol.Usage{InputTokens: 25, OutputTokens: 15, CacheReadTokens: 2000, CacheWriteTokens: 100}},
		{"an Anthropic body reads its usage object", protocol.Anthropic, false, anthropicJSON,
			protocol.Usage{InputTokens: 12, OutputTokens: 7, CacheReadTokens: 300}},
		{"an OpenAI stream reads the usage chunk and takes cached tokens out of the prompt", protocol.OpenAI, true, openAIStream,
			protocol.Usage{InputTokens: 176, OutputTokens: 42, CacheReadTokens: 1024, ReasoningTokens: 10}},
		{"a DeepSeek body reports cache hits as prompt_cache_hit_tokens", protocol.OpenAI, false, openAIJSON,
			protocol.Usage{InputTokens: 16, OutputTokens: 5, CacheReadTokens: 64}},
		{"a Gemini stream keeps the last usageMetadata and counts thoughts as output", protocol.Gemini, true, geminiStream,
			protocol.Usage{InputTokens: 30, OutputTokens: 39, CacheReadTokens: 20, ReasoningTokens: 30}},
		{"a Gemini body reads usageMetadata", protocol.Gemini, false, geminiJSON,
			protocol.Usage{InputTokens: 40, OutputTokens: 3}},
		{"a Responses stream reads response.completed's usage, not a tool's or the text's", protocol.Responses, true, responsesStream,
			protocol.Usage{InputTokens: 904, OutputTokens: 300, CacheReadTokens: 4096, ReasoningTokens: 192}},
		{"a Responses stream without event lines reads response.incomplete", protocol.Responses, true, responsesBareStream,
			protocol.Usage{InputTokens: 40, OutputTokens: 16}},
		{"a Responses body reads its usage object", protocol.Responses, false, responsesJSON,
			protocol.Usage{InputTokens: 20, OutputTokens: 8, CacheReadTokens: 100}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Every way of cutting the body into two writes, and one byte
			// at a time, must read the same usage.
			for cut := 0; cut <= len(tc.body); cut++ {
				tee := NewUsageTee(tc.format, tc.stream)
				tee.Write([]byte(tc.body[:cut]))
				tee.Write([]byte(tc.body[cut:]))
				if got := tee.Usage(); got != tc.want {
					t.Fatalf("cut at %d: usage = %+v, want %+v", cut, got, tc.want)
				}
				if !tee.HasUsage() {
					t.Fatalf("cut at %d: HasUsage = false", cut)
				}
				if tee.Bytes() != int64(len(tc.body)) {
					t.Fatalf("cut at %d: Bytes = %d, want %d", cut, tee.Bytes(), len(tc.body))
				}
			}
			tee := NewUsageTee(tc.format, tc.stream)
			for i := range len(tc.body) {
				tee.Write([]byte{tc.body[i]})
			}
			if got := tee.Usage(); got != tc.want {
				t.Fatalf("byte by byte: usage = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestUsageTeeWithoutUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		format protocol.Format
		stream bool
		body   string
	}{
		{"an OpenAI stream without include_usage reports none", protocol.OpenAI, true,
			`data: {"choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}` + "\n\ndata: [DONE]\n\n"},
		{"a body over the cap is not parsed", protocol.OpenAI, false,
			`{"x":"` + strings.Repeat("a", maxTeeBody) + `","usage":{"prompt_tokens":5}}`},
		{"an error body has no usage", protocol.Anthropic, false, `{"type":"error","error":{"type":"overloaded_error","message":"busy"}}`},
		{"an over-long SSE line is skipped without growing memory", protocol.Gemini, true,
			"data: {\"x\":\"" + strings.Repeat("a", maxTeeBody) + "\",\"usageMetadata\":{\"promptTokenCount\":5}}\n\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tee := NewUsageTee(tc.format, tc.stream)
			for b := []byte(tc.body); len(b) > 0; {
				n := min(len(b), 32<<10)
				tee.Write(b[:n])
				b = b[n:]
			}
			if tee.HasUsage() || tee.Usage() != (protocol.Usage{}) {
				t.Fatalf("usage = %+v (has %v), want none", tee.Usage(), tee.HasUsage())
			}
			// The splitter's own test checks that a dropped line is not kept.
			if len(tee.body) > maxTeeBody {
				t.Fatalf("kept %d body bytes, over the cap", len(tee.body))
			}
		})
	}
}

func TestUsageTeeTiming(t *testing.T) {
	t.Parallel()
	t.Run("responses: the first token is the first delta", func(t *testing.T) {
		t.Parallel()
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		now := start
		tee := NewUsageTee(protocol.Responses, true)
		tee.now = func() time.Time { return now }
		for i, ev := range strings.SplitAfter(responsesStream, "\n\n") {
			now = start.Add(time.Duration(i) * time.Second)
			tee.Write([]byte(ev))
		}
		if got, want := tee.FirstTokenAt(), start.Add(2*time.Second); !got.Equal(want) {
			t.Fatalf("FirstTokenAt = %v, want %v", got, want)
		}
	})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	tee := NewUsageTee(protocol.Anthropic, true)
	tee.now = func() time.Time { return now }
	events := strings.SplitAfter(anthropicStream, "\n\n")
	events = events[:len(events)-1] // the empty string after the last event
	// message_start at 0s, the first content at 1s, the rest 1s apart.
	for i, ev := range events {
		now = start.Add(time.Duration(i) * time.Second)
		tee.Write([]byte(ev))
	}
	if got, want := tee.FirstTokenAt(), start.Add(time.Second); !got.Equal(want) {
		t.Fatalf("FirstTokenAt = %v, want %v", got, want)
	}
	last := start.Add(time.Duration(len(events)-1) * time.Second)
	if !tee.LastByteAt().Equal(last) {
		t.Fatalf("LastByteAt = %v, want %v", tee.LastByteAt(), last)
	}
	want := 15 / last.Sub(start.Add(time.Second)).Seconds()
	if got := tee.OutputTPS(); got != want {
		t.Fatalf("OutputTPS = %v, want %v", got, want)
	}
}

// BenchmarkUsageTee measures the tee per SSE event as the relay feeds it:
// one write per event, as upstreams flush them.
func BenchmarkUsageTee(b *testing.B) {
	for _, tc := range []struct {
		name   string
		format protocol.Format
		body   string
	}{
		{"anthropic", protocol.Anthropic, anthropicStream},
		{"openai", protocol.OpenAI, openAIStream},
		{"gemini", protocol.Gemini, geminiStream},
		{"responses", protocol.Responses, responsesStream},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var events [][]byte
			for _, ev := range strings.SplitAfter(tc.body, "\n\n") {
				if ev != "" {
					events = append(events, []byte(ev))
				}
			}
			tee := NewUsageTee(tc.format, true)
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.body)) / int64(len(events)))
			b.ResetTimer()
			for i := range b.N {
				tee.Write(events[i%len(events)])
			}
		})
	}
}
