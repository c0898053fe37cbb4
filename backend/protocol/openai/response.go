package openai

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/protocol"
)

// DecodeResponse parses a non-streamed Chat Completions reply. Content comes
// out as the model produced it: reasoning, then text, then tool calls
// (docs/CONVERSION.md, rule 10).
func (Codec) DecodeResponse(body []byte) (*protocol.Response, error) {
	var in ChatCompletion
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("invalid upstream response: %w", err)
	}
	if in.Error != nil {
		return nil, &protocol.UpstreamError{Kind: errorKind(in.Error), Message: in.Error.Message}
	}
	if len(in.Choices) == 0 {
		return nil, errors.New("upstream response has no choices")
	}
	usage, _ := ReadUsage(body)
	resp := &protocol.Response{ID: in.ID, Model: in.Model, Usage: usage}
	ch := in.Choices[0]
	if m := ch.Message; m != nil {
		reasoning := ""
		if m.ReasoningContent != nil {
			reasoning = *m.ReasoningContent
		}
		if reasoning != "" {
			resp.Content = append(resp.Content, protocol.Block{Type: protocol.BlockThinking, Thinking: reasoning})
		}
		text := m.Content.String()
		if text == "" {
			text = m.Refusal
		}
		if text != "" {
			resp.Content = append(resp.Content, protocol.Block{Type: protocol.BlockText, Text: text})
		}
		for _, tc := range m.ToolCalls {
			resp.Content = append(resp.Content, toolUse(tc.ID, tc.Function.Name, string(tc.Function.Arguments)))
		}
		if fc := m.FunctionCall; fc != nil && fc.Name != "" {
			resp.Content = append(resp.Content, toolUse("", fc.Name, string(fc.Arguments)))
		}
	}
	finish := ""
	if ch.FinishReason != nil {
		finish = *ch.FinishReason
	}
	resp.StopReason = stopReason(finish, hasToolUse(resp.Content))
	return resp, nil
}

// toolUse builds a tool_use block, repairing the arguments (docs/CONVERSION.md, rule 13) and
// giving the call an ID when the upstream gave none.
func toolUse(id, name, args string) protocol.Block {
	if id == "" {
		id = newID("call_")
	}
	input, _ := protocol.RepairJSON(args)
	return protocol.Block{Type: protocol.BlockToolUse, ID: id, Name: name, Input: input}
}

func hasToolUse(blocks []protocol.Block) bool {
	for _, b := range blocks {
		if b.Type == protocol.BlockToolUse {
			return true
		}
	}
	return false
}

// stopReason maps finish_reason (docs/CONVERSION.md, rule 11). Tool calls make it tool_use
// whatever the upstream said: some servers say "stop" after calling.
//
// The one exception is "length": a call cut by max_tokens is incomplete,
// and saying tool_use would have the client run it; max_tokens tells it
// the truth, as Anthropic itself does.
func stopReason(finish string, toolCalls bool) protocol.StopReason {
	if finish == "length" {
		return protocol.StopMaxTokens
	}
	if toolCalls {
		return protocol.StopToolUse
	}
	switch finish {
	case "tool_calls", "function_call":
		return protocol.StopToolUse
	case "content_filter":
		return protocol.StopRefusal
	}
	return protocol.StopEndTurn
}

// finishReason maps a neutral stop reason back to finish_reason.
func finishReason(r protocol.StopReason) string {
	switch r {
	case protocol.StopMaxTokens:
		return "length"
	case protocol.StopToolUse:
		return "tool_calls"
	case protocol.StopRefusal:
		return "content_filter"
	}
	return "stop"
}

// encodeUsage converts neutral usage back (ReadUsage reads it): prompt_tokens counts everything
// the prompt held, cached or not.
func encodeUsage(u protocol.Usage) *Usage {
	prompt := u.InputTokens + u.CacheReadTokens + u.CacheWriteTokens
	out := &Usage{
		PromptTokens:        prompt,
		CompletionTokens:    u.OutputTokens,
		TotalTokens:         prompt + u.OutputTokens,
		PromptTokensDetails: &PromptTokensDetails{CachedTokens: u.CacheReadTokens},
	}
	if u.ReasoningTokens > 0 {
		out.CompletionTokensDetails = &CompletionTokensDetails{ReasoningTokens: u.ReasoningTokens}
	}
	return out
}

// completionID derives a chatcmpl- ID from the upstream's ID (msg_…,
// a Gemini responseId) so logs on both sides match, or makes one.
func completionID(id string) string {
	switch {
	case id == "":
		return newID("chatcmpl-")
	case strings.HasPrefix(id, "chatcmpl-"):
		return id
	}
	return "chatcmpl-" + strings.TrimPrefix(id, "msg_")
}

// EncodeResponse builds a non-streamed reply for an OpenAI client. The
// model is the one the client asked for (opts.Model). Tool call IDs are
// kept as they are: an Anthropic toolu_ ID is a valid call ID and must
// stay the same for the result to pair with it (docs/CONVERSION.md, rule 14).
func (Codec) EncodeResponse(resp *protocol.Response, opts protocol.EncodeOptions) ([]byte, error) {
	msg := &ChatMessage{Role: "assistant"}
	var text, reasoning strings.Builder
	for _, b := range resp.Content {
		switch b.Type {
		case protocol.BlockText:
			text.WriteString(b.Text)
		case protocol.BlockThinking:
			reasoning.WriteString(b.Thinking)
		case protocol.BlockToolUse:
			args := string(b.Input)
			if args == "" || args == "null" {
				args = "{}"
			}
			msg.ToolCalls = append(msg.ToolCalls, ToolCall{
				ID: protocol.JoinToolID(b.ID, b.Signature), Type: "function", Function: FunctionCall{Name: b.Name, Arguments: Arguments(args)},
			})
		}
	}
	if text.Len() > 0 {
		msg.Content = TextContent(text.String())
	}
	if reasoning.Len() > 0 {
		r := reasoning.String()
		msg.ReasoningContent = &r
	}
	stop := resp.StopReason
	if len(msg.ToolCalls) > 0 && stop != protocol.StopMaxTokens {
		stop = protocol.StopToolUse
	}
	finish := finishReason(stop)
	model := opts.Model
	if model == "" {
		model = resp.Model
	}
	out := ChatCompletion{
		ID:      completionID(resp.ID),
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   model,
		Choices: []Choice{{Index: 0, Message: msg, FinishReason: &finish}},
		Usage:   encodeUsage(resp.Usage),
	}
	return json.Marshal(out)
}
