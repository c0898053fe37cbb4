package proxy

import (
	"bytes"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// rewriteAll runs a whole reply through a fresh rewriter, in reads of size
// n (0: one read), the way relay feeds it.
func rewriteAll(f protocol.Format, sse bool, client, reply string, n int) string {
	m := newModelRewriter(f, sse, client)
	var out []byte
	in := []byte(reply)
	if n <= 0 {
		n = len(in) + 1
	}
	for len(in) > 0 {
		k := min(n, len(in))
		out = m.rewrite(out, in[:k])
		in = in[k:]
	}
	return string(m.flush(out))
}

func TestModelRewriter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		format protocol.Format
		sse    bool
		in     string
		want   string
	}{
		{"an Anthropic reply names the client's model", protocol.Anthropic, false,
			`{"id":"msg_1","type":"message","role":"assistant","model":"glm-4.6","content":[{"type":"text","text":"hi"}]}`,
			`{"id":"msg_1","type":"message","role":"assistant","model":"claude-opus-4-8","content":[{"type":"text","text":"hi"}]}`},
		{"only the reply's own model: a tool input naming one is the model's output", protocol.Anthropic, false,
			`{"content":[{"type":"tool_use","id":"t","name":"set","input":{"model":"glm-4.6"}}],"model" : "glm-4.6","usage":{}}`,
			`{"content":[{"type":"tool_use","id":"t","name":"set","input":{"model":"glm-4.6"}}],"model" : "claude-opus-4-8","usage":{}}`},
		{"an Anthropic stream: message_start only, text that quotes a model untouched", protocol.Anthropic, true,
			"event: ping\ndata: {\"type\":\"ping\"}\n\n" +
				"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"glm-4.6\",\"content\":[],\"usage\":{\"input_tokens\":3}}}\n\n" +
				"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"{\\\"model\\\":\\\"glm-4.6\\\"}\"}}\n\n",
			"event: ping\ndata: {\"type\":\"ping\"}\n\n" +
				"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"claude-opus-4-8\",\"content\":[],\"usage\":{\"input_tokens\":3}}}\n\n" +
				"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"{\\\"model\\\":\\\"glm-4.6\\\"}\"}}\n\n"},
		{"an OpenAI stream: every chunk, and [DONE] passes", protocol.OpenAI, true,
			"data: {\"id\":\"c\",\"model\":\"gpt-4.1\",\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\r\n\r\n" +
				"data: {\"id\":\"c\",\"model\":\"gpt-4.1\",\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{\\\"model\\\":\\\"x\\\"}\"}}]}}]}\n\n" +
				"data: [DONE]\n\n",
			"data: {\"id\":\"c\",\"model\":\"claude-opus-4-8\",\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\r\n\r\n" +
				"data: {\"id\":\"c\",\"model\":\"claude-opus-4-8\",\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{\\\"model\\\":\\\"x\\\"}\"}}]}}]}\n\n" +
				"data: [DONE]\n\n"},
		{"an OpenAI body with an escaped model name", protocol.OpenAI, false,
			`{"object":"chat.completion","model":"we\"ird\\name","choices":[]}`,
			`{"object":"chat.completion","model":"claude-opus-4-8","choices":[]}`},
		{"a Gemini stream: modelVersion of every chunk, Google's spacing", protocol.Gemini, true,
			"data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"name\": \"f\", \"args\": {\"modelVersion\": \"gemini-2.5-pro\"}}}]}}], \"modelVersion\": \"gemini-2.5-pro\"}\r\n\r\n" +
				"data: {\"candidates\": [], \"modelVersion\": \"gemini-2.5-pro\", \"responseId\": \"r\"}\r\n\r\n",
			"data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"name\": \"f\", \"args\": {\"modelVersion\": \"gemini-2.5-pro\"}}}]}}], \"modelVersion\": \"claude-opus-4-8\"}\r\n\r\n" +
				"data: {\"candidates\": [], \"modelVersion\": \"claude-opus-4-8\", \"responseId\": \"r\"}\r\n\r\n"},
		{"a Gemini JSON-array stream: each element", protocol.Gemini, false,
			"[{\n  \"candidates\": [],\n  \"modelVersion\": \"gemini-2.5-pro\"\n}\n,\r\n{\n  \"modelVersion\": \"gemini-2.5-pro\"\n}\n]",
			"[{\n  \"candidates\": [],\n  \"modelVersion\": \"claude-opus-4-8\"\n}\n,\r\n{\n  \"modelVersion\": \"claude-opus-4-8\"\n}\n]"},
		{"a model that is not a string is left alone", protocol.Anthropic, false,
			`{"model":null,"x":"model","y":{"model":"a"}}`, `{"model":null,"x":"model","y":{"model":"a"}}`},
		{"a malformed value is given back as it came", protocol.Anthropic, false,
			"{\"model\":\"glm\n-4.6\",\"a\":1}", "{\"model\":\"glm\n-4.6\",\"a\":1}"},
		{"a reply cut inside the value ends as it came", protocol.Anthropic, false,
			`{"model":"glm-4`, `{"model":"glm-4`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, n := range []int{0, 1, 2, 7, 64} {
				if got := rewriteAll(c.format, c.sse, "claude-opus-4-8", c.in, n); got != c.want {
					t.Fatalf("reads of %d bytes:\n got %s\nwant %s", n, got, c.want)
				}
			}
		})
	}
}

