package proxy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/store"
)

// Clients of the other formats on a Responses channel, and the Responses
// endpoint's edges: server state, input_tokens, failures.

// respBash is the Responses upstream's answer to Claude Code, Chat and
// Gemini clients: a thought, "Let me check." and a Bash call.
var respBash = map[string]any{"id": "fc_up9", "type": "function_call", "status": "completed", "call_id": "call_up_bash", "name": "Bash",
	"arguments": `{"command":"ls -la /tmp","description":"List files"}`}

func respBashReply(stream bool) http.HandlerFunc {
	msg := inProgress(respMessage, map[string]any{"content": []any{map[string]any{"type": "output_text", "text": "Let me check.", "annotations": []any{}}}})
	out := []any{respReasoning, msg, respBash}
	if !stream {
		b, _ := json.Marshal(respObject("resp_bash", "completed", out, respUsage))
		return strictResponses(replyJSON(http.StatusOK, string(b)))
	}
	var events []map[string]any
	events = append(events, map[string]any{"type": "response.created", "response": respObject("resp_bash", "in_progress", []any{}, nil)})
	for i, item := range out {
		it := item.(map[string]any)
		empty := map[string]map[string]any{"reasoning": {"summary": []any{}}, "message": {"status": "in_progress", "content": []any{}},
			"function_call": {"status": "in_progress", "arguments": ""}}[it["type"].(string)]
		events = append(events, map[string]any{"type": "response.output_item.added", "output_index": i, "item": inProgress(it, empty)})
		switch it["type"] {
		case "reasoning":
			events = append(events,
				map[string]any{"type": "response.reasoning_summary_part.added", "item_id": it["id"], "output_index": i, "summary_index": 0, "part": map[string]any{"type": "summary_text", "text": ""}},
				map[string]any{"type": "response.reasoning_summary_text.delta", "item_id": it["id"], "output_index": i, "summary_index": 0, "delta": "I should look first."})
		case "message":
			events = append(events, map[string]any{"type": "response.output_text.delta", "item_id": it["id"], "output_index": i, "content_index": 0, "delta": "Let me check."})
		case "function_call":
			args := it["arguments"].(string)
			events = append(events,
				map[string]any{"type": "response.function_call_arguments.delta", "item_id": it["id"], "output_index": i, "delta": args[:12]},
				map[string]any{"type": "response.function_call_arguments.delta", "item_id": it["id"], "output_index": i, "delta": args[12:]})
		}
		events = append(events, map[string]any{"type": "response.output_item.done", "output_index": i, "item": it})
	}
	events = append(events, map[string]any{"type": "response.completed", "response": respObject("resp_bash", "completed", out, respUsage)})
	return strictResponses(replySSESplit(respSSE(events...)))
}

