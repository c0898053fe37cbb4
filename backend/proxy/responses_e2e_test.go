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

// codexRequest is a first turn as Codex sends it: instructions, a developer
// and a user message, its shell function tool, its free-text apply_patch
// tool with a grammar, web search, reasoning with a summary, store off
// with encrypted reasoning asked for, and its conversation as
// prompt_cache_key.
func codexRequest(stream bool) []byte {
	return []byte(`{"model":"gpt-5-codex","instructions":"You are Codex, a coding agent.",` +
		`"input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"<permissions>Approval policy: on-request</permissions>"}]},` +
		`{"type":"message","role":"user","content":[{"type":"input_text","text":"Run the tests and add b.txt"}]}],` +
		`"tools":[{"type":"function","name":"shell","description":"Runs a shell command.","strict":false,"parameters":{"type":"object",` +
		`"properties":{"command":{"type":"array","items":{"type":"string"}},"workdir":{"type":"string"}},"required":["command"],"additionalProperties":false}},` +
		`{"type":"custom","name":"apply_patch","description":"Edit files with a patch. This is a FREEFORM tool.",` +
		`"format":{"type":"grammar","syntax":"lark","definition":"start: begin_patch hunk+ end_patch"}},{"type":"web_search"}],` +
		`"tool_choice":"auto","parallel_tool_calls":false,"reasoning":{"effort":"medium","summary":"auto"},"store":false,` +
		`"stream":` + map[bool]string{true: "true", false: "false"}[stream] + `,"include":["reasoning.encrypted_content"],` +
		`"prompt_cache_key":"conv-e2e-1","text":{"verbosity":"low"}}`)
}

// codexHeaders are headers Codex sends that mean nothing to other providers.
var codexHeaders = map[string]string{"Originator": "codex_cli_rs", "Session_id": "conv-e2e-1", "OpenAI-Beta": "responses=experimental",
	"User-Agent": "codex_cli_rs/0.169.0"}

// nextCodexTurn appends turn 1's output items as Codex sends them back (no
// ids, no status on messages, encrypted_content null when absent) and the
// tools' outputs.
func nextCodexTurn(t testing.TB, req []byte, r respResult) []byte {
	t.Helper()
	var items []any
	var shell, patch string
	for _, it := range r.Items {
		switch it.Type {
		case "reasoning":
			var enc any
			if it.Encrypted != "" {
				enc = it.Encrypted
			}
			items = append(items, map[string]any{"type": "reasoning", "summary": []any{map[string]any{"type": "summary_text", "text": it.Summary}}, "encrypted_content": enc})
		case "message":
			items = append(items, map[string]any{"type": "message", "role": "assistant", "content": []any{map[string]any{"type": "output_text", "text": it.Text}}})
		case "function_call":
			shell = it.CallID
			items = append(items, map[string]any{"type": "function_call", "name": it.Name, "arguments": it.Arguments, "call_id": it.CallID})
		case "custom_tool_call":
			patch = it.CallID
			items = append(items, map[string]any{"type": "custom_tool_call", "status": "completed", "call_id": it.CallID, "name": it.Name, "input": it.Input})
		}
	}
	items = append(items,
		map[string]any{"type": "function_call_output", "call_id": shell, "output": "ok  \texample.com/x\t0.01s"},
		map[string]any{"type": "custom_tool_call_output", "call_id": patch, "output": "Success. Updated the following files:\nA b.txt\n"})
	for _, it := range items {
		var err error
		if req, err = sjson.SetBytes(req, "input.-1", it); err != nil {
			t.Fatal(err)
		}
	}
	return req
}

