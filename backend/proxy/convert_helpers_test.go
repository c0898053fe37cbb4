package proxy_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tidwall/gjson"
)

// Mock replies for converted exchanges. They copy the chunking of the real
// APIs: OpenAI sends the tool call's id and name in its first delta and the
// arguments in pieces, then finish_reason, then a usage chunk with no
// choices; Gemini sends whole functionCall parts and the finishReason on the
// last chunk; Anthropic sends its full event sequence.

const toolCmd = "ls -la /tmp"

// openAIToolCompletion asks for one Bash call after some text.
const openAIToolCompletion = `{"id":"chatcmpl-CV1","object":"chat.completion","created":1764000000,` +
	`"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Let me check.",` +
	`"tool_calls":[{"id":"call_Qx1","type":"function","function":{"name":"Bash",` +
	`"arguments":"{\"command\":\"ls -la /tmp\",\"description\":\"List files\"}"}}],"refusal":null},` +
	`"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1234,"completion_tokens":56,"total_tokens":1290,` +
	`"prompt_tokens_details":{"cached_tokens":200}}}`

func oaChunk(delta, finish string) string {
	if finish == "" {
		finish = "null"
	}
	return `data: {"id":"chatcmpl-CV2","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4.1",` +
		`"system_fingerprint":"fp_1","choices":[{"index":0,"delta":` + delta + `,"logprobs":null,"finish_reason":` + finish + `}]}` + "\n\n"
}

// openAIToolStream is openAIToolCompletion streamed; withUsage adds the
// usage chunk that stream_options.include_usage asks for.
func openAIToolStream(withUsage bool) []string {
	ev := []string{
		oaChunk(`{"role":"assistant","content":"","refusal":null}`, ""),
		oaChunk(`{"content":"Let me "}`, ""),
		oaChunk(`{"content":"check."}`, ""),
		oaChunk(`{"tool_calls":[{"index":0,"id":"call_Qx1","type":"function","function":{"name":"Bash","arguments":""}}]}`, ""),
		oaChunk(`{"tool_calls":[{"index":0,"function":{"arguments":"{\"comm"}}]}`, ""),
		oaChunk(`{"tool_calls":[{"index":0,"function":{"arguments":"and\":\"ls -la /tmp\","}}]}`, ""),
		oaChunk(`{"tool_calls":[{"index":0,"function":{"arguments":"\"description\":\"List files\"}"}}]}`, ""),
		oaChunk(`{}`, `"tool_calls"`),
	}
	if withUsage {
		ev = append(ev, `data: {"id":"chatcmpl-CV2","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4.1",`+
			`"choices":[],"usage":{"prompt_tokens":1234,"completion_tokens":56,"total_tokens":1290,"prompt_tokens_details":{"cached_tokens":200}}}`+"\n\n")
	}
	return append(ev, "data: [DONE]\n\n")
}

// openAITextStream answers text only, with usage when asked.
func openAITextStream(text string, withUsage bool) []string {
	ev := []string{oaChunk(`{"role":"assistant","content":""}`, "")}
	for _, w := range strings.SplitAfter(text, " ") {
		b, _ := json.Marshal(w)
		ev = append(ev, oaChunk(`{"content":`+string(b)+`}`, ""))
	}
	ev = append(ev, oaChunk(`{}`, `"stop"`))
	if withUsage {
		ev = append(ev, `data: {"id":"chatcmpl-CV2","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4.1",`+
			`"choices":[],"usage":{"prompt_tokens":1500,"completion_tokens":12,"total_tokens":1512}}`+"\n\n")
	}
	return append(ev, "data: [DONE]\n\n")
}

const geminiToolResponse = `{"candidates":[{"content":{"role":"model","parts":[{"text":"Let me check."},` +
	`{"functionCall":{"name":"Bash","args":{"command":"ls -la /tmp","description":"List files"}}}]},` +
	`"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":1234,"candidatesTokenCount":56,` +
	`"totalTokenCount":1290},"modelVersion":"gemini-2.5-pro","responseId":"resp-1"}`

