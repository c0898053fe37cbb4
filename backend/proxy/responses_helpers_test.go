package proxy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/responses"
)

// The Responses API side of the end-to-end tests: a mock upstream as strict
// as the real API about what it accepts, its replies streamed the way OpenAI
// streams them, and a reader that checks a client stream against the rules
// the SDKs enforce.

// patchText is the free-text apply_patch call every mock makes.
const patchText = "*** Begin Patch\n*** Add File: b.txt\n+hi \"there\"\n*** End Patch"

// responsesKnownFields are the request fields the Responses API takes;
// it refuses any other ("Unrecognized request argument supplied").
var responsesKnownFields = map[string]bool{
	"model": true, "input": true, "instructions": true, "tools": true, "tool_choice": true, "parallel_tool_calls": true,
	"reasoning": true, "text": true, "max_output_tokens": true, "temperature": true, "top_p": true, "store": true,
	"stream": true, "include": true, "prompt_cache_key": true, "metadata": true, "previous_response_id": true,
	"user": true, "safety_identifier": true, "truncation": true, "service_tier": true, "background": true,
	"conversation": true, "prompt": true, "top_logprobs": true, "max_tool_calls": true, "stream_options": true,
}

// issuedReasoning is the encrypted content each mock's reasoning item
// carries, by the id it was issued for: OpenAI binds the content to the id.
var issuedReasoning = map[string]string{"gAAAAABoUpstreamReasoning==": "rs_up1"}

