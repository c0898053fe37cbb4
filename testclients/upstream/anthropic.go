package upstream

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// anthropicFields are the top-level fields of POST /v1/messages, betas
// included (Anthropic answers "Extra inputs are not permitted" to others).
var anthropicFields = set("model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream",
	"temperature", "top_p", "top_k", "tools", "tool_choice", "thinking", "service_tier", "container",
	"mcp_servers", "context_management", "output_config", "output_format", "inference_geo", "speed",
	"cache_control", "diagnostics", "fallbacks", "fallback_credit_token", "user_profile_id")

// anthropicCountFields are those of POST /v1/messages/count_tokens.
var anthropicCountFields = set("model", "messages", "system", "tools", "tool_choice", "thinking",
	"mcp_servers", "context_management", "output_config", "output_format")

// anthropicToolName is the pattern Anthropic gives custom tool names.
var anthropicToolName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)

// maxAnthropicUserID is the documented length limit of metadata.user_id.
const maxAnthropicUserID = 256

func anthropicError(typ, msg string) map[string]any {
	return map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}, "request_id": "req_scripted"}
}

func serveAnthropic(x *exchange, count bool) {
	bad := func(msg string) { x.refuse(http.StatusBadRequest, anthropicError("invalid_request_error", msg), msg) }
	key := x.r.Header.Get("x-api-key")
	if key == "" {
		key = strings.TrimPrefix(x.r.Header.Get("Authorization"), "Bearer ")
	}
	if key != APIKey {
		x.refuse(http.StatusUnauthorized, anthropicError("authentication_error", "invalid x-api-key"), "missing or wrong API key")
		return
	}
	if x.r.Header.Get("anthropic-version") == "" {
		bad("anthropic-version: header is required")
		return
	}
	if !x.readBody(bad) {
		return
	}
	if x.strict {
		if msg := anthropicStrict(x.body, count); msg != "" {
			bad(msg)
			return
		}
	}
	t := anthropicTurn(x.body)
	if count {
		x.rec.Action = "count_tokens"
		writeJSON(x.w, map[string]any{"input_tokens": estimateTokens(x.raw)})
		return
	}
	rep := decide(t)
	x.rec.Action, x.rec.Text = rep.Action, rep.Text
	thinking := thinkingOn(x.body)
	if x.rec.Stream {
		anthropicStream(x, rep, thinking)
		return
	}
	writeJSON(x.w, map[string]any{
		"id": "msg_scripted", "type": "message", "role": "assistant", "model": x.rec.Model,
		"content": anthropicBlocks(rep, thinking, tokenRE.FindString(t.UserText)), "stop_reason": stopReason(rep),
		"stop_sequence": nil, "usage": map[string]any{"input_tokens": estimateTokens(x.raw), "output_tokens": 12},
	})
}

func thinkingOn(body map[string]any) bool {
	th, _ := body["thinking"].(map[string]any)
	typ, _ := th["type"].(string)
	return typ == "enabled" || typ == "adaptive"
}

func stopReason(rep reply) string {
	if rep.ToolName != "" {
		return "tool_use"
	}
	return "end_turn"
}

func anthropicBlocks(rep reply, thinking bool, token string) []any {
	var out []any
	if thinking {
		out = append(out, map[string]any{"type": "thinking", "thinking": thinkingText, "signature": sign("thinking", thinkingText)})
	}
	if rep.ToolName != "" {
		out = append(out, map[string]any{"type": "tool_use", "id": callID("toolu_", token), "name": rep.ToolName, "input": rep.Args})
	} else {
		out = append(out, map[string]any{"type": "text", "text": rep.Text})
	}
	return out
}