var geminiToolEvents = []string{
	`data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Let me "}]},"index":0}],"usageMetadata":{"promptTokenCount":1234,"totalTokenCount":1234},"modelVersion":"gemini-2.5-pro","responseId":"resp-2"}` + "\r\n\r\n",
	`data: {"candidates":[{"content":{"role":"model","parts":[{"text":"check."}]},"index":0}],"usageMetadata":{"promptTokenCount":1234,"totalTokenCount":1234},"modelVersion":"gemini-2.5-pro","responseId":"resp-2"}` + "\r\n\r\n",
	`data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"Bash","args":{"command":"ls -la /tmp","description":"List files"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":1234,"candidatesTokenCount":56,"totalTokenCount":1290},"modelVersion":"gemini-2.5-pro","responseId":"resp-2"}` + "\r\n\r\n",
}

const anthropicToolMessage = `{"id":"msg_01Tool","type":"message","role":"assistant","model":"claude-sonnet-4-5",` +
	`"content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_01A","name":"Bash",` +
	`"input":{"command":"ls -la /tmp","description":"List files"}}],"stop_reason":"tool_use","stop_sequence":null,` +
	`"usage":{"input_tokens":1034,"cache_read_input_tokens":200,"cache_creation_input_tokens":0,"output_tokens":56}}`

var anthropicToolEvents = []string{
	"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01Tool\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1034,\"cache_read_input_tokens\":200,\"cache_creation_input_tokens\":0,\"output_tokens\":1}}}\n\n",
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
	"event: ping\ndata: {\"type\":\"ping\"}\n\n",
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me \"}}\n\n",
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"check.\"}}\n\n",
	"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01A\",\"name\":\"Bash\",\"input\":{}}}\n\n",
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n",
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"command\\\": \\\"ls -la\"}}\n\n",
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\" /tmp\\\", \\\"description\\\": \\\"List files\\\"}\"}}\n\n",
	"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
	"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":56}}\n\n",
	"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
}

// replySSESplit writes each event in two writes, flushed apart, as TCP
// may deliver it: the reader must join them.
func replySSESplit(events []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		for _, ev := range events {
			half := len(ev) / 2
			io.WriteString(w, ev[:half])
			rc.Flush()
			io.WriteString(w, ev[half:])
			rc.Flush()
		}
	}
}

// replySequence answers the n-th request with replies[n]; extra requests get
// a 500 so the test sees them.
func replySequence(replies ...http.HandlerFunc) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(replies) {
			http.Error(w, `{"error":{"message":"unexpected extra request"}}`, http.StatusInternalServerError)
			return
		}
		replies[i](w, r)
	}
}

// postAs sends body to path with the access key where a client of format
// would put it, plus extra headers.
func (te *testEngine) postAs(t testing.TB, format, path string, body []byte, extra map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, te.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	switch format {
	case "anthropic":
		req.Header.Set("X-Api-Key", testAccessKey)
	case "gemini":
		req.Header.Set("X-Goog-Api-Key", testAccessKey)
	default:
		req.Header.Set("Authorization", "Bearer "+testAccessKey)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// readOK reads a 200 reply's body, failing with the body otherwise.
func readOK(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read reply: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", resp.StatusCode, raw)
	}
	return raw
}

// sseEvent is one parsed server-sent event.
type sseEvent struct {
	Name string
	Data string
}

// parseSSE splits a whole stream into events; comments are skipped.
func parseSSE(t testing.TB, raw []byte) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	var data []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case line == "":
			if data != nil || cur.Name != "" {
				cur.Data = strings.Join(data, "\n")
				out = append(out, cur)
			}
			cur, data = sseEvent{}, nil
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event:"):
			cur.Name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		default:
			t.Errorf("stray line in stream: %q", line)
		}
	}
	if data != nil || cur.Name != "" {
		t.Errorf("stream ends inside an event (no blank line after it): %+v %q", cur, data)
	}
	return out
}

