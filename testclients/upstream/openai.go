package upstream

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// openaiFields are the parameters of POST /v1/chat/completions; OpenAI
// answers "Unrecognized request argument supplied" to any other.
var openaiFields = set("model", "messages", "audio", "frequency_penalty", "function_call", "functions",
	"logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata", "modalities", "n",
	"parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key", "prompt_cache_retention",
	"reasoning_effort", "response_format", "safety_identifier", "seed", "service_tier", "stop", "store",
	"stream", "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user",
	"verbosity", "web_search_options")

// maxOpenAIUser is OpenAI's limit on `user` (and safety_identifier).
const maxOpenAIUser = 64

var openaiName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func openaiError(msg, param, code string) map[string]any {
	e := map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": nil}
	if param != "" {
		e["param"] = param
	}
	if code != "" {
		e["code"] = code
	}
	return map[string]any{"error": e}
}

func openaiAuth(x *exchange) bool {
	if x.r.Header.Get("Authorization") != "Bearer "+APIKey {
		x.refuse(http.StatusUnauthorized, openaiError("Incorrect API key provided.", "", "invalid_api_key"), "missing or wrong API key")
		return false
	}
	return true
}

// openaiRequest is how both OpenAI endpoints start: the key, the body
// (its model and stream flag recorded), the strict checks when x is strict,
// then the scripted reply and the user's token. ok is false when x has been
// refused.
func openaiRequest(x *exchange, strict func(map[string]any) (msg, param, code string), toTurn func(map[string]any) turn) (rep reply, token string, ok bool) {
	if !openaiAuth(x) {
		return reply{}, "", false
	}
	bad := func(msg string) { x.refuse(http.StatusBadRequest, openaiError(msg, "", ""), msg) }
	if !x.readBody(bad) {
		return reply{}, "", false
	}
	if x.strict {
		if msg, param, code := strict(x.body); msg != "" {
			x.refuse(http.StatusBadRequest, openaiError(msg, param, code), msg)
			return reply{}, "", false
		}
	}
	t := toTurn(x.body)
	rep = decide(t)
	x.rec.Action, x.rec.Text = rep.Action, rep.Text
	return rep, tokenRE.FindString(t.UserText), true
}

func serveOpenAI(x *exchange) {
	rep, token, ok := openaiRequest(x, openaiStrict, openaiTurn)
	if !ok {
		return
	}
	finish := "stop"
	if rep.ToolName != "" {
		finish = "tool_calls"
	}
	usage := map[string]any{"prompt_tokens": estimateTokens(x.raw), "completion_tokens": 12, "total_tokens": estimateTokens(x.raw) + 12}
	created := time.Now().Unix()
	if !x.rec.Stream {
		msg := map[string]any{"role": "assistant", "content": nil, "refusal": nil}
		if rep.ToolName != "" {
			msg["tool_calls"] = []any{map[string]any{"id": callID("call_", token), "type": "function", "function": map[string]any{"name": rep.ToolName, "arguments": argsJSON(rep.Args)}}}
		} else {
			msg["content"] = rep.Text
		}
		writeJSON(x.w, map[string]any{"id": "chatcmpl-scripted", "object": "chat.completion", "created": created, "model": x.rec.Model,
			"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish, "logprobs": nil}}, "usage": usage})
		return
	}
	sse := newSSE(x.w)
	chunk := func(delta map[string]any, finish any) {
		sse.event("", map[string]any{"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": created, "model": x.rec.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}}})
	}
	chunk(map[string]any{"role": "assistant", "content": ""}, nil)
	if rep.ToolName != "" {
		chunk(map[string]any{"tool_calls": []any{map[string]any{"index": 0, "id": callID("call_", token), "type": "function", "function": map[string]any{"name": rep.ToolName, "arguments": ""}}}}, nil)
		for _, c := range chunks(argsJSON(rep.Args), 4) {
			chunk(map[string]any{"tool_calls": []any{map[string]any{"index": 0, "function": map[string]any{"arguments": c}}}}, nil)
		}
	} else {
		for _, c := range chunks(rep.Text, 4) {
			chunk(map[string]any{"content": c}, nil)
		}
	}
	chunk(map[string]any{}, finish)
	if so, ok := x.body["stream_options"].(map[string]any); ok && so["include_usage"] == true {
		sse.event("", map[string]any{"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": created, "model": x.rec.Model, "choices": []any{}, "usage": usage})
	}
	sse.raw("[DONE]")
}

