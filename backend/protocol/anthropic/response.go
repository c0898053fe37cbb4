package anthropic

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/routex-app/routex/backend/protocol"
)

// DecodeResponse parses a non-streamed Messages API reply. Content blocks
// the neutral model cannot carry (server tool calls and their results,
// which Anthropic has already run) are skipped, as in streams.
func (Codec) DecodeResponse(body []byte) (*protocol.Response, error) {
	var w Response
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, jsonError("anthropic response", err)
	}
	if w.Type == "error" {
		var e ErrorEnvelope
		_ = json.Unmarshal(body, &e) // it parsed as a Response, so it is an object
		msg := e.Error.Message
		if msg == "" {
			msg = "the upstream answered with an error of type " + e.Error.Type
		}
		return nil, &protocol.UpstreamError{Kind: errorKind(e.Error.Type), Message: msg}
	}
	if w.Type != "" && w.Type != "message" {
		return nil, fmt.Errorf("anthropic response: type %q is not \"message\"", w.Type)
	}
	usage, _ := ReadUsage(body)
	resp := &protocol.Response{
		Usage:   usage,
		ID:      w.ID,
		Model:   w.Model,
		Content: make([]protocol.Block, 0, len(w.Content)),
	}
	if w.StopReason != nil {
		resp.StopReason = protocol.StopReason(*w.StopReason)
	}
	if w.StopSequence != nil {
		resp.StopSequence = *w.StopSequence
	}
	for i := range w.Content {
		c := &w.Content[i]
		b := protocol.Block{Type: protocol.BlockType(c.Type)}
		switch c.Type {
		case "text":
			if c.Text != nil {
				b.Text = *c.Text
			}
		case "tool_use":
			b.ID, b.Name, b.Input = c.ID, c.Name, objectOrEmpty(c.Input)
		case "thinking":
			if c.Thinking != nil {
				b.Thinking = *c.Thinking
			}
			if c.Signature != nil {
				b.Signature = *c.Signature
			}
		case "redacted_thinking":
			b.Data = c.Data
		default:
			continue
		}
		resp.Content = append(resp.Content, b)
	}
	return resp, nil
}

// EncodeResponse builds a Messages API reply for a client. The ID is made
// msg_-prefixed (docs/CONVERSION.md, rule 14), tool ids made valid for Anthropic, and the stop
// reason is tool_use whenever the reply calls a tool and ended on its own
// (docs/CONVERSION.md, rule 11).
func (Codec) EncodeResponse(resp *protocol.Response, opts protocol.EncodeOptions) ([]byte, error) {
	if resp == nil {
		return nil, errors.New("encode anthropic response: no response")
	}
	model := opts.Model
	if model == "" {
		model = resp.Model
	}
	id := MessageID(resp.ID, model)
	w := Response{
		ID:      id,
		Type:    "message",
		Role:    "assistant",
		Model:   model,
		Content: make([]ContentBlock, 0, len(resp.Content)),
		Usage:   wireUsage(resp.Usage),
	}
	hasTool := false
	for i := range resp.Content {
		b := &resp.Content[i]
		switch b.Type {
		case protocol.BlockText:
			if b.Text == "" {
				continue
			}
		case protocol.BlockToolUse:
			hasTool = true
		case protocol.BlockThinking, protocol.BlockRedactedThinking:
		default:
			continue // images and the like have no place in an assistant reply
		}
		w.Content = append(w.Content, encodeBlock(b, id, i, false))
	}
	stop := string(finalStopReason(resp.StopReason, hasTool))
	w.StopReason = &stop
	if resp.StopSequence != "" {
		w.StopSequence = &resp.StopSequence
	}
	return protocol.Marshal(w)
}

// finalStopReason defaults an empty stop reason to end_turn and makes it
// tool_use when the reply calls a tool but says it ended on its own. A
// reply cut by max_tokens keeps that reason: its last call is incomplete.
func finalStopReason(r protocol.StopReason, hasTool bool) protocol.StopReason {
	if hasTool && (r == "" || r == protocol.StopEndTurn || r == protocol.StopSequence) {
		return protocol.StopToolUse
	}
	if r == "" {
		return protocol.StopEndTurn
	}
	return r
}

func wireUsage(u protocol.Usage) Usage {
	return Usage{
		InputTokens:              u.InputTokens,
		OutputTokens:             u.OutputTokens,
		CacheReadInputTokens:     u.CacheReadTokens,
		CacheCreationInputTokens: u.CacheWriteTokens,
	}
}

// errorKind maps an Anthropic error type to the neutral kind; types it does
// not know become api_error.
func errorKind(t string) protocol.ErrorKind {
	switch k := protocol.ErrorKind(t); k {
	case protocol.InvalidRequest, protocol.Authentication, protocol.Permission, protocol.NotFound,
		protocol.TooLarge, protocol.RateLimit, protocol.APIError, protocol.Overloaded, protocol.Timeout:
		return k
	case "billing_error":
		return protocol.Permission
	}
	return protocol.APIError
}