func anthropicStream(x *exchange, rep reply, thinking bool) {
	sse := newSSE(x.w)
	token := tokenRE.FindString(anthropicTurn(x.body).UserText)
	sse.event("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": "msg_scripted", "type": "message", "role": "assistant", "model": x.rec.Model, "content": []any{},
		"stop_reason": nil, "stop_sequence": nil, "usage": map[string]any{"input_tokens": estimateTokens(x.raw), "output_tokens": 1},
	}})
	sse.event("ping", map[string]any{"type": "ping"})
	idx := 0
	if thinking {
		sse.event("content_block_start", map[string]any{"type": "content_block_start", "index": idx, "content_block": map[string]any{"type": "thinking", "thinking": "", "signature": ""}})
		for _, c := range chunks(thinkingText, 3) {
			sse.event("content_block_delta", map[string]any{"type": "content_block_delta", "index": idx, "delta": map[string]any{"type": "thinking_delta", "thinking": c}})
		}
		sse.event("content_block_delta", map[string]any{"type": "content_block_delta", "index": idx, "delta": map[string]any{"type": "signature_delta", "signature": sign("thinking", thinkingText)}})
		sse.event("content_block_stop", map[string]any{"type": "content_block_stop", "index": idx})
		idx++
	}
	if rep.ToolName != "" {
		sse.event("content_block_start", map[string]any{"type": "content_block_start", "index": idx, "content_block": map[string]any{"type": "tool_use", "id": callID("toolu_", token), "name": rep.ToolName, "input": map[string]any{}}})
		for _, c := range chunks(argsJSON(rep.Args), 4) {
			sse.event("content_block_delta", map[string]any{"type": "content_block_delta", "index": idx, "delta": map[string]any{"type": "input_json_delta", "partial_json": c}})
		}
	} else {
		sse.event("content_block_start", map[string]any{"type": "content_block_start", "index": idx, "content_block": map[string]any{"type": "text", "text": ""}})
		for _, c := range chunks(rep.Text, 4) {
			sse.event("content_block_delta", map[string]any{"type": "content_block_delta", "index": idx, "delta": map[string]any{"type": "text_delta", "text": c}})
		}
	}
	sse.event("content_block_stop", map[string]any{"type": "content_block_stop", "index": idx})
	sse.event("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": stopReason(rep), "stop_sequence": nil}, "usage": map[string]any{"output_tokens": 12}})
	sse.event("message_stop", map[string]any{"type": "message_stop"})
}

// anthropicStrict returns the message Anthropic answers a request it
// refuses, or "".
func anthropicStrict(b map[string]any, count bool) string {
	known := anthropicFields
	if count {
		known = anthropicCountFields
	}
	if extra := unknownKeys(b, known); len(extra) > 0 {
		return extra[0] + ": Extra inputs are not permitted"
	}
	if _, ok := b["model"].(string); !ok {
		return "model: Field required"
	}
	msgs, ok := b["messages"].([]any)
	if !ok {
		return "messages: Field required"
	}
	if !count {
		if _, ok := b["max_tokens"]; !ok {
			return "max_tokens: Field required"
		}
	}
	if md, ok := b["metadata"]; ok {
		m, ok := md.(map[string]any)
		if !ok {
			return "metadata: Input should be a valid dictionary"
		}
		if extra := unknownKeys(m, set("user_id")); len(extra) > 0 {
			return "metadata." + extra[0] + ": Extra inputs are not permitted"
		}
		if uid, ok := m["user_id"].(string); ok && len(uid) > maxAnthropicUserID {
			return fmt.Sprintf("metadata.user_id: String should have at most %d characters", maxAnthropicUserID)
		}
	}
	if msg := anthropicThinkingConfig(b); msg != "" {
		return msg
	}
	if tools, ok := b["tools"].([]any); ok {
		for i, raw := range tools {
			t, _ := raw.(map[string]any)
			if typ, _ := t["type"].(string); typ != "" && typ != "custom" {
				continue // server tools carry no schema
			}
			name, _ := t["name"].(string)
			if !anthropicToolName.MatchString(name) {
				return fmt.Sprintf("tools.%d.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'", i)
			}
			if err := checkToolSchema(t["input_schema"]); err != nil {
				return fmt.Sprintf("tools.%d.custom.input_schema: JSON schema is invalid. It must match JSON Schema draft 2020-12 (%v)", i, err)
			}
		}
	}
	if schema, ok := anthropicOutputSchema(b); ok && schema != nil {
		if err := checkToolSchema(schema); err != nil {
			return "output_format.schema: JSON schema is invalid: " + err.Error()
		}
	}
	return anthropicMessages(msgs, thinkingOn(b))
}