// Every other format's mock answers with the same tool turn as the
// Responses mock: a thought, text, the shell call and apply_patch with its
// text in the {"input": …} object it gets as a JSON tool.
var (
	patchArgs, _        = json.Marshal(map[string]string{"input": patchText})
	anthropicCodexReply = `{"id":"msg_01Codex","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[` +
		`{"type":"thinking","thinking":"I should look first.","signature":"EqQBCgIYAhIMsigCodex"},{"type":"text","text":"Running the tests."},` +
		`{"type":"tool_use","id":"toolu_01Sh","name":"shell","input":{"command":["go","test","./..."]}},` +
		`{"type":"tool_use","id":"toolu_01Pa","name":"apply_patch","input":` + string(patchArgs) + `}],` +
		`"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":900,"cache_read_input_tokens":100,"cache_creation_input_tokens":0,"output_tokens":60}}`
	openAICodexReply = `{"id":"chatcmpl-Cx","object":"chat.completion","created":1764000000,"model":"gpt-4.1","choices":[{"index":0,"message":{` +
		`"role":"assistant","content":"Running the tests.","reasoning_content":"I should look first.","tool_calls":[` +
		`{"id":"call_Sh","type":"function","function":{"name":"shell","arguments":"{\"command\":[\"go\",\"test\",\"./...\"]}"}},` +
		`{"id":"call_Pa","type":"function","function":{"name":"apply_patch","arguments":` + jsonString(string(patchArgs)) + `}}]},` +
		`"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1000,"completion_tokens":60,"total_tokens":1060,"prompt_tokens_details":{"cached_tokens":100}}}`
	geminiCodexReply = `{"candidates":[{"content":{"role":"model","parts":[{"text":"I should look first.","thought":true},{"text":"Running the tests."},` +
		`{"functionCall":{"name":"shell","args":{"command":["go","test","./..."]}}},{"functionCall":{"name":"apply_patch","args":` + string(patchArgs) + `}}]},` +
		`"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":1000,"cachedContentTokenCount":100,"candidatesTokenCount":40,` +
		`"thoughtsTokenCount":20,"totalTokenCount":1060},"modelVersion":"gemini-2.5-pro","responseId":"gem-1"}`
)

const geminiText = `{"candidates":[{"content":{"role":"model","parts":[{"text":"All done."}]},"finishReason":"STOP","index":0}],` +
	`"usageMetadata":{"promptTokenCount":1200,"candidatesTokenCount":3,"totalTokenCount":1203},"modelVersion":"gemini-2.5-pro"}`

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

// anthropicCodexEvents streams anthropicCodexReply, the patch's JSON cut
// inside an escape sequence.
func anthropicCodexEvents() []string {
	ev := func(name, data string) string { return "event: " + name + "\ndata: " + data + "\n\n" }
	delta := func(i int, d string) string {
		return ev("content_block_delta", `{"type":"content_block_delta","index":`+string(rune('0'+i))+`,"delta":`+d+`}`)
	}
	args := string(patchArgs)
	cut := strings.Index(args, `\"`) + 1
	return []string{
		ev("message_start", `{"type":"message_start","message":{"id":"msg_01CodexS","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":900,"cache_read_input_tokens":100,"cache_creation_input_tokens":0,"output_tokens":1}}}`),
		ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}`),
		delta(0, `{"type":"thinking_delta","thinking":"I should look first."}`),
		delta(0, `{"type":"signature_delta","signature":"EqQBCgIYAhIMsigCodex"}`),
		ev("content_block_stop", `{"type":"content_block_stop","index":0}`),
		ev("content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}`),
		delta(1, `{"type":"text_delta","text":"Running the tests."}`),
		ev("content_block_stop", `{"type":"content_block_stop","index":1}`),
		ev("content_block_start", `{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01Sh","name":"shell","input":{}}}`),
		delta(2, `{"type":"input_json_delta","partial_json":"{\"command\": [\"go\", \"test\", \"./...\"]}"}`),
		ev("content_block_stop", `{"type":"content_block_stop","index":2}`),
		ev("content_block_start", `{"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_01Pa","name":"apply_patch","input":{}}}`),
		delta(3, `{"type":"input_json_delta","partial_json":`+jsonString(args[:cut])+`}`),
		delta(3, `{"type":"input_json_delta","partial_json":`+jsonString(args[cut:])+`}`),
		ev("content_block_stop", `{"type":"content_block_stop","index":3}`),
		ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":60}}`),
		ev("message_stop", `{"type":"message_stop"}`),
	}
}

