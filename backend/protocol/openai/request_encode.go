package openai

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// Field limits of the Chat Completions API that clients of other formats
// exceed: OpenAI refuses the whole request with 400 "string too long"
// rather than cutting. user (like safety_identifier) is at most 64
// characters at OpenAI, 128 at OpenRouter; stop takes up to 4 sequences.
const (
	maxUser = 64
	maxStop = 4
	// maxToolCallID is OpenAI's cap on a tool call's id ("string too
	// long. Expected a string with maximum length 40"); ids from other
	// formats (Responses' fc_…, generated Gemini ids) can be longer.
	maxToolCallID = 40
)

// toolErrorPrefix marks a failed tool's output: Chat Completions tool
// messages have no is_error flag, so the model reads it in the text.
const toolErrorPrefix = "[tool error] "

// EncodeRequest builds a Chat Completions request for the upstream model
// opts.Model. Only fields of the Chat Completions API are written, so
// Anthropic-only ones (cache_control, metadata, thinking, top_k) never
// reach a provider that would reject them (docs/CONVERSION.md, rule 8).
func (Codec) EncodeRequest(req *protocol.Request, opts protocol.EncodeOptions) ([]byte, error) {
	model := opts.Model
	if model == "" {
		model = req.Model
	}
	reasoning := isReasoningModel(model)
	out := ChatRequest{Model: model, Stream: req.Stream, User: protocol.FitID(req.UserID, maxUser)}
	if req.Stream {
		out.StreamOptions = &StreamOptions{IncludeUsage: true} // docs/CONVERSION.md, rule 9
	}
	if req.MaxTokens > 0 {
		n := req.MaxTokens
		if reasoning {
			out.MaxCompletionTokens = &n
		} else {
			out.MaxTokens = &n
		}
	}
	// OpenAI's reasoning models reject any temperature or top_p but the
	// default; they are dropped rather than turned into a 400.
	if !reasoning {
		out.Temperature, out.TopP = req.Temperature, req.TopP
	}
	if len(req.Stop) > 0 {
		b, err := json.Marshal(req.Stop[:min(len(req.Stop), maxStop)])
		if err != nil {
			return nil, fmt.Errorf("encode stop sequences: %w", err)
		}
		out.Stop = b
	}
	if t := req.Thinking; t != nil && t.Enabled && takesReasoningEffort(model) {
		out.ReasoningEffort = effortFor(t)
	}
	out.Tools = encodeTools(req.Tools)
	if len(out.Tools) > 0 {
		if tc := req.ToolChoice; tc != nil {
			out.ToolChoice = encodeToolChoice(tc)
			if tc.DisableParallel {
				f := false
				out.ParallelToolCalls = &f
			}
		}
	}
	sys := joinText(req.System, "\n\n")
	if o := req.Output; o != nil {
		var note string
		out.ResponseFormat, note = encodeResponseFormat(o, model, req)
		if note != "" {
			sys = strings.TrimSpace(sys + "\n\n" + note)
		}
	}
	if sys != "" {
		out.Messages = append(out.Messages, ChatMessage{Role: "system", Content: TextContent(sys)})
	}
	sendReasoning := wantsReasoningBack(model)
	for i := range req.Messages {
		var err error
		m := &req.Messages[i]
		if m.Role == protocol.RoleAssistant {
			if msg, ok := encodeAssistant(m, sendReasoning); ok {
				out.Messages = append(out.Messages, msg)
			}
			continue
		}
		if out.Messages, err = appendUser(out.Messages, m); err != nil {
			return nil, fmt.Errorf("messages[%d]: %w", i, err)
		}
	}
	return json.Marshal(out)
}

// effortFor maps a thinking budget to reasoning_effort, unless the client
// spoke an effort itself.
// Anthropic's adaptive thinking names no budget: its effort is used, and
// OpenAI's default (medium) when it has none; Anthropic's "max" is OpenAI's
// "high".
func effortFor(t *protocol.Thinking) string {
	switch {
	case t.Effort == "max":
		return "high"
	case t.Effort != "":
		return t.Effort
	case t.Adaptive && t.BudgetTokens == 0:
		return "medium"
	case t.BudgetTokens < 4096:
		return "low"
	case t.BudgetTokens < 16384:
		return "medium"
	}
	return "high"
}