// TestAnthropicClientOnResponsesChannel runs Claude Code's own request
// (adaptive thinking, 24 tools, cache_control, metadata) through a
// Responses channel, then its next turn with the tool result and thinking
// blocks: the one OpenAI's encrypted reasoning rode in, which goes back to
// OpenAI as its reasoning item, and one with the signature an Anthropic
// upstream gave earlier, which must not reach OpenAI.
func TestAnthropicClientOnResponsesChannel(t *testing.T) {
	t.Parallel()
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{true: "streamed", false: "not streamed"}[stream], func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, replySequence(respBashReply(stream), textReply("openai-responses", stream)))
			te := newTestEngine(t)
			te.addChannel(t, store.Channel{Name: "oai-resp", Type: "openai-responses", BaseURL: up.URL + "/v1",
				ModelMap: map[string]string{"claude-opus-4-8": "gpt-5-codex"}})
			body, hdr := claudeCodeRequest(t, stream)
			raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", body, hdr))
			var r1 anthropicResult
			signature := gjson.GetBytes(raw, "content.0.signature").Str
			if stream {
				r1 = readAnthropicStream(t, raw)
				for _, ev := range parseSSE(t, raw) {
					signature += gjson.Get(ev.Data, "delta.signature").Str
				}
			} else {
				r1 = readAnthropicMessage(t, raw)
			}
			if signature != "routex:reasoning:rs_up1:gAAAAABoUpstreamReasoning==" {
				t.Errorf("thinking signature %q, want OpenAI's encrypted reasoning with its item's id, marked", signature)
			}
			if len(r1.Content) != 3 || r1.Content[0].Type != "thinking" || r1.Content[0].Text != "I should look first." {
				t.Fatalf("content %+v, want thinking, text, tool_use", r1.Content)
			}
			checkToolTurn(t, anthropicResult{Content: r1.Content[1:], StopReason: r1.StopReason, InputTokens: r1.InputTokens, OutputTokens: r1.OutputTokens})
			if r1.Final.Get("input_tokens").Int() != 900 || r1.Final.Get("cache_read_input_tokens").Int() != 100 || r1.OutputTokens != 60 {
				t.Errorf("usage %s, want 900 fresh + 100 cached in, 60 out", r1.Final.Raw)
			}

			in := up.requests()[0]
			b := gjson.ParseBytes(in.Body)
			if in.Path != "/v1/responses" || b.Get("model").Str != "gpt-5-codex" || !strings.Contains(b.Get("instructions").Str, "Claude") {
				t.Errorf("upstream %s, body %.400s", in.Path, in.Body)
			}
			if b.Get("store").Bool() || b.Get("include.0").Str != "reasoning.encrypted_content" {
				t.Errorf("store %s include %s: Claude Code keeps no response ids, so its reasoning must come back encrypted", b.Get("store").Raw, b.Get("include").Raw)
			}
			if b.Get("reasoning.effort").Str != "high" || b.Get("stream").Bool() != stream {
				t.Errorf("reasoning %s stream %v: Claude Code's adaptive thinking at effort high", b.Get("reasoning").Raw, b.Get("stream").Bool())
			}
			tools := b.Get("tools").Array()
			if len(tools) != 24 {
				t.Errorf("%d tools upstream, want 24", len(tools))
			}
			for _, tool := range tools {
				if tool.Get("type").Str != "function" || tool.Get("strict").Bool() || !tool.Get("parameters").IsObject() {
					t.Errorf("tool is not {type:function, strict:false, parameters}: %.200s", tool.Raw)
				}
			}
			noLeaks(t, in)

			// Turn 2: the tool result, with the thinking Claude Code got
			// back and an older one signed by Anthropic.
			var err error
			body, err = sjson.SetBytes(body, "messages.-1", map[string]any{"role": "assistant", "content": []any{
				map[string]any{"type": "thinking", "thinking": "Earlier thought.", "signature": "EqQBAnthropicSignature"},
				map[string]any{"type": "text", "text": "Hello."}}})
			if err == nil {
				body, err = sjson.SetBytes(body, "messages.-1", map[string]any{"role": "user", "content": "list /tmp"})
			}
			if err == nil {
				body, err = sjson.SetBytes(body, "messages.-1", map[string]any{"role": "assistant", "content": []any{
					map[string]any{"type": "thinking", "thinking": r1.Content[0].Text, "signature": signature},
					map[string]any{"type": "text", "text": r1.Content[1].Text},
					map[string]any{"type": "tool_use", "id": r1.Content[2].ID, "name": r1.Content[2].Name, "input": r1.Content[2].Input}}})
			}
			if err == nil {
				body, err = sjson.SetBytes(body, "messages.-1", map[string]any{"role": "user", "content": []any{
					map[string]any{"type": "tool_result", "tool_use_id": r1.Content[2].ID, "content": "total 0"}}})
			}
			if err != nil {
				t.Fatal(err)
			}
			readOK(t, te.postAs(t, "anthropic", "/v1/messages", body, hdr))
			in2 := up.requests()[1]
			if strings.Contains(string(in2.Body), "EqQBAnthropicSignature") || strings.Contains(string(in2.Body), "signature") {
				t.Errorf("an Anthropic signature reached the Responses upstream: %s", in2.Body)
			}
			items := gjson.GetBytes(in2.Body, "input").Array()
			reasoning := items[len(items)-4] // reasoning, text, call, output
			if reasoning.Get("type").Str != "reasoning" || reasoning.Get("encrypted_content").Str != "gAAAAABoUpstreamReasoning==" ||
				reasoning.Get("summary.0.text").Str != "I should look first." || reasoning.Get("id").Str != "rs_up1" {
				t.Errorf("turn 2 hands back %s, want OpenAI's reasoning item with the id its content is bound to", reasoning.Raw)
			}
			last2 := items[len(items)-2:]
			if last2[0].Get("type").Str != "function_call" || last2[0].Get("call_id").Str != r1.Content[2].ID ||
				last2[1].Get("type").Str != "function_call_output" || last2[1].Get("output").Str != "total 0" {
				t.Errorf("turn 2 ends with %v, want the call and its output, paired", last2)
			}
		})
	}
}

