package upstream

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// responsesFields are the parameters of POST /v1/responses; OpenAI answers
// "Unknown parameter" to any other.
var responsesFields = set("model", "input", "instructions", "tools", "tool_choice", "parallel_tool_calls",
	"reasoning", "text", "max_output_tokens", "max_tool_calls", "store", "include", "prompt_cache_key",
	"prompt_cache_retention", "metadata", "stream", "stream_options", "temperature", "top_p", "top_logprobs",
	"truncation", "user", "safety_identifier", "service_tier", "previous_response_id", "conversation",
	"background", "prompt", "context_management", "client_metadata")

var responsesIncludes = set("reasoning.encrypted_content", "message.output_text.logprobs",
	"web_search_call.action.sources", "web_search_call.results", "code_interpreter_call.outputs",
	"computer_call_output.output.image_url", "file_search_call.results", "message.input_image.image_url")

func serveResponses(x *exchange) {
	rep, token, ok := openaiRequest(x, responsesStrict, responsesTurn)
	if !ok {
		return
	}

	var items []map[string]any
	if wantsEncryptedReasoning(x.body) {
		items = append(items, map[string]any{"id": "rs_scripted", "type": "reasoning", "summary": []any{},
			"encrypted_content": sign("reasoning", "rs_scripted")})
	}
	if rep.ToolName != "" {
		items = append(items, map[string]any{"id": "fc_scripted", "type": "function_call", "status": "completed",
			"call_id": callID("call_", token), "name": rep.ToolName, "arguments": argsJSON(rep.Args)})
	} else {
		items = append(items, map[string]any{"id": "msg_scripted", "type": "message", "status": "completed", "role": "assistant",
			"content": []any{map[string]any{"type": "output_text", "text": rep.Text, "annotations": []any{}}}})
	}
	in := estimateTokens(x.raw)
	resp := map[string]any{"id": "resp_scripted", "object": "response", "created_at": time.Now().Unix(), "status": "completed",
		"model": x.rec.Model, "output": items, "error": nil, "incomplete_details": nil, "parallel_tool_calls": true,
		"usage": map[string]any{"input_tokens": in, "input_tokens_details": map[string]any{"cached_tokens": 0},
			"output_tokens": 12, "output_tokens_details": map[string]any{"reasoning_tokens": 0}, "total_tokens": in + 12}}
	if !x.rec.Stream {
		writeJSON(x.w, resp)
		return
	}
	sse := newSSE(x.w)
	seq := 0
	emit := func(typ string, fields map[string]any) {
		fields["type"] = typ
		fields["sequence_number"] = seq
		seq++
		sse.event(typ, fields)
	}
	started := map[string]any{}
	for k, v := range resp {
		started[k] = v
	}
	started["status"], started["output"], started["usage"] = "in_progress", []any{}, nil
	emit("response.created", map[string]any{"response": started})
	emit("response.in_progress", map[string]any{"response": started})
	for i, item := range items {
		open := map[string]any{}
		for k, v := range item {
			open[k] = v
		}
		open["status"] = "in_progress"
		switch item["type"] {
		case "function_call":
			open["arguments"] = ""
			emit("response.output_item.added", map[string]any{"output_index": i, "item": open})
			for _, c := range chunks(item["arguments"].(string), 4) {
				emit("response.function_call_arguments.delta", map[string]any{"item_id": item["id"], "output_index": i, "delta": c})
			}
			emit("response.function_call_arguments.done", map[string]any{"item_id": item["id"], "output_index": i, "arguments": item["arguments"]})
		case "message":
			open["content"] = []any{}
			emit("response.output_item.added", map[string]any{"output_index": i, "item": open})
			emit("response.content_part.added", map[string]any{"item_id": item["id"], "output_index": i, "content_index": 0, "part": map[string]any{"type": "output_text", "text": "", "annotations": []any{}}})
			for _, c := range chunks(rep.Text, 4) {
				emit("response.output_text.delta", map[string]any{"item_id": item["id"], "output_index": i, "content_index": 0, "delta": c, "logprobs": []any{}})
			}
			emit("response.output_text.done", map[string]any{"item_id": item["id"], "output_index": i, "content_index": 0, "text": rep.Text, "logprobs": []any{}})
			emit("response.content_part.done", map[string]any{"item_id": item["id"], "output_index": i, "content_index": 0, "part": map[string]any{"type": "output_text", "text": rep.Text, "annotations": []any{}}})
		default:
			emit("response.output_item.added", map[string]any{"output_index": i, "item": open})
		}
		emit("response.output_item.done", map[string]any{"output_index": i, "item": item})
	}
	emit("response.completed", map[string]any{"response": resp})
}

