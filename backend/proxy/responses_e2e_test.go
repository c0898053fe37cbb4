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

// nextCodexTurn appends turn 1's output items as Codex (0.171) sends them
// back (with their ids, no status on messages, content and
// encrypted_content null when absent) and the tools' outputs.
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
			items = append(items, map[string]any{"type": "reasoning", "id": it.ID, "summary": []any{map[string]any{"type": "summary_text", "text": it.Summary}},
				"content": nil, "encrypted_content": enc})
		case "message":
			items = append(items, map[string]any{"type": "message", "id": it.ID, "role": "assistant", "content": []any{map[string]any{"type": "output_text", "text": it.Text}}})
		case "function_call":
			shell = it.CallID
			items = append(items, map[string]any{"type": "function_call", "status": "completed", "id": it.ID, "name": it.Name, "arguments": it.Arguments, "call_id": it.CallID})
		case "custom_tool_call":
			patch = it.CallID
			items = append(items, map[string]any{"type": "custom_tool_call", "status": "completed", "id": it.ID, "call_id": it.CallID, "name": it.Name, "input": it.Input})
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