// TestChatAndGeminiClientsOnResponsesChannel: a Chat Completions client and
// a Gemini client get the Responses channel's tool call in their own
// format, streamed and not, and their tool results go back paired. Neither
// format has a place for OpenAI's encrypted reasoning, so none goes back,
// rather than a reasoning item cut from the id its content is bound to.
func TestChatAndGeminiClientsOnResponsesChannel(t *testing.T) {
	t.Parallel()
	const chatReq = `{"model":"gpt-5-codex","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"List /tmp"}],` +
		`"tools":[{"type":"function","function":{"name":"Bash","parameters":{"type":"object","properties":{"command":{"type":"string"}}}}}]}`
	const geminiReq = `{"systemInstruction":{"parts":[{"text":"You are terse."}]},"contents":[{"role":"user","parts":[{"text":"List /tmp"}]}],` +
		`"tools":[{"functionDeclarations":[{"name":"Bash","parameters":{"type":"object","properties":{"command":{"type":"string"}}}}]}]}`
	for _, stream := range []bool{false, true} {
		mode := map[bool]string{true: "streamed", false: "not streamed"}[stream]
		t.Run("chat completions, "+mode, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, replySequence(respBashReply(stream), textReply("openai-responses", stream)))
			te := newTestEngine(t)
			te.addChannel(t, store.Channel{Name: "oai-resp", Type: "openai-responses", BaseURL: up.URL + "/v1"})
			req, _ := sjson.SetBytes([]byte(chatReq), "stream", stream)
			raw := readOK(t, te.post(t, "/v1/chat/completions", req))
			var id, args, text string
			if stream {
				r := readOpenAIStream(t, raw, false)
				if len(r.ToolCalls) != 1 {
					t.Fatalf("tool calls %+v", r.ToolCalls)
				}
				id, args, text = r.ToolCalls[0].ID, r.ToolCalls[0].Args, r.Text
			} else {
				m := gjson.ParseBytes(raw).Get("choices.0.message")
				id, args, text = m.Get("tool_calls.0.id").Str, m.Get("tool_calls.0.function.arguments").Str, m.Get("content").Str
			}
			if text != "Let me check." || gjson.Get(args, "command").Str != toolCmd || id == "" {
				t.Fatalf("text %q, call %s %s", text, id, args)
			}
			req, _ = sjson.SetBytes(req, "messages.-1", map[string]any{"role": "assistant", "content": text,
				"tool_calls": []any{map[string]any{"id": id, "type": "function", "function": map[string]any{"name": "Bash", "arguments": args}}}})
			req, _ = sjson.SetBytes(req, "messages.-1", map[string]any{"role": "tool", "tool_call_id": id, "content": "total 0"})
			readOK(t, te.post(t, "/v1/chat/completions", req))
			items := gjson.GetBytes(up.requests()[1].Body, "input").Array()
			if n := len(items); n < 2 || items[n-2].Get("call_id").Str != id || items[n-1].Get("call_id").Str != id || items[n-1].Get("output").Str != "total 0" {
				t.Errorf("turn 2 input %s", gjson.GetBytes(up.requests()[1].Body, "input").Raw)
			}
			if r := reasoningItems(up.requests()[1].Body); len(r) != 0 {
				t.Errorf("turn 2 hands back reasoning %s, which a Chat client never had", r)
			}
		})
		t.Run("gemini, "+mode, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, replySequence(respBashReply(stream), textReply("openai-responses", false)))
			te := newTestEngine(t)
			te.addChannel(t, store.Channel{Name: "oai-resp", Type: "openai-responses", BaseURL: up.URL + "/v1",
				ModelMap: map[string]string{"gemini-2.5-pro": "gpt-5-codex"}})
			path := "/v1beta/models/gemini-2.5-pro:generateContent"
			if stream {
				path = "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse"
			}
			raw := readOK(t, te.postAs(t, "gemini", path, []byte(geminiReq), nil))
			var call gjson.Result
			chunks := []gjson.Result{gjson.ParseBytes(raw)}
			if stream {
				chunks = nil
				for _, ev := range parseSSE(t, raw) {
					chunks = append(chunks, gjson.Parse(ev.Data))
				}
			}
			for _, c := range chunks {
				for _, p := range c.Get("candidates.0.content.parts").Array() {
					if p.Get("functionCall").Exists() {
						call = p.Get("functionCall")
					}
				}
			}
			if call.Get("name").Str != "Bash" || call.Get("args.command").Str != toolCmd {
				t.Fatalf("functionCall %s in %s", call.Raw, raw)
			}
			req, _ := sjson.SetRawBytes([]byte(geminiReq), "contents.-1", []byte(`{"role":"model","parts":[{"functionCall":`+call.Raw+`}]}`))
			req, _ = sjson.SetBytes(req, "contents.-1", map[string]any{"role": "user", "parts": []any{map[string]any{"functionResponse": map[string]any{
				"id": call.Get("id").Str, "name": "Bash", "response": map[string]any{"output": "total 0"}}}}})
			readOK(t, te.postAs(t, "gemini", "/v1beta/models/gemini-2.5-pro:generateContent", req, nil))
			items := gjson.GetBytes(up.requests()[1].Body, "input").Array()
			if n := len(items); n < 2 || items[n-2].Get("type").Str != "function_call" || items[n-1].Get("type").Str != "function_call_output" ||
				items[n-2].Get("call_id").Str != items[n-1].Get("call_id").Str || !strings.Contains(items[n-1].Get("output").Str, "total 0") {
				t.Errorf("turn 2 input %s", gjson.GetBytes(up.requests()[1].Body, "input").Raw)
			}
			if r := reasoningItems(up.requests()[1].Body); len(r) != 0 {
				t.Errorf("turn 2 hands back reasoning %s, which a Gemini client never had", r)
			}
		})
	}
}

