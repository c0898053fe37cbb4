package responses

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// toolErrorPrefix marks a failed tool's output: Responses tool outputs have
// no error flag, so the model reads it in the text.
const toolErrorPrefix = "[tool error] "

// minOutputTokens is the smallest max_output_tokens OpenAI accepts.
const minOutputTokens = 16

// maxCallID is the longest call_id OpenAI accepts ("string too long.
// Expected a string with maximum length 64"); ids from other formats can be
// longer, and are cut to a stable stand-in on the call and its output alike.
const maxCallID = 64

// maxUserLen is the longest user OpenAI accepts; a longer one (Claude
// Code's metadata.user_id is a JSON object of some 150 characters) is left
// out rather than turned into a 400.
const maxUserLen = 64

// outRequest is the body sent to a Responses upstream.
type outRequest struct {
	Model              string            `json:"model"`
	Instructions       string            `json:"instructions,omitempty"`
	Input              []any             `json:"input"`
	Tools              []json.RawMessage `json:"tools,omitempty"`
	ToolChoice         any               `json:"tool_choice,omitempty"`
	ParallelToolCalls  *bool             `json:"parallel_tool_calls,omitempty"`
	Reasoning          *Reasoning        `json:"reasoning,omitempty"`
	Text               *TextConfig       `json:"text,omitempty"`
	MaxOutputTokens    *int              `json:"max_output_tokens,omitempty"`
	Temperature        *float64          `json:"temperature,omitempty"`
	TopP               *float64          `json:"top_p,omitempty"`
	Store              *bool             `json:"store,omitempty"`
	Stream             bool              `json:"stream,omitempty"`
	Include            []string          `json:"include,omitempty"`
	PromptCacheKey     string            `json:"prompt_cache_key,omitempty"`
	Metadata           json.RawMessage   `json:"metadata,omitempty"`
	PreviousResponseID string            `json:"previous_response_id,omitempty"`
	User               string            `json:"user,omitempty"`
}

// Input items as sent upstream, in the shapes Codex sends them.
type (
	inMessage struct {
		Type    string   `json:"type"`
		Role    string   `json:"role"`
		Content []inPart `json:"content"`
	}
	inPart struct {
		Type     string `json:"type"`
		Text     string `json:"text,omitempty"`
		ImageURL string `json:"image_url,omitempty"`
		Filename string `json:"filename,omitempty"`
		FileData string `json:"file_data,omitempty"`
		FileURL  string `json:"file_url,omitempty"`
	}
	inReasoning struct {
		Type             string        `json:"type"`
		ID               string        `json:"id,omitempty"`
		Summary          []SummaryPart `json:"summary"`
		EncryptedContent string        `json:"encrypted_content"`
	}
	inCall struct {
		Type      string  `json:"type"`
		CallID    string  `json:"call_id"`
		Name      string  `json:"name"`
		Arguments *string `json:"arguments,omitempty"`
		Input     *string `json:"input,omitempty"`
	}
	inOutput struct {
		Type   string `json:"type"`
		CallID string `json:"call_id"`
		Output any    `json:"output"`
	}
)

// EncodeRequest builds a Responses request for the upstream model
// opts.Model. Only what the Responses API takes is written: stop
// sequences and top_k have no place in it and are dropped; thinking that
// carries no encrypted content (Anthropic's, Gemini's) stays behind, since a
// reasoning item without it is refused, and a signature never leaves for
// OpenAI.
func (Codec) EncodeRequest(req *protocol.Request, opts protocol.EncodeOptions) ([]byte, error) {
	if req == nil {
		return nil, errors.New("encode responses request: no request")
	}
	model := opts.Model
	if model == "" {
		model = req.Model
	}
	reasoning := takesReasoning(model)
	out := outRequest{
		Model:              model,
		Instructions:       joinText(req.System, "\n\n"),
		Input:              []any{},
		Stream:             req.Stream,
		Store:              req.Store,
		Include:            req.Include,
		PromptCacheKey:     req.PromptCacheKey,
		Metadata:           req.Metadata,
		PreviousResponseID: req.PreviousResponseID,
	}
	if len(req.UserID) <= maxUserLen {
		out.User = req.UserID
	}
	if req.MaxTokens > 0 {
		n := max(req.MaxTokens, minOutputTokens)
		out.MaxOutputTokens = &n
	}
	if !reasoning {
		// OpenAI's reasoning models refuse any temperature or top_p but
		// the default; they are dropped rather than turned into a 400.
		out.Temperature, out.TopP = req.Temperature, req.TopP
	}
	if t := req.Thinking; t != nil && t.Enabled && (reasoning || t.Summary != "") {
		out.Reasoning = &Reasoning{Effort: effortFor(t), Summary: t.Summary}
		if req.Store == nil && req.Include == nil && openAIReasoning(model) {
			// A client of another format keeps no response ids: ask for
			// the reasoning itself, which rides back on its next turn
			// (in Claude Code's thinking signature), as Codex does.
			f := false
			out.Store, out.Include = &f, []string{"reasoning.encrypted_content"}
		}
	}
	if req.Output != nil || req.Verbosity != "" {
		out.Text = &TextConfig{Verbosity: req.Verbosity, Format: encodeFormat(req.Output)}
	}
	freeform := map[string]bool{}
	for _, t := range req.Tools {
		if t.Freeform {
			freeform[t.Name] = true
		}
	}
	var err error
	if out.Tools, err = encodeTools(req.Tools); err != nil {
		return nil, err
	}
	if len(out.Tools) > 0 && req.ToolChoice != nil {
		out.ToolChoice = encodeToolChoice(req.ToolChoice, freeform)
		if req.ToolChoice.DisableParallel {
			f := false
			out.ParallelToolCalls = &f
		}
	}
	calls := map[string]string{} // call id → tool name, to give each output its item type
	for i := range req.Messages {
		m := &req.Messages[i]
		if m.Role == protocol.RoleAssistant {
			out.Input = appendAssistant(out.Input, m, freeform, calls)
			continue
		}
		if out.Input, err = appendUser(out.Input, m, freeform, calls); err != nil {
			return nil, fmt.Errorf("encode responses request: messages[%d]: %w", i, err)
		}
	}
	if len(out.Input) == 0 && out.PreviousResponseID == "" {
		return nil, errors.New("encode responses request: no message has content the Responses API accepts")
	}
	return protocol.Marshal(out)
}

