package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/routex-app/routex/backend/protocol"
)

// DecodeRequest parses a Messages API request from a client. Errors name
// the path of what is wrong ("messages[3].content[1]: …").
//
// Messages with role "system" (Claude Code's mid-conversation system
// messages, a newer Anthropic feature) are moved, in order, to the end of
// Request.System. The neutral model has no system role, and every target
// needs them there: OpenAI-compatible servers such as vLLM reject a system
// message after the first turn, Gemini has only systemInstruction, and the
// Anthropic-compatible endpoints of DeepSeek, Kimi and Zhipu (and Claude
// models before Opus 4.8) reject role "system" inside messages. They stay
// system instructions rather than becoming user text, which would change
// who is speaking. The cost, for an Anthropic upstream that accepts them in
// place, is one prompt-cache miss on the messages when such a message first
// appears; the cached tools and system prefix is unchanged.
func (Codec) DecodeRequest(body []byte) (*protocol.Request, error) {
	var w Request
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, jsonError("request body", err)
	}
	if w.Model == "" {
		return nil, errors.New("model: required")
	}
	if len(w.Messages) == 0 {
		return nil, errors.New("messages: at least one message is required")
	}
	req := &protocol.Request{
		Model:       w.Model,
		Temperature: w.Temperature,
		TopP:        w.TopP,
		TopK:        w.TopK,
		Stop:        w.StopSequences,
		Stream:      w.Stream,
	}
	if w.MaxTokens != nil {
		if *w.MaxTokens < 1 {
			return nil, fmt.Errorf("max_tokens: must be at least 1, got %d", *w.MaxTokens)
		}
		req.MaxTokens = *w.MaxTokens
	}
	if w.Metadata != nil {
		req.UserID = w.Metadata.UserID
	}
	system, err := decodeSystem(w.System, "system")
	if err != nil {
		return nil, err
	}
	req.System = system
	req.Messages = make([]protocol.Message, 0, len(w.Messages))
	for i, m := range w.Messages {
		path := fmt.Sprintf("messages[%d]", i)
		switch m.Role {
		case "system":
			blocks, err := decodeSystem(m.Content, path+".content")
			if err != nil {
				return nil, err
			}
			req.System = append(req.System, blocks...)
			continue
		case "user", "assistant":
		default:
			return nil, fmt.Errorf("%s.role: %q is not one of user, assistant, system", path, m.Role)
		}
		blocks, err := decodeContent(m.Content, path+".content")
		if err != nil {
			return nil, err
		}
		req.Messages = append(req.Messages, protocol.Message{Role: protocol.Role(m.Role), Content: blocks})
	}
	if req.Tools, err = decodeTools(w.Tools); err != nil {
		return nil, err
	}
	if req.ToolChoice, err = decodeToolChoice(w.ToolChoice); err != nil {
		return nil, err
	}
	if req.Thinking, err = decodeThinking(w.Thinking, w.OutputConfig); err != nil {
		return nil, err
	}
	if req.Output, err = decodeOutputFormat(w.OutputConfig, w.OutputFormat); err != nil {
		return nil, err
	}
	return req, nil
}

// decodeSystem reads a system prompt: a string or an array of text blocks.
func decodeSystem(raw json.RawMessage, path string) ([]protocol.Block, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, jsonError(path, err)
		}
		if s == "" {
			return nil, nil
		}
		return []protocol.Block{{Type: protocol.BlockText, Text: s}}, nil
	}
	var blocks []ContentBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, fmt.Errorf("%s: must be a string or an array of text blocks", path)
	}
	out := make([]protocol.Block, 0, len(blocks))
	for j, b := range blocks {
		if b.Type != "text" {
			return nil, fmt.Errorf("%s[%d]: system blocks must be of type \"text\", not %q", path, j, b.Type)
		}
		if b.Text == nil {
			return nil, fmt.Errorf("%s[%d].text: required", path, j)
		}
		out = append(out, protocol.Block{Type: protocol.BlockText, Text: *b.Text, CacheControl: b.CacheControl})
	}
	return out, nil
}