func wantsEncryptedReasoning(b map[string]any) bool {
	if _, ok := b["reasoning"]; !ok {
		return false
	}
	for _, s := range stringList(b["include"]) {
		if s == "reasoning.encrypted_content" {
			return true
		}
	}
	return false
}

// responsesStrict returns what the Responses API answers a request it
// refuses (message, param, code), or an empty message.
func responsesStrict(b map[string]any) (string, string, string) {
	if extra := unknownKeys(b, responsesFields); len(extra) > 0 {
		return fmt.Sprintf("Unknown parameter: '%s'.", extra[0]), extra[0], "unknown_parameter"
	}
	if _, ok := b["model"].(string); !ok {
		return "Missing required parameter: 'model'.", "model", "missing_required_parameter"
	}
	for _, f := range []string{"user", "safety_identifier", "prompt_cache_key"} {
		if s, ok := b[f].(string); ok && utf8.RuneCountInString(s) > maxOpenAIUser {
			return fmt.Sprintf("Invalid '%s': string too long. Expected a string with maximum length %d, but got a string with length %d instead.", f, maxOpenAIUser, utf8.RuneCountInString(s)), f, "string_above_max_length"
		}
	}
	if msg, param := openaiMetadata(b["metadata"]); msg != "" {
		return msg, param, ""
	}
	for _, inc := range stringList(b["include"]) {
		if !responsesIncludes[inc] {
			return fmt.Sprintf("Invalid value: '%s'.", inc), "include", "invalid_value"
		}
	}
	if tools, ok := b["tools"].([]any); ok {
		for i, raw := range tools {
			t, _ := raw.(map[string]any)
			switch t["type"] {
			case "function":
				name, _ := t["name"].(string)
				if !openaiName.MatchString(name) {
					return fmt.Sprintf("Invalid 'tools[%d].name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", i), fmt.Sprintf("tools[%d].name", i), "invalid_value"
				}
				if p, ok := t["parameters"]; ok && p != nil {
					if err := checkToolSchema(p); err != nil {
						return fmt.Sprintf("Invalid schema for function '%s': %v.", name, err), fmt.Sprintf("tools[%d].parameters", i), "invalid_function_parameters"
					}
				}
			case "custom":
				name, _ := t["name"].(string)
				if !openaiName.MatchString(name) {
					return fmt.Sprintf("Invalid 'tools[%d].name'.", i), fmt.Sprintf("tools[%d].name", i), "invalid_value"
				}
			case "web_search", "web_search_preview", "local_shell", "file_search", "code_interpreter", "image_generation", "mcp", "computer_use_preview", "shell", "apply_patch", "namespace", "tool_search":
			default:
				return fmt.Sprintf("Invalid value: '%v'.", t["type"]), fmt.Sprintf("tools[%d].type", i), "invalid_value"
			}
		}
	}
	if txt, ok := b["text"].(map[string]any); ok {
		if f, ok := txt["format"].(map[string]any); ok {
			switch f["type"] {
			case "text", "json_object":
			case "json_schema":
				name, _ := f["name"].(string)
				if !openaiName.MatchString(name) {
					return "Missing required parameter: 'text.format.name'.", "text.format.name", "missing_required_parameter"
				}
				if err := checkToolSchema(f["schema"]); err != nil {
					return fmt.Sprintf("Invalid schema for response_format '%s': %v.", name, err), "text.format.schema", "invalid_json_schema"
				}
			default:
				return fmt.Sprintf("Invalid value: '%v'.", f["type"]), "text.format.type", "invalid_value"
			}
		}
	}
	return responsesInput(b)
}