// effortFor maps thinking to reasoning.effort: the client's effort when it
// spoke one (Anthropic's "max" is "xhigh"), else by budget.
func effortFor(t *protocol.Thinking) string {
	switch {
	case t.Effort == "max":
		return "xhigh"
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

func encodeFormat(o *protocol.OutputFormat) *TextFormat {
	if o == nil {
		return nil
	}
	if o.Type == protocol.OutputJSONObject {
		return &TextFormat{Type: "json_object"}
	}
	name := o.Name
	if name == "" {
		name = "output"
	}
	strict := o.Strict
	return &TextFormat{Type: "json_schema", Name: name, Description: o.Description, Schema: o.Schema, Strict: &strict}
}

// encodeTools writes function tools (strict off: the Responses API makes
// function tools strict by default, and schemas written for other APIs
// rarely meet strict mode's rules), custom tools with their grammar,
// built-in Responses tools as the client sent them, and web search for a
// web search tool of another format. Other formats' server tools have no
// counterpart and are dropped.
func encodeTools(tools []protocol.Tool) ([]json.RawMessage, error) {
	var out []json.RawMessage
	for i := range tools {
		t := &tools[i]
		var v any
		switch {
		case len(t.ResponsesRaw) > 0 && json.Valid(t.ResponsesRaw):
			out = append(out, t.ResponsesRaw)
			continue
		case t.Freeform:
			var format json.RawMessage
			if len(t.Format) > 0 && json.Valid(t.Format) {
				format = t.Format
			}
			v = struct {
				Type        string          `json:"type"`
				Name        string          `json:"name"`
				Description string          `json:"description,omitempty"`
				Format      json.RawMessage `json:"format,omitempty"`
			}{"custom", t.Name, t.Description, format}
		case strings.HasPrefix(t.Type, "web_search"):
			v = map[string]string{"type": "web_search"}
		case t.Type != "" && t.Type != "custom" && t.Type != "function":
			continue
		default:
			params := t.Schema
			if len(bytes.TrimSpace(params)) == 0 || !json.Valid(params) {
				params = json.RawMessage(`{"type":"object","properties":{}}`)
			}
			v = struct {
				Type        string          `json:"type"`
				Name        string          `json:"name"`
				Description string          `json:"description,omitempty"`
				Parameters  json.RawMessage `json:"parameters"`
				Strict      bool            `json:"strict"`
			}{"function", t.Name, t.Description, params, false}
		}
		b, err := protocol.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encode responses request: tools[%d]: %w", i, err)
		}
		out = append(out, b)
	}
	return out, nil
}

func encodeToolChoice(tc *protocol.ToolChoice, freeform map[string]bool) any {
	switch tc.Mode {
	case protocol.ToolAny:
		return "required"
	case protocol.ToolNone:
		return "none"
	case protocol.ToolName:
		typ := "function"
		if freeform[tc.Name] {
			typ = "custom"
		}
		return map[string]string{"type": typ, "name": tc.Name}
	}
	return "auto"
}

// appendAssistant writes an assistant turn as items, in the order the model
// produced them: reasoning (only with OpenAI's encrypted content), text as
// one message per run of text, each tool call as its own item.
func appendAssistant(items []any, m *protocol.Message, freeform map[string]bool, calls map[string]string) []any {
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			items = append(items, inMessage{Type: "message", Role: "assistant",
				Content: []inPart{{Type: "output_text", Text: text.String()}}})
			text.Reset()
		}
	}
	for i := range m.Content {
		b := &m.Content[i]
		switch b.Type {
		case protocol.BlockText:
			text.WriteString(b.Text)
		case protocol.BlockThinking:
			if b.Encrypted == "" {
				continue
			}
			flush()
			summary := []SummaryPart{}
			if b.Thinking != "" {
				summary = append(summary, SummaryPart{Type: "summary_text", Text: b.Thinking})
			}
			// The item goes back with the id the upstream gave it: its
			// encrypted content is bound to that id, and OpenAI (and the
			// servers that copy its API) refuse it under another ("The
			// encrypted content for item … could not be verified"). OpenAI
			// also takes such an item without its id, but not every server
			// does, and Codex itself sends its reasoning items back with
			// their ids, store off. An id is never made up here.
			items = append(items, inReasoning{Type: "reasoning", ID: b.ID, Summary: summary, EncryptedContent: b.Encrypted})
		case protocol.BlockToolUse:
			flush()
			calls[b.ID] = b.Name
			if freeform[b.Name] {
				input := protocol.FreeformText(b.Input)
				items = append(items, inCall{Type: "custom_tool_call", CallID: protocol.FitID(b.ID, maxCallID), Name: b.Name, Input: &input})
				continue
			}
			args := string(bytes.TrimSpace(b.Input))
			if args == "" || args == "null" {
				args = "{}"
			}
			items = append(items, inCall{Type: "function_call", CallID: protocol.FitID(b.ID, maxCallID), Name: b.Name, Arguments: &args})
		}
	}
	flush()
	return items
}