func openAICodexEvents() []string {
	return []string{
		oaChunk(`{"role":"assistant","content":""}`, ""),
		oaChunk(`{"reasoning_content":"I should look first."}`, ""),
		oaChunk(`{"content":"Running the tests."}`, ""),
		oaChunk(`{"tool_calls":[{"index":0,"id":"call_Sh","type":"function","function":{"name":"shell","arguments":"{\"command\":[\"go\","}}]}`, ""),
		oaChunk(`{"tool_calls":[{"index":0,"function":{"arguments":"\"test\",\"./...\"]}"}}]}`, ""),
		oaChunk(`{"tool_calls":[{"index":1,"id":"call_Pa","type":"function","function":{"name":"apply_patch","arguments":""}}]}`, ""),
		oaChunk(`{"tool_calls":[{"index":1,"function":{"arguments":`+jsonString(string(patchArgs[:25]))+`}}]}`, ""),
		oaChunk(`{"tool_calls":[{"index":1,"function":{"arguments":`+jsonString(string(patchArgs[25:]))+`}}]}`, ""),
		oaChunk(`{}`, `"tool_calls"`),
		`data: {"id":"chatcmpl-CV2","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4.1","choices":[],` +
			`"usage":{"prompt_tokens":1000,"completion_tokens":60,"total_tokens":1060,"prompt_tokens_details":{"cached_tokens":100}}}` + "\n\n",
		"data: [DONE]\n\n",
	}
}

// replyFor answers the Codex tool turn in the channel's own format.
func codexToolReply(channelType string, stream bool) http.HandlerFunc {
	switch channelType {
	case "anthropic":
		if stream {
			return replySSESplit(anthropicCodexEvents())
		}
		return replyJSON(http.StatusOK, anthropicCodexReply)
	case "openai":
		if stream {
			return replySSESplit(openAICodexEvents())
		}
		return replyJSON(http.StatusOK, openAICodexReply)
	case "gemini":
		if stream {
			return replySSESplit([]string{"data: " + geminiCodexReply + "\r\n\r\n"})
		}
		return replyJSON(http.StatusOK, geminiCodexReply)
	}
	if stream {
		return strictResponses(replySSESplit(respToolEvents()))
	}
	return strictResponses(replyJSON(http.StatusOK, respToolJSON()))
}

// textReply answers "All done." in the channel's format.
func textReply(channelType string, stream bool) http.HandlerFunc {
	switch channelType {
	case "anthropic":
		if stream {
			return replySSE(anthropicEvents)
		}
		return replyJSON(http.StatusOK, anthropicMessage)
	case "openai":
		if stream {
			return replySSE(openAITextStream("All done.", true))
		}
		return replyJSON(http.StatusOK, openAICompletion)
	case "gemini":
		if stream {
			return replySSE([]string{"data: " + geminiText + "\r\n\r\n"})
		}
		return replyJSON(http.StatusOK, geminiText)
	}
	if stream {
		return strictResponses(replySSE(respTextEvents("All done.")))
	}
	return strictResponses(replyJSON(http.StatusOK, respTextJSON("All done.")))
}

func channelFor(typ, base string) store.Channel {
	models := map[string]string{"anthropic": "claude-sonnet-4-5", "openai": "gpt-4.1", "gemini": "gemini-2.5-pro", "openai-responses": "gpt-5-codex"}
	if typ == "openai" || typ == "openai-responses" {
		base += "/v1"
	}
	return store.Channel{Name: "up-" + typ, Type: typ, BaseURL: base, ModelMap: map[string]string{"gpt-5-codex": models[typ]}}
}

// TestCodexOnEveryChannel runs a Codex tool loop (a tool turn, then the
// tools' outputs sent back) through every channel type, streamed and not:
// Codex gets its calls back (apply_patch as free text), and each upstream
// gets a request in its own format with the calls and outputs paired.
func TestCodexOnEveryChannel(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{"anthropic", "openai", "gemini", "openai-responses"} {
		for _, stream := range []bool{false, true} {
			name := typ + map[bool]string{true: ", streamed", false: ", not streamed"}[stream]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				up := newUpstream(t, replySequence(codexToolReply(typ, stream), textReply(typ, stream)))
				te := newTestEngine(t)
				te.addChannel(t, channelFor(typ, up.URL))

				req := codexRequest(stream)
				raw := readOK(t, te.postAs(t, "openai", "/v1/responses", req, codexHeaders))
				read := readResponses
				if stream {
					read = readResponsesStream
				}
				r1 := read(t, raw)
				checkRespToolTurn(t, r1)

				req2 := nextCodexTurn(t, req, r1)
				r2 := read(t, readOK(t, te.postAs(t, "openai", "/v1/responses", req2, codexHeaders)))
				if len(r2.Items) == 0 || r2.Items[len(r2.Items)-1].Type != "message" || r2.Items[len(r2.Items)-1].Text == "" {
					t.Errorf("turn 2 = %+v, want a text answer", r2)
				}

				got := up.requests()
				if len(got) != 2 {
					t.Fatalf("upstream got %d requests, want 2", len(got))
				}
				checkCodexUpstream(t, typ, stream, got, req, req2, r1)
			})
		}
	}
}

