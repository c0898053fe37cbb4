package anthropic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// outRequest is the body sent upstream. Field order follows the API
// reference so that bodies read naturally in logs.
type outRequest struct {
	Model         string            `json:"model"`
	MaxTokens     int               `json:"max_tokens"`
	System        any               `json:"system,omitempty"` // string or []ContentBlock
	Messages      []outMessage      `json:"messages"`
	Tools         []json.RawMessage `json:"tools,omitempty"`
	ToolChoice    *ToolChoice       `json:"tool_choice,omitempty"`
	Thinking      *ThinkingConfig   `json:"thinking,omitempty"`
	OutputConfig  *OutputConfig     `json:"output_config,omitempty"`
	Temperature   *float64          `json:"temperature,omitempty"`
	TopP          *float64          `json:"top_p,omitempty"`
	TopK          *int              `json:"top_k,omitempty"`
	StopSequences []string          `json:"stop_sequences,omitempty"`
	Stream        bool              `json:"stream,omitempty"`
	Metadata      *Metadata         `json:"metadata,omitempty"`
}

// outMessage is a turn sent upstream; Content is a string or blocks.
type outMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

// EncodeRequest builds an upstream Messages API body for opts.Model.
// What Anthropic would reject is left out rather than sent: unsigned
// thinking (docs/CONVERSION.md, rule 7: a signature is never invented), DeepSeek-style
// Message.Reasoning, empty text blocks and the turns they leave empty.
// Tool results are moved to the front of their user turn, where Anthropic
// wants them. See planSampling for thinking, max_tokens and sampling, and
// applyOutput for structured output.
func (Codec) EncodeRequest(req *protocol.Request, opts protocol.EncodeOptions) ([]byte, error) {
	if req == nil {
		return nil, fmt.Errorf("encode anthropic request: no request")
	}
	model := opts.Model
	if model == "" {
		model = req.Model
	}
	req, format := applyOutput(req, model)
	plan := planSampling(req, lastAssistantNeedsSignature(req.Messages))
	if format != nil {
		if plan.outputConfig == nil {
			plan.outputConfig = &OutputConfig{}
		}
		plan.outputConfig.Format = format
	}
	out := outRequest{
		Model:         model,
		MaxTokens:     plan.maxTokens,
		System:        encodeSystem(req.System),
		Messages:      make([]outMessage, 0, len(req.Messages)),
		Thinking:      plan.thinking,
		OutputConfig:  plan.outputConfig,
		Temperature:   plan.temperature,
		TopP:          plan.topP,
		TopK:          plan.topK,
		StopSequences: req.Stop,
		Stream:        req.Stream,
	}
	if req.UserID != "" {
		// An OpenAI client's user fits; a longer id from elsewhere is cut
		// to a stable stand-in within the 256 characters older Anthropic
		// references give as the maximum (newer ones give 512).
		out.Metadata = &Metadata{UserID: protocol.FitID(req.UserID, 256)}
	}
	for i := range req.Messages {
		if m, ok := encodeMessage(&req.Messages[i], i); ok {
			out.Messages = append(out.Messages, m)
		}
	}
	if len(out.Messages) == 0 {
		return nil, fmt.Errorf("encode anthropic request: no message has content Anthropic accepts")
	}
	tools, err := encodeTools(req.Tools)
	if err != nil {
		return nil, err
	}
	out.Tools = tools
	if tc := req.ToolChoice; tc != nil && tc.Mode != "" {
		out.ToolChoice = &ToolChoice{Type: string(tc.Mode), DisableParallelToolUse: tc.DisableParallel && tc.Mode != protocol.ToolNone}
		if tc.Mode == protocol.ToolName {
			out.ToolChoice.Name = tc.Name
		}
	}
	return protocol.Marshal(out)
}

// encodeSystem gives a single plain text block as a string, like most
// clients send it, and blocks otherwise (cache_control needs them).
func encodeSystem(blocks []protocol.Block) any {
	out := make([]ContentBlock, 0, len(blocks))
	for i := range blocks {
		if strings.TrimSpace(blocks[i].Text) == "" {
			continue
		}
		cb := ContentBlock{Type: "text", Text: &blocks[i].Text}
		if json.Valid(blocks[i].CacheControl) {
			cb.CacheControl = blocks[i].CacheControl
		}
		out = append(out, cb)
	}
	switch {
	case len(out) == 0:
		return nil
	case len(out) == 1 && len(out[0].CacheControl) == 0:
		return *out[0].Text
	}
	return out
}

// encodeMessage converts one turn; ok is false when nothing is left of it.
func encodeMessage(m *protocol.Message, index int) (outMessage, bool) {
	role := "user"
	if m.Role == protocol.RoleAssistant {
		role = "assistant"
	}
	blocks := make([]ContentBlock, 0, len(m.Content))
	results := 0
	for j := range m.Content {
		b := &m.Content[j]
		if !keptInRequest(b) {
			continue
		}
		wb := encodeBlock(b, "request/"+strconv.Itoa(index), j, true)
		if b.Type == protocol.BlockToolResult && role == "user" {
			// Tool results come first in their turn: move this one after
			// the results already placed, ahead of any other content.
			blocks = append(blocks, ContentBlock{})
			copy(blocks[results+1:], blocks[results:])
			blocks[results] = wb
			results++
			continue
		}
		blocks = append(blocks, wb)
	}
	if len(blocks) == 0 {
		return outMessage{}, false
	}
	if len(blocks) == 1 && blocks[0].Type == "text" && len(blocks[0].CacheControl) == 0 {
		return outMessage{Role: role, Content: *blocks[0].Text}, true
	}
	return outMessage{Role: role, Content: blocks}, true
}