// responsesInput checks that every tool output answers a call made earlier
// in the input, and that replayed reasoning carries content the upstream
// encrypted.
func responsesInput(b map[string]any) (string, string, string) {
	items, ok := b["input"].([]any)
	if !ok {
		return "", "", ""
	}
	calls := map[string]bool{}
	_, chained := b["previous_response_id"]
	for i, raw := range items {
		it, _ := raw.(map[string]any)
		typ, _ := it["type"].(string)
		switch typ {
		case "function_call", "custom_tool_call", "local_shell_call":
			id, _ := it["call_id"].(string)
			calls[id] = true
		case "function_call_output", "custom_tool_call_output", "local_shell_call_output":
			id, _ := it["call_id"].(string)
			if !calls[id] && !chained {
				return fmt.Sprintf("No tool call found for function call output with call_id %s.", id), fmt.Sprintf("input[%d]", i), ""
			}
		case "reasoning":
			enc, _ := it["encrypted_content"].(string)
			id, _ := it["id"].(string)
			if enc == "" {
				if b["store"] == false {
					return fmt.Sprintf("Item with id '%s' not found. Items are not persisted when `store` is set to false. Try again with `store` set to true, or remove this item from your input.", id), "input", ""
				}
				continue
			}
			if !signed("reasoning", id, enc) {
				return fmt.Sprintf("The encrypted content for item %s could not be verified.", id), "input", "invalid_encrypted_content"
			}
		case "", "message":
			role, _ := it["role"].(string)
			switch role {
			case "user", "assistant", "system", "developer":
			default:
				return fmt.Sprintf("Invalid value: '%s'. Supported values are: 'assistant', 'system', 'developer', and 'user'.", role), fmt.Sprintf("input[%d].role", i), "invalid_value"
			}
		}
	}
	return "", "", ""
}

// itemText flattens an input message's or tool output's content to text.
func itemText(c any) string {
	switch v := c.(type) {
	case string:
		return v
	case []any:
		var parts []string
		for _, p := range v {
			pm, _ := p.(map[string]any)
			if s, ok := pm["text"].(string); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "\n")
	case nil:
		return ""
	}
	b, _ := json.Marshal(c)
	return string(b)
}

// responsesTurn reads what the script needs from a Responses request.
func responsesTurn(b map[string]any) turn {
	var t turn
	tools, _ := b["tools"].([]any)
	for _, raw := range tools {
		m, _ := raw.(map[string]any)
		name, _ := m["name"].(string)
		schema, _ := m["parameters"].(map[string]any)
		if m["type"] == "local_shell" {
			name = "local_shell"
		}
		t.Tools = append(t.Tools, tool{Name: name, Schema: schema})
	}
	if txt, ok := b["text"].(map[string]any); ok {
		if f, ok := txt["format"].(map[string]any); ok {
			switch f["type"] {
			case "json_object":
				t.Structured = true
			case "json_schema":
				t.Structured = true
				t.Schema, _ = f["schema"].(map[string]any)
			}
		}
	}
	var user strings.Builder
	switch in := b["input"].(type) {
	case string:
		user.WriteString(in)
	case []any:
		for _, raw := range in {
			it, _ := raw.(map[string]any)
			typ, _ := it["type"].(string)
			if (typ == "" || typ == "message") && it["role"] == "user" {
				user.WriteString(itemText(it["content"]) + "\n")
			}
		}
		for i := len(in) - 1; i >= 0; i-- {
			it, _ := in[i].(map[string]any)
			typ, _ := it["type"].(string)
			if !strings.HasSuffix(typ, "_output") {
				break
			}
			t.HasResult = true
			t.ToolResult = append(t.ToolResult, itemText(it["output"]))
		}
	}
	t.UserText = user.String()
	return t
}