// anthropicBlock is one content block assembled from a stream or read from
// a message.
type anthropicBlock struct {
	Type  string
	Text  string
	ID    string
	Name  string
	Input map[string]any
}

// anthropicResult is what an Anthropic client ends up with.
type anthropicResult struct {
	ID           string
	Content      []anthropicBlock
	StopReason   string
	InputTokens  int64 // message_start's in a stream
	OutputTokens int64
	Final        gjson.Result // message_delta's usage in a stream, usage otherwise
}

// readAnthropicMessage checks a non-streamed Messages reply and returns it.
func readAnthropicMessage(t testing.TB, raw []byte) anthropicResult {
	t.Helper()
	m := gjson.ParseBytes(raw)
	if m.Get("type").Str != "message" || m.Get("role").Str != "assistant" || !strings.HasPrefix(m.Get("id").Str, "msg_") {
		t.Errorf("not an Anthropic message (type, role, msg_ id): %s", raw)
	}
	res := anthropicResult{ID: m.Get("id").Str, StopReason: m.Get("stop_reason").Str,
		InputTokens: m.Get("usage.input_tokens").Int(), OutputTokens: m.Get("usage.output_tokens").Int(), Final: m.Get("usage")}
	for _, b := range m.Get("content").Array() {
		blk := anthropicBlock{Type: b.Get("type").Str, Text: b.Get("text").Str + b.Get("thinking").Str, ID: b.Get("id").Str, Name: b.Get("name").Str}
		if blk.Type == "tool_use" {
			if !b.Get("input").IsObject() {
				t.Errorf("tool_use input is not an object: %s", b.Raw)
			}
			json.Unmarshal([]byte(b.Get("input").Raw), &blk.Input)
		}
		res.Content = append(res.Content, blk)
	}
	return res
}

// readAnthropicStream checks a Messages event stream against docs/CONVERSION.md, rule 15 and
// returns the message it assembles: message_start first with input tokens,
// blocks opened 0,1,2… one at a time, deltas of the block's type, stopped,
// then message_delta with a stop reason and output tokens, message_stop last.
func readAnthropicStream(t testing.TB, raw []byte) anthropicResult {
	t.Helper()
	var res anthropicResult
	events := parseSSE(t, raw)
	fail := func(i int, format string, a ...any) {
		t.Helper()
		t.Errorf("event %d: %s\nstream:\n%s", i, fmt.Sprintf(format, a...), raw)
	}
	open := -1
	var partial []strings.Builder
	stage := "start"
	for i, ev := range events {
		d := gjson.Parse(ev.Data)
		if !gjson.Valid(ev.Data) || d.Get("type").Str != ev.Name {
			fail(i, "event name %q does not match data %s", ev.Name, ev.Data)
			return res
		}
		switch ev.Name {
		case "ping":
			continue
		case "error":
			fail(i, "stream failed: %s", ev.Data)
			return res
		case "message_start":
			if i != 0 {
				fail(i, "message_start is not first")
			}
			res.ID = d.Get("message.id").Str
			res.InputTokens = d.Get("message.usage.input_tokens").Int()
			if !strings.HasPrefix(res.ID, "msg_") || d.Get("message.role").Str != "assistant" {
				fail(i, "bad message_start %s", ev.Data)
			}
			stage = "blocks"
		case "content_block_start":
			idx := int(d.Get("index").Int())
			if stage != "blocks" || open != -1 || idx != len(res.Content) {
				fail(i, "block %d opened out of order (open %d, %d blocks so far)", idx, open, len(res.Content))
				return res
			}
			cb := d.Get("content_block")
			res.Content = append(res.Content, anthropicBlock{Type: cb.Get("type").Str, Text: cb.Get("text").Str, ID: cb.Get("id").Str, Name: cb.Get("name").Str})
			partial = append(partial, strings.Builder{})
			open = idx
		case "content_block_delta":
			idx := int(d.Get("index").Int())
			if idx != open {
				fail(i, "delta for block %d while %d is open", idx, open)
				return res
			}
			want := map[string]string{"text": "text_delta", "tool_use": "input_json_delta", "thinking": "thinking_delta"}[res.Content[idx].Type]
			dt := d.Get("delta.type").Str
			if dt != want && !(res.Content[idx].Type == "thinking" && dt == "signature_delta") {
				fail(i, "%s in a %s block", dt, res.Content[idx].Type)
			}
			switch dt {
			case "text_delta":
				res.Content[idx].Text += d.Get("delta.text").Str
			case "input_json_delta":
				partial[idx].WriteString(d.Get("delta.partial_json").Str)
			case "thinking_delta":
				res.Content[idx].Text += d.Get("delta.thinking").Str
			}
		case "content_block_stop":
			idx := int(d.Get("index").Int())
			if idx != open {
				fail(i, "stop for block %d while %d is open", idx, open)
				return res
			}
			if res.Content[idx].Type == "tool_use" {
				js := partial[idx].String()
				if js == "" {
					js = "{}"
				}
				if err := json.Unmarshal([]byte(js), &res.Content[idx].Input); err != nil {
					fail(i, "tool input %q does not parse: %v", js, err)
				}
			}
			open = -1
		case "message_delta":
			if stage != "blocks" || open != -1 {
				fail(i, "message_delta before the blocks closed")
			}
			res.StopReason = d.Get("delta.stop_reason").Str
			res.OutputTokens = d.Get("usage.output_tokens").Int()
			res.Final = d.Get("usage")
			stage = "stopped"
		case "message_stop":
			if stage != "stopped" || i != len(events)-1 {
				fail(i, "message_stop out of place")
			}
			stage = "done"
		default:
			fail(i, "unknown event %q", ev.Name)
		}
	}
	if stage != "done" {
		t.Errorf("stream did not end with message_stop:\n%s", raw)
	}
	return res
}