// openaiStrict returns what OpenAI answers a request it refuses (message,
// param, code), or an empty message.
func openaiStrict(b map[string]any) (string, string, string) {
	if extra := unknownKeys(b, openaiFields); len(extra) > 0 {
		return "Unrecognized request argument supplied: " + extra[0], "", ""
	}
	if _, ok := b["model"].(string); !ok {
		return "you must provide a model parameter", "", ""
	}
	msgs, ok := b["messages"].([]any)
	if !ok || len(msgs) == 0 {
		return "Missing required parameter: 'messages'.", "messages", "missing_required_parameter"
	}
	for _, f := range []string{"user", "safety_identifier", "prompt_cache_key"} {
		if s, ok := b[f].(string); ok && utf8.RuneCountInString(s) > maxOpenAIUser {
			return fmt.Sprintf("Invalid '%s': string too long. Expected a string with maximum length %d, but got a string with length %d instead.", f, maxOpenAIUser, utf8.RuneCountInString(s)), f, "string_above_max_length"
		}
	}
	if msg, param := openaiMetadata(b["metadata"]); msg != "" {
		return msg, param, ""
	}
	if _, ok := b["stream_options"]; ok && b["stream"] != true {
		return "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", ""
	}
	if tools, ok := b["tools"].([]any); ok {
		for i, raw := range tools {
			t, _ := raw.(map[string]any)
			if t["type"] != "function" {
				return fmt.Sprintf("Invalid value: '%v'. Supported values are: 'function' and 'custom'.", t["type"]), fmt.Sprintf("tools[%d].type", i), "invalid_value"
			}
			fn, _ := t["function"].(map[string]any)
			name, _ := fn["name"].(string)
			if !openaiName.MatchString(name) {
				return fmt.Sprintf("Invalid 'tools[%d].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", i), fmt.Sprintf("tools[%d].function.name", i), "invalid_value"
			}
			if p, ok := fn["parameters"]; ok {
				if err := checkToolSchema(p); err != nil {
					return fmt.Sprintf("Invalid schema for function '%s': %v.", name, err), fmt.Sprintf("tools[%d].function.parameters", i), "invalid_function_parameters"
				}
			}
		}
	}
	if rf, ok := b["response_format"].(map[string]any); ok {
		switch rf["type"] {
		case "text":
		case "json_object":
			if !strings.Contains(strings.ToLower(allText(msgs)), "json") {
				return "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages", ""
			}
		case "json_schema":
			js, _ := rf["json_schema"].(map[string]any)
			name, _ := js["name"].(string)
			if !openaiName.MatchString(name) {
				return "Missing required parameter: 'response_format.json_schema.name'.", "response_format.json_schema.name", "missing_required_parameter"
			}
			if s, ok := js["schema"]; ok {
				if err := checkToolSchema(s); err != nil {
					return fmt.Sprintf("Invalid schema for response_format '%s': %v.", name, err), "response_format", "invalid_json_schema"
				}
			}
		default:
			return fmt.Sprintf("Invalid value: '%v'. Supported values are: 'text', 'json_object', and 'json_schema'.", rf["type"]), "response_format.type", "invalid_value"
		}
	}
	return openaiMessages(msgs)
}

func openaiMetadata(v any) (string, string) {
	if v == nil {
		return "", ""
	}
	m, ok := v.(map[string]any)
	if !ok {
		return "Invalid type for 'metadata': expected an object.", "metadata"
	}
	if len(m) > 16 {
		return "Invalid 'metadata': too many properties. Expected an object with at most 16 properties.", "metadata"
	}
	for k, val := range m {
		s, ok := val.(string)
		if len(k) > 64 || !ok || len(s) > 512 {
			return fmt.Sprintf("Invalid 'metadata.%s': keys are at most 64 characters and values strings of at most 512.", k), "metadata." + k
		}
	}
	return "", ""
}

// openaiMessages checks roles and that tool messages answer, right after
// it, the assistant message whose tool_calls they respond to.
func openaiMessages(msgs []any) (string, string, string) {
	var pending []string
	for i, raw := range msgs {
		m, _ := raw.(map[string]any)
		role, _ := m["role"].(string)
		switch role {
		case "system", "developer", "user", "assistant", "tool", "function":
		default:
			return fmt.Sprintf("Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.", role), fmt.Sprintf("messages[%d].role", i), "invalid_value"
		}
		if role == "tool" {
			id, _ := m["tool_call_id"].(string)
			idx := -1
			for k, p := range pending {
				if p == id {
					idx = k
				}
			}
			if idx < 0 {
				return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", fmt.Sprintf("messages.[%d].role", i), ""
			}
			pending = append(pending[:idx], pending[idx+1:]...)
			continue
		}
		if len(pending) > 0 {
			return "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: " + strings.Join(pending, ", "), "messages", ""
		}
		if role == "assistant" {
			calls, _ := m["tool_calls"].([]any)
			for _, c := range calls {
				cm, _ := c.(map[string]any)
				id, _ := cm["id"].(string)
				pending = append(pending, id)
			}
		}
	}
	if len(pending) > 0 {
		return "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: " + strings.Join(pending, ", "), "messages", ""
	}
	return "", "", ""
}

// messageText flattens a chat message's content to text.
func messageText(c any) string {
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
	}
	return ""
}

func allText(msgs []any) string {
	var b strings.Builder
	for _, raw := range msgs {
		m, _ := raw.(map[string]any)
		b.WriteString(messageText(m["content"]) + "\n")
	}
	return b.String()
}

// openaiTurn reads what the script needs from a Chat Completions request.
func openaiTurn(b map[string]any) turn {
	var t turn
	if tools, ok := b["tools"].([]any); ok {
		for _, raw := range tools {
			m, _ := raw.(map[string]any)
			fn, _ := m["function"].(map[string]any)
			name, _ := fn["name"].(string)
			schema, _ := fn["parameters"].(map[string]any)
			t.Tools = append(t.Tools, tool{Name: name, Schema: schema})
		}
	}
	if rf, ok := b["response_format"].(map[string]any); ok {
		switch rf["type"] {
		case "json_object":
			t.Structured = true
		case "json_schema":
			js, _ := rf["json_schema"].(map[string]any)
			t.Structured = true
			t.Schema, _ = js["schema"].(map[string]any)
		}
	}
	msgs, _ := b["messages"].([]any)
	var user strings.Builder
	for _, raw := range msgs {
		m, _ := raw.(map[string]any)
		if m["role"] == "user" {
			user.WriteString(messageText(m["content"]) + "\n")
		}
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		m, _ := msgs[i].(map[string]any)
		if m["role"] != "tool" {
			break
		}
		t.HasResult = true
		t.ToolResult = append(t.ToolResult, messageText(m["content"]))
	}
	t.UserText = user.String()
	return t
}