// TestResponsesServerState: previous_response_id continues a stored
// response only where one is stored. A Responses channel gets it as sent;
// any other channel answers a clear 400 in the Responses error format.
func TestResponsesServerState(t *testing.T) {
	t.Parallel()
	const req = `{"model":"gpt-5-codex","previous_response_id":"resp_prev1","input":[{"role":"user","content":"and then?"}]}`
	t.Run("a Responses channel gets previous_response_id as sent", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, textReply("openai-responses", false))
		te := newTestEngine(t)
		te.addChannel(t, channelFor("openai-responses", up.URL))
		readOK(t, te.post(t, "/v1/responses", []byte(req)))
		if gjson.GetBytes(up.only(t).Body, "previous_response_id").Str != "resp_prev1" {
			t.Errorf("upstream body %s", up.only(t).Body)
		}
	})
	t.Run("an Anthropic channel cannot continue it: 400, and nothing goes upstream", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, textReply("anthropic", false))
		te := newTestEngine(t)
		te.addChannel(t, channelFor("anthropic", up.URL))
		resp := te.post(t, "/v1/responses", []byte(req))
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", resp.StatusCode)
		}
		env := readError(t, resp, "openai")
		if !strings.Contains(env.Error.Message, "previous_response_id") || !strings.Contains(env.Error.Message, "openai-responses") ||
			env.Error.Type != "invalid_request_error" {
			t.Errorf("error %+v", env.Error)
		}
		if n := len(up.requests()); n != 0 {
			t.Errorf("upstream got %d requests", n)
		}
	})
}