// checkToolTurn asserts the Anthropic reply carries "Let me check." then the
// Bash call with its parsed input, stopped for tool use, with usage.
func checkToolTurn(t testing.TB, res anthropicResult) {
	t.Helper()
	if len(res.Content) != 2 || res.Content[0].Type != "text" || res.Content[1].Type != "tool_use" {
		t.Fatalf("content = %+v, want text then tool_use", res.Content)
	}
	if res.Content[0].Text != "Let me check." {
		t.Errorf("text = %q", res.Content[0].Text)
	}
	tu := res.Content[1]
	if tu.Name != "Bash" || tu.Input["command"] != toolCmd || tu.Input["description"] != "List files" {
		t.Errorf("tool_use = %+v", tu)
	}
	if !strings.HasPrefix(tu.ID, "toolu_") && !strings.HasPrefix(tu.ID, "call_") {
		t.Errorf("tool_use id %q", tu.ID)
	}
	if res.StopReason != "tool_use" {
		t.Errorf("stop_reason = %q, want tool_use", res.StopReason)
	}
	if res.InputTokens <= 0 || res.OutputTokens <= 0 {
		t.Errorf("usage input %d output %d, want both > 0", res.InputTokens, res.OutputTokens)
	}
}

// openAIResult is what an OpenAI client assembles from a stream.
type openAIResult struct {
	Text      string
	ToolCalls []struct{ ID, Name, Args string }
	Finish    string
	Usage     gjson.Result
}