// checkResponsesRequest returns what the real API would refuse in body, or "".
func checkResponsesRequest(body []byte) string {
	if !gjson.ValidBytes(body) {
		return "We could not parse the JSON body of your request."
	}
	b := gjson.ParseBytes(body)
	var problem string
	b.ForEach(func(k, _ gjson.Result) bool {
		if !responsesKnownFields[k.Str] {
			problem = "Unrecognized request argument supplied: " + k.Str
		}
		return problem == ""
	})
	if problem != "" {
		return problem
	}
	if b.Get("model").Str == "" {
		return "Missing required parameter: 'model'."
	}
	for _, k := range []string{"user", "safety_identifier"} {
		if len(b.Get(k).Str) > 64 {
			return "Invalid '" + k + "': string too long. Expected a string with maximum length 64."
		}
	}
	if n := b.Get("max_output_tokens"); n.Exists() && n.Int() < 16 {
		return "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16."
	}
	for i, tool := range b.Get("tools").Array() {
		switch typ := tool.Get("type").Str; typ {
		case "function":
			if tool.Get("name").Str == "" || !tool.Get("parameters").IsObject() {
				return fmt.Sprintf("Missing required parameter: 'tools[%d].name' or 'parameters'.", i)
			}
			if tool.Get("function").Exists() {
				return fmt.Sprintf("Unknown parameter: 'tools[%d].function'.", i)
			}
		case "custom":
			if tool.Get("name").Str == "" {
				return fmt.Sprintf("Missing required parameter: 'tools[%d].name'.", i)
			}
		case "web_search", "web_search_preview", "local_shell", "file_search":
		default:
			return fmt.Sprintf("Invalid value: '%s'. Supported values are: 'function', 'custom', 'web_search', …", typ)
		}
	}
	input := b.Get("input")
	if input.Type == gjson.String {
		return ""
	}
	if !input.IsArray() {
		return "Invalid type for 'input': expected a string or an array."
	}
	calls := map[string]string{}
	store := b.Get("store")
	for i, it := range input.Array() {
		at := fmt.Sprintf("input[%d]", i)
		switch typ := it.Get("type").Str; typ {
		case "", "message":
			role := it.Get("role").Str
			if role != "user" && role != "assistant" && role != "system" && role != "developer" {
				return "Invalid value for '" + at + ".role'."
			}
			c := it.Get("content")
			if c.Type != gjson.String && !c.IsArray() {
				return "Invalid type for '" + at + ".content'."
			}
			for _, p := range c.Array() {
				if c.Type == gjson.String {
					break
				}
				pt := p.Get("type").Str
				if role == "assistant" && pt != "output_text" && pt != "refusal" || role != "assistant" && !strings.HasPrefix(pt, "input_") {
					return fmt.Sprintf("Invalid value: '%s' in %s.content for role %s.", pt, at, role)
				}
			}
		case "function_call", "custom_tool_call":
			if it.Get("call_id").Str == "" || it.Get("name").Str == "" {
				return "Missing required parameter: '" + at + ".call_id' or 'name'."
			}
			if n := len(it.Get("call_id").Str); n > 64 {
				return fmt.Sprintf("Invalid '%s.call_id': string too long. Expected a string with maximum length 64, but got a string with length %d instead.", at, n)
			}
			if typ == "function_call" && (it.Get("arguments").Type != gjson.String || !gjson.Valid(it.Get("arguments").Str)) {
				return "Invalid '" + at + ".arguments': a JSON string is required."
			}
			if typ == "custom_tool_call" && it.Get("input").Type != gjson.String {
				return "Invalid '" + at + ".input': a string is required."
			}
			calls[it.Get("call_id").Str] = typ
		case "function_call_output", "custom_tool_call_output":
			id := it.Get("call_id").Str
			if calls[id] == "" || calls[id]+"_output" != typ {
				return "No tool call found for " + typ + " with call_id " + id + "."
			}
			if !it.Get("output").Exists() {
				return "Missing required parameter: '" + at + ".output'."
			}
		case "reasoning":
			if !it.Get("summary").IsArray() {
				return "Missing required parameter: '" + at + ".summary'."
			}
			// Without its encrypted content an item is looked up by id,
			// which store off never kept; with it, the id (when sent) must
			// be the one the content was issued for.
			enc, id := it.Get("encrypted_content").Str, it.Get("id")
			if enc == "" && id.Exists() && store.Exists() && !store.Bool() {
				return "Item with id '" + id.Str + "' not found. Items are not persisted when `store` is set to false."
			}
			if strings.HasPrefix(enc, "routex:") || enc == "" && !id.Exists() || enc != "" && id.Exists() && issuedReasoning[enc] != id.Str {
				return "The encrypted content for item " + id.Str + " could not be verified."
			}
		default:
			return fmt.Sprintf("Invalid value: '%s' for %s.type.", typ, at)
		}
	}
	return ""
}