// TestResponsesInputTokens: POST /v1/responses/input_tokens goes to a
// Responses channel's own endpoint, and is counted locally for the others.
func TestResponsesInputTokens(t *testing.T) {
	t.Parallel()
	body := []byte(`{"model":"gpt-5-codex","instructions":"You are Codex.","input":"How many tokens is this sentence, roughly?"}`)
	t.Run("a Responses channel counts", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, strictResponses(replyJSON(http.StatusOK, `{"object":"response.input_tokens","input_tokens":17}`)))
		te := newTestEngine(t)
		te.addChannel(t, channelFor("openai-responses", up.URL))
		raw := readOK(t, te.post(t, "/v1/responses/input_tokens", body))
		if gjson.GetBytes(raw, "input_tokens").Int() != 17 || up.only(t).Path != "/v1/responses/input_tokens" {
			t.Errorf("reply %s, upstream %s", raw, up.only(t).Path)
		}
	})
	t.Run("another channel: Routex counts, in the Responses shape", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, textReply("gemini", false))
		te := newTestEngine(t)
		te.addChannel(t, channelFor("gemini", up.URL))
		raw := readOK(t, te.post(t, "/v1/responses/input_tokens", []byte(`{"instructions":"You are Codex.","tools":[{"type":"function","name":"f","parameters":{}}]}`)))
		if gjson.GetBytes(raw, "object").Str != "response.input_tokens" || gjson.GetBytes(raw, "input_tokens").Int() <= 0 {
			t.Errorf("reply %s", raw)
		}
		if n := len(up.requests()); n != 0 {
			t.Errorf("upstream got %d requests", n)
		}
	})
	t.Run("a blank model is refused", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, textReply("gemini", false))
		te := newTestEngine(t)
		te.addChannel(t, channelFor("gemini", up.URL))
		resp := te.post(t, "/v1/responses/input_tokens", []byte(`{"model":"  ","input":"hi"}`))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
		if msg := readError(t, resp, "openai").Error.Message; !strings.Contains(msg, `"model" must not be blank`) {
			t.Errorf("message %q, want it to say the model is blank", msg)
		}
		if n := len(up.requests()); n != 0 {
			t.Errorf("upstream got %d requests", n)
		}
	})
}

// TestResponsesStreamFailures: an upstream failing mid-stream reaches a
// Responses client as response.failed then an error event when converted,
// and as an error event when relayed.
func TestResponsesStreamFailures(t *testing.T) {
	t.Parallel()
	t.Run("converted: an Anthropic error event", func(t *testing.T) {
		t.Parallel()
		events := append(append([]string{}, anthropicEvents[:4]...),
			"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
		up := newUpstream(t, replySSE(events))
		te := newTestEngine(t)
		te.addChannel(t, channelFor("anthropic", up.URL))
		raw := readOK(t, te.post(t, "/v1/responses", codexRequest(true)))
		evs := parseSSE(t, raw)
		n := len(evs)
		if n < 2 || evs[n-2].Name != "response.failed" || evs[n-1].Name != "error" || !strings.Contains(evs[n-1].Data, "Overloaded") ||
			gjson.Get(evs[n-2].Data, "response.status").Str != "failed" {
			t.Errorf("stream ends %+v", evs[max(n-2, 0):])
		}
	})
	t.Run("relayed: a Responses upstream that is cut", func(t *testing.T) {
		t.Parallel()
		events := respTextEvents("All done.")
		up := newUpstream(t, strictResponses(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte(events[0] + events[1][:40]))
			http.NewResponseController(w).Flush()
			panic(http.ErrAbortHandler)
		}))
		te := newTestEngine(t)
		te.addChannel(t, channelFor("openai-responses", up.URL))
		raw := readOK(t, te.post(t, "/v1/responses", codexRequest(true)))
		if !strings.HasSuffix(string(raw), "\n\n") || !strings.Contains(string(raw), "\n\nevent: error\ndata: {\"type\":\"error\"") {
			t.Errorf("stream does not end with an error event:\n%s", raw)
		}
	})
}