// encodeTools writes function tools. Anthropic server tools (web_search,
// code_execution, …) and Anthropic-defined client tools (bash, text_editor,
// computer) have no schema here and cannot run behind Chat Completions, so
// they are dropped.
func encodeTools(tools []protocol.Tool) []ChatTool {
	var out []ChatTool
	for _, t := range tools {
		if t.Type != "" && t.Type != "custom" && t.Type != "function" {
			continue
		}
		params := t.Schema
		if len(params) == 0 {
			params = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		out = append(out, ChatTool{Type: "function", Function: FunctionDef{
			Name: t.Name, Description: t.Description, Parameters: params,
		}})
	}
	return out
}

func encodeToolChoice(tc *protocol.ToolChoice) json.RawMessage {
	switch tc.Mode {
	case protocol.ToolAny:
		return json.RawMessage(`"required"`)
	case protocol.ToolNone:
		return json.RawMessage(`"none"`)
	case protocol.ToolName:
		b, _ := json.Marshal(map[string]any{"type": "function", "function": map[string]string{"name": tc.Name}})
		return b
	}
	return json.RawMessage(`"auto"`)
}

// encodeAssistant writes an assistant turn: its text as content and its
// tool_use blocks as tool_calls. Thinking is dropped, except that DeepSeek-
// style providers get their reasoning_content back (docs/CONVERSION.md, rule 7). ok is false
// when nothing is left to send.
func encodeAssistant(m *protocol.Message, sendReasoning bool) (ChatMessage, bool) {
	msg := ChatMessage{Role: "assistant"}
	var text, thinking strings.Builder
	for _, b := range m.Content {
		switch b.Type {
		case protocol.BlockText:
			text.WriteString(b.Text)
		case protocol.BlockThinking:
			thinking.WriteString(b.Thinking)
		case protocol.BlockToolUse:
			args := string(b.Input)
			if args == "" || args == "null" {
				args = "{}"
			}
			msg.ToolCalls = append(msg.ToolCalls, ToolCall{
				ID: protocol.FitID(b.ID, maxToolCallID), Type: "function", Function: FunctionCall{Name: b.Name, Arguments: Arguments(args)},
			})
		}
	}
	if text.Len() > 0 || len(msg.ToolCalls) == 0 {
		msg.Content = TextContent(text.String())
	}
	if sendReasoning {
		r := m.Reasoning
		if r == "" {
			r = thinking.String()
		}
		// DeepSeek checks that the field is there on tool-calling turns,
		// even when the model thought nothing.
		if r != "" || len(msg.ToolCalls) > 0 {
			msg.ReasoningContent = &r
		}
	}
	ok := text.Len() > 0 || len(msg.ToolCalls) > 0 || msg.ReasoningContent != nil
	return msg, ok
}

// appendUser writes a user turn: first one role:"tool" message per
// tool_result, in order, so they follow the assistant turn that made the
// calls (docs/CONVERSION.md, rule 5); then one user message with the rest. Tool messages can
// carry only text, so images a tool returned go into that user message,
// ahead of the user's own content.
func appendUser(msgs []ChatMessage, m *protocol.Message) ([]ChatMessage, error) {
	var parts []ContentPart
	for _, b := range m.Content {
		if b.Type != protocol.BlockToolResult {
			continue
		}
		var text []string
		for _, c := range b.Content {
			switch c.Type {
			case protocol.BlockText:
				text = append(text, c.Text)
			case protocol.BlockImage, protocol.BlockDocument:
				p, err := mediaPart(c)
				if err != nil {
					return nil, fmt.Errorf("tool result %s: %w", b.ToolUseID, err)
				}
				parts = append(parts, p)
			}
		}
		if b.Text != "" {
			text = append(text, b.Text)
		}
		out := strings.Join(text, "\n")
		if b.IsError {
			out = toolErrorPrefix + out
		}
		msgs = append(msgs, ChatMessage{Role: "tool", ToolCallID: protocol.FitID(b.ToolUseID, maxToolCallID), Content: TextContent(out)})
	}
	if len(parts) > 0 {
		parts = append([]ContentPart{{Type: "text", Text: "Images returned by the tool calls above:"}}, parts...)
	}
	for _, b := range m.Content {
		switch b.Type {
		case protocol.BlockText:
			if b.Text != "" {
				parts = append(parts, ContentPart{Type: "text", Text: b.Text})
			}
		case protocol.BlockImage, protocol.BlockDocument:
			p, err := mediaPart(b)
			if err != nil {
				return nil, err
			}
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return msgs, nil
	}
	// Text alone goes as a string: several OpenAI-compatible servers take
	// no part lists.
	allText := true
	for _, p := range parts {
		allText = allText && p.Type == "text"
	}
	if allText {
		texts := make([]string, len(parts))
		for i, p := range parts {
			texts[i] = p.Text
		}
		return append(msgs, ChatMessage{Role: "user", Content: TextContent(strings.Join(texts, "\n\n"))}), nil
	}
	return append(msgs, ChatMessage{Role: "user", Content: &Content{Parts: parts}}), nil
}

// mediaPart writes an image as an image_url (data URL for inline data) and
// a PDF as a file part with inline file_data, which is the only way Chat
// Completions takes a document without an upload; plain-text documents
// become text.
func mediaPart(b protocol.Block) (ContentPart, error) {
	if b.Type == protocol.BlockImage {
		url := b.URL
		if url == "" {
			if b.Data == "" {
				return ContentPart{}, errors.New("image without data or URL")
			}
			url = "data:" + b.MediaType + ";base64," + b.Data
		}
		return ContentPart{Type: "image_url", ImageURL: &ImageURL{URL: url}}, nil
	}
	switch {
	case b.MediaType == "text/plain":
		return ContentPart{Type: "text", Text: b.Data}, nil
	case b.URL != "":
		return ContentPart{}, errors.New("documents by URL are not supported by OpenAI Chat Completions; send the PDF as base64")
	case b.MediaType == "application/pdf" && b.Data != "":
		return ContentPart{Type: "file", File: &FilePart{
			Filename: "document.pdf", FileData: "data:application/pdf;base64," + b.Data,
		}}, nil
	}
	return ContentPart{}, fmt.Errorf("documents of type %q are not supported by OpenAI Chat Completions", b.MediaType)
}

func joinText(blocks []protocol.Block, sep string) string {
	var texts []string
	for _, b := range blocks {
		if b.Type == protocol.BlockText && b.Text != "" {
			texts = append(texts, b.Text)
		}
	}
	return strings.Join(texts, sep)
}