// strictResponses answers 400 to what the real API would refuse, and
// passes the rest to next. Every path it serves must be a Responses path.
func strictResponses(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		msg := checkResponsesRequest(body)
		if !strings.HasSuffix(r.URL.Path, "/responses") && !strings.HasSuffix(r.URL.Path, "/responses/input_tokens") {
			msg = "Invalid URL (POST " + r.URL.Path + ")"
		}
		if r.Header.Get("Authorization") != "Bearer "+testChannelKey {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`)
			return
		}
		if msg != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": nil}})
			w.Write(b)
			return
		}
		next(w, r)
	}
}

// respObject is a Responses API response object as OpenAI writes it.
func respObject(id, status string, output []any, usage any) map[string]any {
	return map[string]any{"id": id, "object": "response", "created_at": 1764950000, "status": status, "background": false,
		"error": nil, "incomplete_details": nil, "instructions": nil, "max_output_tokens": nil, "model": "gpt-5-codex",
		"output": output, "parallel_tool_calls": false, "previous_response_id": nil, "reasoning": map[string]any{"effort": "medium", "summary": "auto"},
		"store": false, "temperature": 1.0, "text": map[string]any{"format": map[string]any{"type": "text"}}, "tool_choice": "auto",
		"tools": []any{}, "top_p": 1.0, "truncation": "disabled", "usage": usage, "user": nil, "metadata": map[string]any{}}
}

// respSSE numbers events and writes them the way OpenAI does.
func respSSE(events ...map[string]any) []string {
	out := make([]string, len(events))
	for i, e := range events {
		e["sequence_number"] = i
		b, _ := json.Marshal(e)
		out[i] = "event: " + e["type"].(string) + "\ndata: " + string(b) + "\n\n"
	}
	return out
}

// The tool turn every mock answers with: a thought, some text, a shell
// call and an apply_patch call; 1000 tokens in (100 cached), 60 out.
var (
	respReasoning = map[string]any{"id": "rs_up1", "type": "reasoning", "encrypted_content": "gAAAAABoUpstreamReasoning==",
		"summary": []any{map[string]any{"type": "summary_text", "text": "I should look first."}}}
	respMessage = map[string]any{"id": "msg_up1", "type": "message", "status": "completed", "role": "assistant",
		"content": []any{map[string]any{"type": "output_text", "text": "Running the tests.", "annotations": []any{}, "logprobs": []any{}}}}
	respShell = map[string]any{"id": "fc_up1", "type": "function_call", "status": "completed", "call_id": "call_up_shell", "name": "shell",
		"arguments": `{"command":["go","test","./..."]}`}
	respPatch = map[string]any{"id": "ctc_up1", "type": "custom_tool_call", "status": "completed", "call_id": "call_up_patch", "name": "apply_patch",
		"input": patchText}
	respUsage = map[string]any{"input_tokens": 1000, "input_tokens_details": map[string]any{"cached_tokens": 100},
		"output_tokens": 60, "output_tokens_details": map[string]any{"reasoning_tokens": 20}, "total_tokens": 1060}
)

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func respToolJSON() string {
	b, _ := json.Marshal(respObject("resp_up1", "completed", []any{respReasoning, respMessage, respShell, respPatch}, respUsage))
	return string(b)
}

func inProgress(item map[string]any, empty map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range item {
		out[k] = v
	}
	for k, v := range empty {
		out[k] = v
	}
	return out
}

func respToolEvents() []string {
	ev := func(typ string, kv ...any) map[string]any {
		m := map[string]any{"type": typ}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	part := map[string]any{"type": "output_text", "text": "", "annotations": []any{}, "logprobs": []any{}}
	return respSSE(
		ev("response.created", "response", respObject("resp_up2", "in_progress", []any{}, nil)),
		ev("response.in_progress", "response", respObject("resp_up2", "in_progress", []any{}, nil)),
		ev("response.output_item.added", "output_index", 0, "item", map[string]any{"id": "rs_up1", "type": "reasoning", "summary": []any{}}),
		ev("response.reasoning_summary_part.added", "item_id", "rs_up1", "output_index", 0, "summary_index", 0, "part", map[string]any{"type": "summary_text", "text": ""}),
		ev("response.reasoning_summary_text.delta", "item_id", "rs_up1", "output_index", 0, "summary_index", 0, "delta", "I should ", "obfuscation", "x1"),
		ev("response.reasoning_summary_text.delta", "item_id", "rs_up1", "output_index", 0, "summary_index", 0, "delta", "look first.", "obfuscation", "x2"),
		ev("response.reasoning_summary_text.done", "item_id", "rs_up1", "output_index", 0, "summary_index", 0, "text", "I should look first."),
		ev("response.reasoning_summary_part.done", "item_id", "rs_up1", "output_index", 0, "summary_index", 0, "part", map[string]any{"type": "summary_text", "text": "I should look first."}),
		ev("response.output_item.done", "output_index", 0, "item", respReasoning),
		ev("response.output_item.added", "output_index", 1, "item", inProgress(respMessage, map[string]any{"status": "in_progress", "content": []any{}})),
		ev("response.content_part.added", "item_id", "msg_up1", "output_index", 1, "content_index", 0, "part", part),
		ev("response.output_text.delta", "item_id", "msg_up1", "output_index", 1, "content_index", 0, "delta", "Running ", "logprobs", []any{}),
		ev("response.output_text.delta", "item_id", "msg_up1", "output_index", 1, "content_index", 0, "delta", "the tests.", "logprobs", []any{}),
		ev("response.output_text.done", "item_id", "msg_up1", "output_index", 1, "content_index", 0, "text", "Running the tests.", "logprobs", []any{}),
		ev("response.content_part.done", "item_id", "msg_up1", "output_index", 1, "content_index", 0, "part", inProgress(part, map[string]any{"text": "Running the tests."})),
		ev("response.output_item.done", "output_index", 1, "item", respMessage),
		ev("response.output_item.added", "output_index", 2, "item", inProgress(respShell, map[string]any{"status": "in_progress", "arguments": ""})),
		ev("response.function_call_arguments.delta", "item_id", "fc_up1", "output_index", 2, "delta", `{"command":["go",`),
		ev("response.function_call_arguments.delta", "item_id", "fc_up1", "output_index", 2, "delta", `"test","./..."]}`),
		ev("response.function_call_arguments.done", "item_id", "fc_up1", "output_index", 2, "arguments", respShell["arguments"]),
		ev("response.output_item.done", "output_index", 2, "item", respShell),
		ev("response.output_item.added", "output_index", 3, "item", inProgress(respPatch, map[string]any{"status": "in_progress", "input": ""})),
		ev("response.custom_tool_call_input.delta", "item_id", "ctc_up1", "output_index", 3, "delta", patchText[:20]),
		ev("response.custom_tool_call_input.delta", "item_id", "ctc_up1", "output_index", 3, "delta", patchText[20:]),
		ev("response.custom_tool_call_input.done", "item_id", "ctc_up1", "output_index", 3, "input", patchText),
		ev("response.output_item.done", "output_index", 3, "item", respPatch),
		ev("response.completed", "response", respObject("resp_up2", "completed", []any{respReasoning, respMessage, respShell, respPatch}, respUsage)),
	)
}

// respTextJSON and respTextEvents answer with text only.
func respTextJSON(text string) string {
	msg := inProgress(respMessage, map[string]any{"content": []any{map[string]any{"type": "output_text", "text": text, "annotations": []any{}}}})
	b, _ := json.Marshal(respObject("resp_up3", "completed", []any{msg}, respUsage))
	return string(b)
}

func respTextEvents(text string) []string {
	msg := inProgress(respMessage, map[string]any{"content": []any{map[string]any{"type": "output_text", "text": text, "annotations": []any{}}}})
	return respSSE(
		map[string]any{"type": "response.created", "response": respObject("resp_up4", "in_progress", []any{}, nil)},
		map[string]any{"type": "response.output_item.added", "output_index": 0, "item": inProgress(msg, map[string]any{"status": "in_progress", "content": []any{}})},
		map[string]any{"type": "response.content_part.added", "item_id": "msg_up1", "output_index": 0, "content_index": 0, "part": map[string]any{"type": "output_text", "text": "", "annotations": []any{}}},
		map[string]any{"type": "response.output_text.delta", "item_id": "msg_up1", "output_index": 0, "content_index": 0, "delta": text, "logprobs": []any{}},
		map[string]any{"type": "response.output_text.done", "item_id": "msg_up1", "output_index": 0, "content_index": 0, "text": text, "logprobs": []any{}},
		map[string]any{"type": "response.output_item.done", "output_index": 0, "item": msg},
		map[string]any{"type": "response.completed", "response": respObject("resp_up4", "completed", []any{msg}, respUsage)},
	)
}

// respItem is one output item as a Responses client ends up with it.
type respItem struct {
	Type, ID, CallID, Name, Arguments, Input, Text, Summary, Encrypted string
	Raw                                                                gjson.Result
}

// respResult is a whole response as a Responses client ends up with it.
type respResult struct {
	ID, Status string
	Items      []respItem
	Usage      gjson.Result
}

func readRespObject(t testing.TB, r gjson.Result) respResult {
	t.Helper()
	if r.Get("object").Str != "response" || !strings.HasPrefix(r.Get("id").Str, "resp_") {
		t.Errorf("not a response object (object, resp_ id): %.500s", r.Raw)
	}
	res := respResult{ID: r.Get("id").Str, Status: r.Get("status").Str, Usage: r.Get("usage")}
	for _, o := range r.Get("output").Array() {
		it := respItem{Type: o.Get("type").Str, ID: o.Get("id").Str, CallID: o.Get("call_id").Str, Name: o.Get("name").Str,
			Arguments: o.Get("arguments").Str, Input: o.Get("input").Str, Encrypted: o.Get("encrypted_content").Str, Raw: o}
		for _, c := range o.Get("content").Array() {
			it.Text += c.Get("text").Str
		}
		for _, s := range o.Get("summary").Array() {
			it.Summary += s.Get("text").Str
		}
		if it.ID == "" {
			t.Errorf("output item without id: %s", o.Raw)
		}
		res.Items = append(res.Items, it)
	}
	return res
}

// readResponses reads a non-streamed reply.
func readResponses(t testing.TB, raw []byte) respResult {
	t.Helper()
	return readRespObject(t, gjson.ParseBytes(raw))
}

// readResponsesStream checks a client stream with responses.ValidateWire
// (the SDK accumulator's rules) and returns its final response.
func readResponsesStream(t testing.TB, raw []byte) respResult {
	t.Helper()
	r := protocol.NewSSEReader(bytes.NewReader(raw))
	var events []protocol.SSEEvent
	for {
		ev, err := r.Next()
		if err != nil {
			break
		}
		events = append(events, ev)
	}
	if err := responses.ValidateWire(events); err != nil {
		t.Fatalf("the stream breaks the SDKs' rules: %v\n%s", err, raw)
	}
	last := events[len(events)-1]
	if last.Event != "response.completed" && last.Event != "response.incomplete" {
		t.Fatalf("the stream ends with %s: %s", last.Event, last.Data)
	}
	return readRespObject(t, gjson.GetBytes(last.Data, "response"))
}

// checkRespToolTurn asserts the reply of every mock's tool turn: the
// thought, the text, the shell call, the apply_patch call unwrapped, and
// the usage.
func checkRespToolTurn(t testing.TB, res respResult) {
	t.Helper()
	var types []string
	for _, it := range res.Items {
		types = append(types, it.Type)
	}
	if strings.Join(types, ",") != "reasoning,message,function_call,custom_tool_call" {
		t.Fatalf("output items %v, want reasoning, message, function_call, custom_tool_call", types)
	}
	if res.Status != "completed" {
		t.Errorf("status %q", res.Status)
	}
	if res.Items[0].Summary != "I should look first." {
		t.Errorf("reasoning summary %q", res.Items[0].Summary)
	}
	if res.Items[1].Text != "Running the tests." {
		t.Errorf("text %q", res.Items[1].Text)
	}
	shell := res.Items[2]
	if shell.Name != "shell" || shell.CallID == "" || gjson.Get(shell.Arguments, "command.1").Str != "test" {
		t.Errorf("shell call %+v", shell)
	}
	patch := res.Items[3]
	if patch.Name != "apply_patch" || patch.CallID == "" || patch.Input != patchText {
		t.Errorf("apply_patch call %+v, want input %q", patch, patchText)
	}
	u := res.Usage
	if u.Get("input_tokens").Int() != 1000 || u.Get("input_tokens_details.cached_tokens").Int() != 100 ||
		u.Get("output_tokens").Int() != 60 || u.Get("total_tokens").Int() != 1060 {
		t.Errorf("usage %s, want 1000 in (100 cached), 60 out, 1060 total", u.Raw)
	}
}