// keptInRequest reports whether a block is sent to an Anthropic upstream.
func keptInRequest(b *protocol.Block) bool {
	switch b.Type {
	case protocol.BlockText:
		return strings.TrimSpace(b.Text) != ""
	case protocol.BlockThinking:
		return b.Signature != ""
	case protocol.BlockRedactedThinking:
		return b.Data != ""
	case protocol.BlockImage, protocol.BlockDocument:
		return b.Data != "" || b.URL != ""
	case protocol.BlockToolUse, protocol.BlockToolResult:
		return true
	}
	return false
}

// encodeBlock converts one block for the wire. In requests a thinking block
// carries its signature as is; in replies to clients an unsigned one gets
// the empty signature the shape requires.
func encodeBlock(b *protocol.Block, scope string, index int, request bool) ContentBlock {
	w := ContentBlock{Type: string(b.Type)}
	if request && json.Valid(b.CacheControl) {
		w.CacheControl = b.CacheControl
	}
	switch b.Type {
	case protocol.BlockText:
		w.Text = &b.Text
	case protocol.BlockImage, protocol.BlockDocument:
		w.Source = encodeSource(b)
	case protocol.BlockToolUse:
		w.ID, w.Name, w.Input = toolID(b.ID, scope, index), b.Name, objectOrEmpty(b.Input)
		if !request {
			// A client carries a Gemini call's signature in its id; an
			// Anthropic upstream never sees one.
			w.ID = protocol.JoinToolID(w.ID, b.Signature)
		}
	case protocol.BlockToolResult:
		w.ToolUseID, w.IsError = toolID(b.ToolUseID, scope, index), b.IsError
		w.Content = encodeToolResultContent(b)
	case protocol.BlockThinking:
		w.Thinking, w.Signature = &b.Thinking, &b.Signature
		if !request {
			sig := carriedSignature(b)
			w.Signature = &sig
		}
	case protocol.BlockRedactedThinking:
		w.Data = b.Data
	}
	return w
}

func encodeSource(b *protocol.Block) *Source {
	if b.URL != "" && b.Data == "" {
		return &Source{Type: "url", URL: b.URL}
	}
	mt := b.MediaType
	if mt == "" && b.Type == protocol.BlockDocument {
		mt = "application/pdf"
	}
	return &Source{Type: "base64", MediaType: mt, Data: b.Data}
}

// encodeToolResultContent gives a tool result's content as a string when
// it is plain text, else as text, image and document blocks.
func encodeToolResultContent(b *protocol.Block) json.RawMessage {
	if len(b.Content) == 0 {
		if b.Text == "" {
			return nil
		}
		raw, _ := protocol.Marshal(b.Text) // a string always encodes
		return raw
	}
	blocks := make([]ContentBlock, 0, len(b.Content))
	for k := range b.Content {
		c := &b.Content[k]
		switch c.Type {
		case protocol.BlockText, protocol.BlockImage, protocol.BlockDocument:
			if keptInRequest(c) {
				blocks = append(blocks, encodeBlock(c, "", k, true))
			}
		}
	}
	if len(blocks) == 0 {
		return nil
	}
	raw, _ := protocol.Marshal(blocks) // blocks of strings and valid raw JSON always encode
	return raw
}

// encodeTools writes custom tools as {name, description, input_schema} and
// server tools as the definition the client sent.
func encodeTools(tools []protocol.Tool) ([]json.RawMessage, error) {
	if len(tools) == 0 {
		return nil, nil
	}
	out := make([]json.RawMessage, 0, len(tools))
	for i := range tools {
		t := &tools[i]
		if t.Type != "" && t.Type != "custom" && json.Valid(t.Raw) {
			out = append(out, t.Raw)
			continue
		}
		if t.Type != "" && t.Type != "custom" {
			continue // a server tool without its definition cannot be sent
		}
		schema := t.Schema
		if !json.Valid(schema) || bytes.TrimSpace(schema)[0] != '{' {
			schema = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		ct := CustomTool{Name: t.Name, Description: t.Description, InputSchema: schema}
		if json.Valid(t.CacheControl) {
			ct.CacheControl = t.CacheControl
		}
		raw, err := protocol.Marshal(ct)
		if err != nil {
			return nil, fmt.Errorf("encode anthropic request: tools[%d]: %w", i, err)
		}
		out = append(out, raw)
	}
	return out, nil
}

// objectOrEmpty returns raw when it is a JSON object, else {}: Anthropic
// wants tool input as an object, never absent.
func objectOrEmpty(raw json.RawMessage) json.RawMessage {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return json.RawMessage("{}")
	}
	return t
}