// FuzzModelRewriter checks the rewriter on any bytes: reads of any size give
// the same output as one read, and a reply that names no model comes out
// byte for byte as it went in.
func FuzzModelRewriter(f *testing.F) {
	f.Add(`{"model":"glm-4.6","content":[]}`, uint8(3), uint8(0))
	f.Add("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"x\"}}\n\n", uint8(5), uint8(0))
	f.Add("data: {\"model\":\"a\\\"b\"}\n\ndata: [DONE]\n\n", uint8(1), uint8(1))
	f.Add(`[{"modelVersion": "g"},{"modelVersion": "g"}]`, uint8(2), uint8(2))
	f.Add(`{"a":[{"model":"m"}],"model":"`, uint8(4), uint8(1))
	f.Fuzz(func(t *testing.T, reply string, n, which uint8) {
		format := []protocol.Format{protocol.Anthropic, protocol.OpenAI, protocol.Gemini}[int(which)%3]
		sse := which&4 != 0
		whole := rewriteAll(format, sse, "client-model", reply, 0)
		if got := rewriteAll(format, sse, "client-model", reply, int(n%16)+1); got != whole {
			t.Fatalf("reads of %d bytes gave\n%q\none read gave\n%q", n%16+1, got, whole)
		}
		if !strings.Contains(reply, `"model`) && whole != reply {
			t.Fatalf("a reply without a model changed:\n%q\n%q", reply, whole)
		}
		if !bytes.Contains([]byte(whole), []byte("client-model")) && whole != reply {
			t.Fatalf("changed without naming the client's model:\n%q\n%q", reply, whole)
		}
	})
}

// BenchmarkModelRewriter measures the rewrite alone on a 20-event stream,
// against copying the same bytes: the cost a renamed model adds per reply.
func BenchmarkModelRewriter(b *testing.B) {
	var anth, oa strings.Builder
	anth.WriteString("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"glm-4.6\",\"content\":[],\"usage\":{\"input_tokens\":25}}}\n\n")
	for i := range 20 {
		anth.WriteString("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word " + strings.Repeat("x", i) + "\"}}\n\n")
		oa.WriteString("data: {\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word " + strings.Repeat("x", i) + "\"}}]}\n\n")
	}
	for _, c := range []struct {
		name   string
		format protocol.Format
		body   []byte
	}{{"anthropic-stream", protocol.Anthropic, []byte(anth.String())}, {"openai-stream", protocol.OpenAI, []byte(oa.String())}} {
		out := make([]byte, 0, 2*len(c.body))
		b.Run(c.name+"/copy", func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				out = append(out[:0], c.body...)
			}
		})
		b.Run(c.name+"/rewrite", func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for b.Loop() {
				m := newModelRewriter(c.format, true, "claude-opus-4-8")
				out = m.flush(m.rewrite(out[:0], c.body))
			}
		})
	}
}

// TestModelRewriterLineEnds feeds streams whose events end in each line-end
// form the SSE grammar allows (LF, CRLF, CR alone, and mixes of them), cut
// in two at every byte and fed a byte at a time: the model of every event
// is rewritten, so the end of each event was found however the reads fell.
func TestModelRewriterLineEnds(t *testing.T) {
	t.Parallel()
	oa := func(model, content string) string {
		return `data: {"id":"c","object":"chat.completion.chunk","model":"` + model + `","choices":[{"index":0,"delta":{"content":"` + content + `"}}]}`
	}
	gm := func(model string) string {
		return `data: {"candidates": [{"content": {"parts": [{"text": "a"}]}}], "modelVersion": "` + model + `"}`
	}
	cases := []struct {
		name   string
		format protocol.Format
		// events are joined by sep after each; "%m" in an event is the model.
		events []string
		seps   []string
	}{
		{"OpenAI", protocol.OpenAI, []string{oa("%m", "a"), oa("%m", "b"), oa("%m", "c"), "data: [DONE]"}, nil},
		{"Gemini", protocol.Gemini, []string{gm("%m"), gm("%m"), gm("%m")}, nil},
		{"OpenAI with a comment and an id before the blank line", protocol.OpenAI,
			[]string{oa("%m", "a") + "%e: keep-alive%eid: 7", oa("%m", "b"), oa("%m", "c")}, nil},
	}
	// Each form: the end of a line, and the blank line that ends an event
	// (CR then LF would be one CRLF, not a blank line).
	forms := []struct{ name, line, blank string }{
		{"LF", "\n", "\n"},
		{"CRLF", "\r\n", "\r\n"},
		{"CR", "\r", "\r"},
		{"CR then CRLF", "\r", "\r\n"},
		{"LF then CR", "\n", "\r"},
		{"CRLF then LF", "\r\n", "\n"},
	}
	for _, c := range cases {
		for _, f := range forms {
			t.Run(c.name+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				var in, want strings.Builder
				for _, ev := range c.events {
					ev = strings.ReplaceAll(ev, "%e", f.line) + f.line + f.blank
					in.WriteString(strings.ReplaceAll(ev, "%m", "gpt-4.1"))
					want.WriteString(strings.ReplaceAll(ev, "%m", "claude-opus-4-8"))
				}
				reply := in.String()
				for k := 0; k <= len(reply); k++ {
					m := newModelRewriter(c.format, true, "claude-opus-4-8")
					out := m.rewrite(nil, []byte(reply[:k]))
					out = m.flush(m.rewrite(out, []byte(reply[k:])))
					if string(out) != want.String() {
						t.Fatalf("cut at byte %d:\n got %q\nwant %q", k, out, want.String())
					}
				}
				if got := rewriteAll(c.format, true, "claude-opus-4-8", reply, 1); got != want.String() {
					t.Fatalf("a byte at a time:\n got %q\nwant %q", got, want.String())
				}
			})
		}
	}
}