// readOpenAIStream checks a chat.completion.chunk stream against docs/CONVERSION.md, rule 16.
func readOpenAIStream(t testing.TB, raw []byte, wantUsage bool) openAIResult {
	t.Helper()
	var res openAIResult
	events := parseSSE(t, raw)
	if len(events) < 3 || events[len(events)-1].Data != "[DONE]" {
		t.Fatalf("stream does not end with [DONE]:\n%s", raw)
	}
	finished := false
	for i, ev := range events[:len(events)-1] {
		if ev.Name != "" {
			t.Errorf("event %d has a name %q; OpenAI streams have none", i, ev.Name)
		}
		c := gjson.Parse(ev.Data)
		if c.Get("object").Str != "chat.completion.chunk" || !strings.HasPrefix(c.Get("id").Str, "chatcmpl-") {
			t.Errorf("chunk %d is not a chat.completion.chunk: %s", i, ev.Data)
		}
		if i == 0 && c.Get("choices.0.delta.role").Str != "assistant" {
			t.Errorf("first chunk has no role assistant: %s", ev.Data)
		}
		if c.Get("usage").IsObject() && c.Get("usage.prompt_tokens").Exists() {
			if len(c.Get("choices").Array()) != 0 || i != len(events)-2 {
				t.Errorf("usage chunk %d must have choices:[] and come last: %s", i, ev.Data)
			}
			res.Usage = c.Get("usage")
			continue
		}
		if finished {
			t.Errorf("chunk %d after finish_reason is not the usage chunk: %s", i, ev.Data)
		}
		ch := c.Get("choices.0")
		res.Text += ch.Get("delta.content").Str
		for _, tc := range ch.Get("delta.tool_calls").Array() {
			idx := int(tc.Get("index").Int())
			if !tc.Get("index").Exists() {
				t.Errorf("tool call delta without index: %s", tc.Raw)
			}
			if idx == len(res.ToolCalls) {
				id, name := tc.Get("id").Str, tc.Get("function.name").Str
				if id == "" || name == "" || tc.Get("type").Str != "function" {
					t.Errorf("first delta of call %d lacks id, name or type: %s", idx, tc.Raw)
				}
				res.ToolCalls = append(res.ToolCalls, struct{ ID, Name, Args string }{ID: id, Name: name})
			} else if idx > len(res.ToolCalls) {
				t.Fatalf("tool call index %d skips ahead: %s", idx, tc.Raw)
			}
			res.ToolCalls[idx].Args += tc.Get("function.arguments").Str
		}
		if f := ch.Get("finish_reason"); f.Type == gjson.String {
			res.Finish, finished = f.Str, true
		}
	}
	if !finished {
		t.Errorf("no finish_reason chunk:\n%s", raw)
	}
	if wantUsage && !res.Usage.Exists() {
		t.Errorf("no usage chunk:\n%s", raw)
	}
	return res
}

// jsonKeys lists the keys of every object inside v, at any depth.
func jsonKeys(v gjson.Result, into map[string]bool) {
	v.ForEach(func(k, val gjson.Result) bool {
		if k.Type == gjson.String {
			into[k.Str] = true
		}
		if val.IsObject() || val.IsArray() {
			jsonKeys(val, into)
		}
		return true
	})
}

// noLeaks fails if an Anthropic-only header or field reached a converted
// upstream (docs/CONVERSION.md, rule 8).
func noLeaks(t testing.TB, in received) {
	t.Helper()
	for k := range in.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "anthropic-") || strings.HasPrefix(lk, "x-stainless") || lk == "x-api-key" ||
			lk == "x-claude-code-session-id" || lk == "x-app" {
			t.Errorf("client header %s leaked upstream", k)
		}
	}
	for k, vs := range in.Header {
		for _, v := range vs {
			if strings.Contains(v, testAccessKey) {
				t.Errorf("the access key went upstream in %s", k)
			}
		}
	}
	keys := map[string]bool{}
	jsonKeys(gjson.ParseBytes(in.Body), keys)
	for _, k := range []string{"cache_control", "anthropic_beta", "anthropic_version", "input_schema", "budget_tokens"} {
		if keys[k] {
			t.Errorf("field %q leaked into the upstream body", k)
		}
	}
	// Tool schemas may name a property "metadata"; only the top level counts.
	for _, k := range []string{"metadata", "context_management", "output_config", "thinking", "system", "stop_sequences"} {
		if gjson.GetBytes(in.Body, k).Exists() {
			t.Errorf("top-level field %q leaked into the upstream body", k)
		}
	}
	if bytes.Contains(in.Body, []byte("ephemeral")) {
		t.Error("cache_control's ephemeral leaked into the upstream body")
	}
}