// checkCodexUpstream checks what each upstream got for the two turns.
func checkCodexUpstream(t *testing.T, typ string, stream bool, got []received, req1, req2 []byte, r1 respResult) {
	t.Helper()
	b1, b2 := gjson.ParseBytes(got[0].Body), gjson.ParseBytes(got[1].Body)
	if typ == "openai-responses" {
		// Passthrough: the client's bytes with only the model changed, its
		// headers kept, the key swapped.
		for i, want := range [][]byte{req1, req2} {
			want, _ = sjson.SetBytes(want, "model", "gpt-5-codex")
			if string(got[i].Body) != string(want) {
				t.Errorf("turn %d upstream body differs from the client's:\n%s\nwant\n%s", i+1, got[i].Body, want)
			}
		}
		if got[0].Path != "/v1/responses" || got[0].Header.Get("Originator") != "codex_cli_rs" || got[0].Header.Get("Authorization") != "Bearer "+testChannelKey {
			t.Errorf("upstream path %s, headers %v", got[0].Path, got[0].Header)
		}
		return
	}
	for i, in := range got {
		for _, k := range []string{"input", "instructions", "prompt_cache_key", "include", "store", "reasoning", "text"} {
			if gjson.GetBytes(in.Body, k).Exists() {
				t.Errorf("turn %d: Responses field %q leaked to the %s upstream", i+1, k, typ)
			}
		}
		for _, h := range []string{"Originator", "Session_id", "Openai-Beta"} {
			if in.Header.Get(h) != "" {
				t.Errorf("turn %d: header %s leaked to the %s upstream", i+1, h, typ)
			}
		}
		if strings.Contains(string(in.Body), "routex:") {
			t.Errorf("turn %d: a Routex marker reached the upstream: %s", i+1, in.Body)
		}
	}
	shellID, patchID := r1.Items[2].CallID, r1.Items[3].CallID
	switch typ {
	case "anthropic":
		if !strings.Contains(b1.Get("system").String(), "You are Codex") || !strings.Contains(b1.Get("system").String(), "on-request") {
			t.Errorf("system %s, want the instructions and the developer message", b1.Get("system").Raw)
		}
		tools := b1.Get("tools").Array()
		if len(tools) != 3 || tools[1].Get("name").Str != "apply_patch" || tools[1].Get("input_schema.properties.input.type").Str != "string" ||
			!strings.Contains(tools[1].Get("input_schema.properties.input.description").Str, "begin_patch") || tools[2].Get("type").Str != "web_search_20250305" {
			t.Errorf("tools %s, want shell, apply_patch as {input: string} with its grammar, web search", b1.Get("tools").Raw)
		}
		if b1.Get("thinking.type").Str != "enabled" || !b1.Get("tool_choice.disable_parallel_tool_use").Bool() {
			t.Errorf("thinking %s tool_choice %s", b1.Get("thinking").Raw, b1.Get("tool_choice").Raw)
		}
		msgs := b2.Get("messages").Array()
		if len(msgs) != 3 {
			t.Fatalf("turn 2 messages %s", b2.Get("messages").Raw)
		}
		a, u := msgs[1].Get("content").Array(), msgs[2].Get("content").Array()
		if len(a) != 4 || a[0].Get("type").Str != "thinking" || a[0].Get("signature").Str != "EqQBCgIYAhIMsigCodex" ||
			a[2].Get("id").Str != shellID || a[3].Get("id").Str != patchID || a[3].Get("input.input").Str != patchText {
			t.Errorf("turn 2 assistant %s: want the signed thinking back, the text, both calls with their ids", msgs[1].Raw)
		}
		if len(u) != 2 || u[0].Get("tool_use_id").Str != shellID || u[1].Get("tool_use_id").Str != patchID {
			t.Errorf("turn 2 results %s", msgs[2].Raw)
		}
		if b2.Get("thinking.type").Str != "enabled" {
			t.Errorf("turn 2 thinking %s: the signed thinking came back, so thinking stays on", b2.Get("thinking").Raw)
		}
	case "openai":
		if b1.Get("messages.0.role").Str != "system" || len(b1.Get("tools").Array()) != 2 || b1.Get("parallel_tool_calls").Bool() ||
			b1.Get("tools.1.function.parameters.properties.input.type").Str != "string" {
			t.Errorf("turn 1 body %s", got[0].Body)
		}
		var calls, outs []gjson.Result
		for _, m := range b2.Get("messages").Array() {
			calls = append(calls, m.Get("tool_calls").Array()...)
			if m.Get("role").Str == "tool" {
				outs = append(outs, m)
			}
		}
		if len(calls) != 2 || len(outs) != 2 || calls[0].Get("id").Str != shellID || outs[0].Get("tool_call_id").Str != shellID ||
			calls[1].Get("id").Str != patchID || outs[1].Get("tool_call_id").Str != patchID ||
			gjson.Get(calls[1].Get("function.arguments").Str, "input").Str != patchText {
			t.Errorf("turn 2 messages %s", b2.Get("messages").Raw)
		}
	case "gemini":
		if len(b1.Get("tools.0.functionDeclarations").Array()) != 2 || b1.Get("systemInstruction.parts.0.text").Str == "" {
			t.Errorf("turn 1 body %s", got[0].Body)
		}
		contents := b2.Get("contents").Array()
		last, model := contents[len(contents)-1], contents[len(contents)-2]
		calls, resps := model.Get("parts.#.functionCall").Array(), last.Get("parts.#.functionResponse").Array()
		if len(calls) != 2 || len(resps) != 2 || calls[1].Get("args.input").Str != patchText ||
			resps[0].Get("name").Str != "shell" || resps[1].Get("name").Str != "apply_patch" {
			t.Errorf("turn 2 contents %s", b2.Get("contents").Raw)
		}
	}
	if stream != b1.Get("stream").Bool() && typ != "gemini" {
		t.Errorf("upstream stream %v", b1.Get("stream").Bool())
	}
}

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
			if signature != "routex:encrypted:gAAAAABoUpstreamReasoning==" {
				t.Errorf("thinking signature %q, want OpenAI's encrypted reasoning, marked", signature)
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
				reasoning.Get("summary.0.text").Str != "I should look first." || reasoning.Get("id").Exists() {
				t.Errorf("turn 2 hands back %s, want OpenAI's reasoning item, without id (store is off)", reasoning.Raw)
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
// format, streamed and not, and their tool results go back paired.
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

// TestCarriedSignatureNeverReachesOpenAI: a Codex conversation that began
// on an Anthropic channel hands back the signature Routex carried in
// encrypted_content. When it moves to a Responses channel, the request is
// re-encoded without it, instead of passing through to an OpenAI that would
// refuse content it did not encrypt.
func TestCarriedSignatureNeverReachesOpenAI(t *testing.T) {
	t.Parallel()
	claude := newUpstream(t, replyJSON(http.StatusOK, anthropicCodexReply))
	oai := newUpstream(t, textReply("openai-responses", false))
	te := newTestEngine(t)
	te.addChannel(t, channelFor("anthropic", claude.URL))
	req := codexRequest(false)
	r1 := readResponses(t, readOK(t, te.postAs(t, "openai", "/v1/responses", req, codexHeaders)))
	if !strings.HasPrefix(r1.Items[0].Encrypted, "routex:signature:") {
		t.Fatalf("reasoning %+v, want the Anthropic signature carried", r1.Items[0])
	}

	resp := channelFor("openai-responses", oai.URL)
	resp.Priority = 0
	te.addChannel(t, resp)
	te.setActive(t, resp.Name)
	req2 := nextCodexTurn(t, req, r1)
	r2 := readResponses(t, readOK(t, te.postAs(t, "openai", "/v1/responses", req2, codexHeaders)))
	if len(r2.Items) == 0 || r2.Items[0].Text != "All done." {
		t.Fatalf("turn 2 = %+v", r2)
	}
	in := oai.only(t)
	if strings.Contains(string(in.Body), "routex:") || strings.Contains(string(in.Body), "EqQB") {
		t.Errorf("carried reasoning reached the Responses upstream: %s", in.Body)
	}
	items := gjson.GetBytes(in.Body, "input").Array()
	var types []string
	for _, it := range items {
		types = append(types, it.Get("type").Str)
	}
	if got := strings.Join(types, ","); got != "message,message,function_call,custom_tool_call,function_call_output,custom_tool_call_output" {
		t.Errorf("items upstream %s", got)
	}
}