func anthropicThinkingConfig(b map[string]any) string {
	th, ok := b["thinking"].(map[string]any)
	if !ok {
		return ""
	}
	switch th["type"] {
	case "enabled":
		budget, err := toInt(th["budget_tokens"])
		if err != nil {
			return "thinking.enabled.budget_tokens: Field required"
		}
		if budget < 1024 {
			return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
		}
		if max, err := toInt(b["max_tokens"]); err == nil && max <= budget {
			return "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size"
		}
	case "adaptive", "disabled":
	default:
		return fmt.Sprintf("thinking: Input tag '%v' found using 'type' does not match any of the expected tags: 'adaptive', 'disabled', 'enabled'", th["type"])
	}
	if thinkingOn(b) {
		if t, ok := b["temperature"]; ok {
			if f, err := toFloat(t); err == nil && f != 1 {
				return "`temperature` may only be set to 1 when thinking is enabled or in adaptive mode. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility"
			}
		}
	}
	return ""
}

// anthropicMessages checks the turns: roles, tool_use answered by
// tool_result in the next message and only there, signatures on thinking
// blocks, and, with thinking on, the final assistant turn that called a
// tool starting with a thinking block.
func anthropicMessages(msgs []any, thinking bool) string {
	if len(msgs) == 0 {
		return "messages: at least one message is required"
	}
	lastAssistant := -1
	var pending []string
	for i, raw := range msgs {
		m, _ := raw.(map[string]any)
		role, _ := m["role"].(string)
		// A system turn inside messages is accepted: Anthropic takes
		// mid-conversation system messages, and Claude Code sends them.
		if role != "user" && role != "assistant" && role != "system" {
			return fmt.Sprintf("messages.%d.role: Input should be 'user', 'assistant' or 'system'", i)
		}
		blocks := contentBlocks(m["content"])
		var results []string
		var uses []string
		for j, blk := range blocks {
			switch blk["type"] {
			case "tool_result":
				id, _ := blk["tool_use_id"].(string)
				results = append(results, id)
			case "tool_use":
				id, _ := blk["id"].(string)
				uses = append(uses, id)
			case "thinking":
				text, _ := blk["thinking"].(string)
				sig, _ := blk["signature"].(string)
				if !signed("thinking", text, sig) {
					return fmt.Sprintf("messages.%d.content.%d: Invalid `signature` in `thinking` block", i, j)
				}
			case "redacted_thinking":
				return fmt.Sprintf("messages.%d.content.%d: Invalid `data` in `redacted_thinking` block", i, j)
			}
		}
		if len(pending) > 0 {
			if role != "user" || !sameSet(pending, results) {
				return fmt.Sprintf("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s. Each `tool_use` block must have a corresponding `tool_result` block in the next message.", i-1, strings.Join(missing(pending, results), ", "))
			}
		} else if len(results) > 0 {
			return fmt.Sprintf("messages.%d.content.0: unexpected `tool_use_id` found in `tool_result` blocks: %s. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.", i, results[0])
		}
		pending = uses
		if role == "assistant" {
			lastAssistant = i
		}
	}
	if len(pending) > 0 {
		return fmt.Sprintf("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s. Each `tool_use` block must have a corresponding `tool_result` block in the next message.", len(msgs)-1, strings.Join(pending, ", "))
	}
	// The rule binds only while a tool loop is under way: the last message
	// is the user's tool results, answering the final assistant turn.
	if thinking && lastAssistant >= 0 && lastAssistant == len(msgs)-2 && endsWithToolResults(msgs) {
		m, _ := msgs[lastAssistant].(map[string]any)
		blocks := contentBlocks(m["content"])
		hasTool := false
		for _, blk := range blocks {
			if blk["type"] == "tool_use" {
				hasTool = true
			}
		}
		if hasTool && len(blocks) > 0 && blocks[0]["type"] != "thinking" && blocks[0]["type"] != "redacted_thinking" {
			return fmt.Sprintf("messages.%d.content.0.type: Expected `thinking` or `redacted_thinking`, but found `%v`. When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking", lastAssistant, blocks[0]["type"])
		}
	}
	return ""
}