// appendUser writes a user turn: its tool results first, each as the output
// item of its call, then one message with the rest.
func appendUser(items []any, m *protocol.Message, freeform map[string]bool, calls map[string]string) ([]any, error) {
	for i := range m.Content {
		b := &m.Content[i]
		if b.Type != protocol.BlockToolResult {
			continue
		}
		output, err := toolOutput(b)
		if err != nil {
			return nil, fmt.Errorf("tool result %s: %w", b.ToolUseID, err)
		}
		typ := "function_call_output"
		if freeform[calls[b.ToolUseID]] {
			typ = "custom_tool_call_output"
			if _, isText := output.(string); !isText {
				output = partsText(output.([]inPart))
			}
		}
		items = append(items, inOutput{Type: typ, CallID: protocol.FitID(b.ToolUseID, maxCallID), Output: output})
	}
	var parts []inPart
	for i := range m.Content {
		b := &m.Content[i]
		switch b.Type {
		case protocol.BlockText:
			if b.Text != "" {
				parts = append(parts, inPart{Type: "input_text", Text: b.Text})
			}
		case protocol.BlockImage, protocol.BlockDocument:
			p, err := mediaPart(b)
			if err != nil {
				return nil, err
			}
			parts = append(parts, p)
		}
	}
	if len(parts) > 0 {
		items = append(items, inMessage{Type: "message", Role: "user", Content: parts})
	}
	return items, nil
}

// toolOutput is a tool result's output: its text as a string, or input
// parts when it returned images or documents.
func toolOutput(b *protocol.Block) (any, error) {
	var parts []inPart
	var texts []string
	media := false
	for i := range b.Content {
		c := &b.Content[i]
		switch c.Type {
		case protocol.BlockText:
			texts = append(texts, c.Text)
			parts = append(parts, inPart{Type: "input_text", Text: c.Text})
		case protocol.BlockImage, protocol.BlockDocument:
			p, err := mediaPart(c)
			if err != nil {
				return nil, err
			}
			media = true
			parts = append(parts, p)
		}
	}
	if b.Text != "" {
		texts = append(texts, b.Text)
		parts = append(parts, inPart{Type: "input_text", Text: b.Text})
	}
	if media {
		if b.IsError {
			parts = append([]inPart{{Type: "input_text", Text: strings.TrimSpace(toolErrorPrefix)}}, parts...)
		}
		return parts, nil
	}
	out := strings.Join(texts, "\n")
	if b.IsError {
		out = toolErrorPrefix + out
	}
	return out, nil
}

func partsText(parts []inPart) string {
	var texts []string
	for _, p := range parts {
		if p.Text != "" {
			texts = append(texts, p.Text)
		}
	}
	return strings.Join(texts, "\n")
}

// mediaPart writes an image as input_image (a data URL for inline data)
// and a document as input_file; plain-text documents become text.
func mediaPart(b *protocol.Block) (inPart, error) {
	if b.Type == protocol.BlockImage {
		url := b.URL
		if url == "" {
			if b.Data == "" {
				return inPart{}, errors.New("image without data or URL")
			}
			url = "data:" + b.MediaType + ";base64," + b.Data
		}
		return inPart{Type: "input_image", ImageURL: url}, nil
	}
	switch {
	case b.MediaType == "text/plain":
		return inPart{Type: "input_text", Text: b.Data}, nil
	case b.URL != "":
		return inPart{Type: "input_file", FileURL: b.URL}, nil
	case b.Data != "":
		media := b.MediaType
		if media == "" {
			media = "application/pdf"
		}
		return inPart{Type: "input_file", Filename: "document.pdf", FileData: "data:" + media + ";base64," + b.Data}, nil
	}
	return inPart{}, errors.New("document without data or URL")
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