// decodeContent reads a message's content: a string or an array of blocks.
func decodeContent(raw json.RawMessage, path string) ([]protocol.Block, error) {
	if isAbsent(raw) {
		return nil, fmt.Errorf("%s: required", path)
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, jsonError(path, err)
		}
		return []protocol.Block{{Type: protocol.BlockText, Text: s}}, nil
	}
	if raw[0] != '[' {
		return nil, fmt.Errorf("%s: must be a string or an array of content blocks", path)
	}
	var blocks []ContentBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, jsonError(path, err)
	}
	out := make([]protocol.Block, 0, len(blocks))
	for j := range blocks {
		b, err := decodeBlock(&blocks[j], fmt.Sprintf("%s[%d]", path, j))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// decodeBlock converts one request content block.
func decodeBlock(w *ContentBlock, path string) (protocol.Block, error) {
	b := protocol.Block{Type: protocol.BlockType(w.Type), CacheControl: w.CacheControl}
	switch w.Type {
	case "text":
		if w.Text == nil {
			return b, fmt.Errorf("%s.text: required", path)
		}
		b.Text = *w.Text
	case "image", "document":
		if err := decodeSource(&b, w.Source, path+".source"); err != nil {
			return b, err
		}
	case "tool_use":
		if w.ID == "" {
			return b, fmt.Errorf("%s.id: required", path)
		}
		if w.Name == "" {
			return b, fmt.Errorf("%s.name: required", path)
		}
		// A call from a Gemini upstream carries its thought signature in
		// the id (protocol.JoinToolID); the Gemini encoder sends it back.
		b.ID, b.Signature = protocol.SplitToolID(w.ID)
		b.Name = w.Name
		b.Input = json.RawMessage("{}")
		if !isAbsent(w.Input) {
			if w.Input[0] != '{' {
				return b, fmt.Errorf("%s.input: must be a JSON object", path)
			}
			b.Input = w.Input
		}
	case "tool_result":
		if w.ToolUseID == "" {
			return b, fmt.Errorf("%s.tool_use_id: required", path)
		}
		b.ToolUseID, _ = protocol.SplitToolID(w.ToolUseID)
		b.IsError = w.IsError
		if err := decodeToolResultContent(&b, w.Content, path+".content"); err != nil {
			return b, err
		}
	case "thinking":
		if w.Thinking == nil {
			return b, fmt.Errorf("%s.thinking: required", path)
		}
		b.Thinking = *w.Thinking
		if w.Signature != nil {
			b.Signature = *w.Signature
		}
		if id, enc, ok := readCarried(b.Signature); ok {
			// OpenAI's reasoning, handed back with its item's id.
			b.Signature, b.ID, b.Encrypted = "", id, enc
		}
	case "redacted_thinking":
		if w.Data == "" {
			return b, fmt.Errorf("%s.data: required", path)
		}
		b.Data = w.Data
	case "":
		return b, fmt.Errorf("%s.type: required", path)
	default:
		return b, fmt.Errorf("%s: unsupported content block type %q (supported: text, image, document, tool_use, tool_result, thinking, redacted_thinking)", path, w.Type)
	}
	return b, nil
}

// decodeSource fills an image or document block from its source.
func decodeSource(b *protocol.Block, s *Source, path string) error {
	if s == nil {
		return fmt.Errorf("%s: required", path)
	}
	switch s.Type {
	case "base64":
		if s.MediaType == "" {
			return fmt.Errorf("%s.media_type: required", path)
		}
		if s.Data == "" {
			return fmt.Errorf("%s.data: required", path)
		}
		b.MediaType, b.Data = s.MediaType, s.Data
	case "url":
		if s.URL == "" {
			return fmt.Errorf("%s.url: required", path)
		}
		b.URL = s.URL
	default:
		return fmt.Errorf("%s.type: %q is not supported (use base64 or url)", path, s.Type)
	}
	return nil
}

// decodeToolResultContent reads a tool result's content: absent, a string,
// or an array of text, image and document blocks.
func decodeToolResultContent(b *protocol.Block, raw json.RawMessage, path string) error {
	if isAbsent(raw) {
		return nil
	}
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &b.Text); err != nil {
			return jsonError(path, err)
		}
		return nil
	}
	var blocks []ContentBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return fmt.Errorf("%s: must be a string or an array of content blocks", path)
	}
	b.Content = make([]protocol.Block, 0, len(blocks))
	for k := range blocks {
		p := fmt.Sprintf("%s[%d]", path, k)
		switch blocks[k].Type {
		case "text", "image", "document":
		default:
			return fmt.Errorf("%s: content block type %q is not allowed in a tool result (use text, image or document)", p, blocks[k].Type)
		}
		c, err := decodeBlock(&blocks[k], p)
		if err != nil {
			return err
		}
		b.Content = append(b.Content, c)
	}
	return nil
}

// isAbsent reports whether a raw field was left out or set to null.
func isAbsent(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}