func endsWithToolResults(msgs []any) bool {
	m, _ := msgs[len(msgs)-1].(map[string]any)
	for _, blk := range contentBlocks(m["content"]) {
		if blk["type"] == "tool_result" {
			return true
		}
	}
	return false
}

// contentBlocks returns a message's content as blocks (a string is one
// text block).
func contentBlocks(c any) []map[string]any {
	switch v := c.(type) {
	case string:
		return []map[string]any{{"type": "text", "text": v}}
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, b := range v {
			if m, ok := b.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func anthropicOutputSchema(b map[string]any) (map[string]any, bool) {
	if of, ok := b["output_format"].(map[string]any); ok && of["type"] == "json_schema" {
		s, _ := of["schema"].(map[string]any)
		return s, true
	}
	if oc, ok := b["output_config"].(map[string]any); ok {
		if f, ok := oc["format"].(map[string]any); ok && f["type"] == "json_schema" {
			s, _ := f["schema"].(map[string]any)
			return s, true
		}
	}
	return nil, false
}

// anthropicTurn reads what the script needs from a Messages request.
func anthropicTurn(b map[string]any) turn {
	var t turn
	if tools, ok := b["tools"].([]any); ok {
		for _, raw := range tools {
			m, _ := raw.(map[string]any)
			name, _ := m["name"].(string)
			schema, _ := m["input_schema"].(map[string]any)
			t.Tools = append(t.Tools, tool{Name: name, Schema: schema})
		}
	}
	t.Schema, t.Structured = anthropicOutputSchema(b)
	msgs, _ := b["messages"].([]any)
	var user strings.Builder
	for i, raw := range msgs {
		m, _ := raw.(map[string]any)
		if m["role"] != "user" {
			continue
		}
		for _, blk := range contentBlocks(m["content"]) {
			switch blk["type"] {
			case "text":
				s, _ := blk["text"].(string)
				user.WriteString(s + "\n")
			case "tool_result":
				if i == len(msgs)-1 {
					t.HasResult = true
					t.ToolResult = append(t.ToolResult, blockText(blk["content"]))
				}
			}
		}
	}
	t.UserText = user.String()
	return t
}

// blockText flattens a tool_result's content to text.
func blockText(c any) string {
	var parts []string
	for _, b := range contentBlocks(c) {
		if s, ok := b["text"].(string); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

func sameSet(a, b []string) bool {
	return len(missing(a, b)) == 0 && len(missing(b, a)) == 0
}

func missing(want, have []string) []string {
	h := map[string]bool{}
	for _, x := range have {
		h[x] = true
	}
	var out []string
	for _, x := range want {
		if !h[x] {
			out = append(out, x)
		}
	}
	return out
}

func toInt(v any) (int64, error) {
	switch n := v.(type) {
	case json.Number:
		return n.Int64()
	case float64:
		return int64(n), nil
	case int:
		return int64(n), nil
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

func toFloat(v any) (float64, error) {
	switch n := v.(type) {
	case json.Number:
		return n.Float64()
	case float64:
		return n, nil
	case int:
		return float64(n), nil
	}
	return 0, fmt.Errorf("not a number: %v", v)
}
