package gemini

import (
	"fmt"
	"mime"
	"path"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// maxStopSequences is how many stop sequences Gemini accepts; more is a 400.
const maxStopSequences = 5

// encodeRequest builds a Gemini request from the neutral one (docs/CONVERSION.md, rules 1-9).
// Fields Gemini has no place for (cache_control, metadata, user id,
// disable_parallel_tool_use) are left out rather than leaked (docs/CONVERSION.md, rule 8).
func encodeRequest(req *protocol.Request, model string) ([]byte, error) {
	if req == nil {
		return nil, fmt.Errorf("no request to encode")
	}
	out := GenerateContentRequest{Contents: []Content{}}
	if sys := systemInstruction(req.System); sys != nil {
		out.SystemInstruction = sys
	}
	contents, err := encodeContents(req.Messages, model)
	if err != nil {
		return nil, err
	}
	out.Contents = contents

	tools, err := encodeTools(req.Tools)
	if err != nil {
		return nil, err
	}
	out.Tools = tools
	if hasFunctions(tools) {
		out.ToolConfig = encodeToolChoice(req.ToolChoice)
	}

	gc := GenerationConfig{
		MaxOutputTokens: max(req.MaxTokens, 0),
		Temperature:     req.Temperature,
		TopP:            req.TopP,
		TopK:            req.TopK,
		ThinkingConfig:  thinkingConfig(req.Thinking, model),
	}
	if len(req.Stop) > 0 {
		gc.StopSequences = req.Stop[:min(len(req.Stop), maxStopSequences)]
	}
	if req.Output != nil {
		if note := encodeOutput(&gc, req.Output, model, hasFunctions(tools)); note != "" {
			if out.SystemInstruction == nil {
				out.SystemInstruction = &Content{Role: "user"}
			}
			out.SystemInstruction.Parts = append(out.SystemInstruction.Parts, Part{Text: note})
		}
	}
	if gc.MaxOutputTokens > 0 || gc.Temperature != nil || gc.TopP != nil || gc.TopK != nil ||
		gc.StopSequences != nil || gc.ThinkingConfig != nil || gc.ResponseMimeType != "" {
		out.GenerationConfig = &gc
	}
	return protocol.Marshal(out)
}

// systemInstruction keeps the system prompt in its own field (docs/CONVERSION.md, rule 1),
// never folded into a user turn.
func systemInstruction(blocks []protocol.Block) *Content {
	var parts []Part
	for _, b := range blocks {
		if b.Text != "" {
			parts = append(parts, Part{Text: b.Text})
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return &Content{Role: "user", Parts: parts}
}

// encodeContents turns messages into alternating user/model turns.
// Consecutive turns of one role are merged, as Gemini wants alternation.
func encodeContents(msgs []protocol.Message, model string) ([]Content, error) {
	names := map[string]string{} // tool_use id → tool name, for functionResponse.name
	for _, m := range msgs {
		for _, b := range m.Content {
			if b.Type == protocol.BlockToolUse && b.ID != "" {
				names[b.ID] = b.Name
			}
		}
	}
	contents := make([]Content, 0, len(msgs))
	for i, m := range msgs {
		role := "user"
		if m.Role == protocol.RoleAssistant {
			role = "model"
		}
		parts := make([]Part, 0, len(m.Content))
		for j, b := range m.Content {
			var err error
			parts, err = appendPart(parts, b, names, model)
			if err != nil {
				return nil, fmt.Errorf("messages[%d].content[%d]: %w", i, j, err)
			}
		}
		if role == "model" && needsSignatures(model) {
			signFirstCall(parts)
		}
		if len(parts) == 0 {
			continue
		}
		if n := len(contents); n > 0 && contents[n-1].Role == role {
			contents[n-1].Parts = append(contents[n-1].Parts, parts...)
			continue
		}
		contents = append(contents, Content{Role: role, Parts: parts})
	}
	return contents, nil
}

// signFirstCall gives the first function call of a model step the
// documented skip signature when it has none: Gemini 3 wants a signature
// on the first call of each step (parallel calls after it carry none).
func signFirstCall(parts []Part) {
	for i := range parts {
		if parts[i].FunctionCall != nil {
			if parts[i].ThoughtSignature == "" {
				parts[i].ThoughtSignature = skipSignature
			}
			return
		}
	}
}

func appendPart(parts []Part, b protocol.Block, names map[string]string, model string) ([]Part, error) {
	switch b.Type {
	case protocol.BlockText:
		if b.Text != "" { // Gemini rejects empty text parts
			parts = append(parts, Part{Text: b.Text, ThoughtSignature: b.Signature})
		}
	case protocol.BlockImage, protocol.BlockDocument:
		p, err := mediaPart(b)
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
	case protocol.BlockToolUse:
		if b.Name == "" {
			return nil, fmt.Errorf("tool_use %q has no name", b.ID)
		}
		parts = append(parts, Part{
			FunctionCall:     &FunctionCall{ID: b.ID, Name: b.Name, Args: objectOrEmpty(b.Input)},
			ThoughtSignature: b.Signature,
		})
	case protocol.BlockToolResult:
		return appendToolResult(parts, b, names, model)
	case protocol.BlockThinking:
		if b.Thinking != "" || b.Signature != "" {
			parts = append(parts, Part{Text: b.Thinking, Thought: true, ThoughtSignature: b.Signature})
		}
	case protocol.BlockRedactedThinking:
		// Anthropic's encrypted reasoning means nothing to Gemini.
	default:
		return nil, fmt.Errorf("content block type %q is not supported by Gemini", b.Type)
	}
	return parts, nil
}

// appendToolResult writes a functionResponse named after the call it
// answers (docs/CONVERSION.md, rule 5). Text is joined, not JSON-stringified; is_error is kept
// as {"error": …}. Media goes inside the response on Gemini 3 and as
// sibling parts of the same turn on older models.
func appendToolResult(parts []Part, b protocol.Block, names map[string]string, model string) ([]Part, error) {
	name, ok := names[b.ToolUseID]
	if !ok {
		return nil, fmt.Errorf("tool_result %q answers no tool_use earlier in the conversation", b.ToolUseID)
	}
	var texts []string
	if b.Text != "" {
		texts = append(texts, b.Text)
	}
	var media []Part
	for _, c := range b.Content {
		switch c.Type {
		case protocol.BlockText:
			if c.Text != "" {
				texts = append(texts, c.Text)
			}
		case protocol.BlockImage, protocol.BlockDocument:
			p, err := mediaPart(c)
			if err != nil {
				return nil, fmt.Errorf("tool_result %q: %w", b.ToolUseID, err)
			}
			media = append(media, p)
		}
	}
	key := "output"
	if b.IsError {
		key = "error"
	}
	resp, _ := protocol.Marshal(map[string]string{key: strings.Join(texts, "\n")}) // strings always encode
	fr := &FunctionResponse{ID: b.ToolUseID, Name: name, Response: resp}
	if multimodalFunctionResponses(model) {
		for _, m := range media {
			fr.Parts = append(fr.Parts, FunctionResponsePart{InlineData: m.InlineData, FileData: m.FileData})
		}
		media = nil
	}
	parts = append(parts, Part{FunctionResponse: fr})
	return append(parts, media...), nil
}

// mediaPart writes an image or document: base64 data inline, a URL as
// fileData with a MIME type (Gemini requires one).
func mediaPart(b protocol.Block) (Part, error) {
	mt := b.MediaType
	if mt == "" && b.Type == protocol.BlockDocument {
		mt = "application/pdf"
	}
	switch {
	case b.Data != "" && strings.HasPrefix(mt, "text/"):
		return Part{Text: b.Data}, nil // a plain-text document is just text
	case b.Data != "":
		if mt == "" {
			return Part{}, fmt.Errorf("%s block has base64 data but no media type", b.Type)
		}
		return Part{InlineData: &Blob{MimeType: mt, Data: b.Data}}, nil
	case b.URL != "":
		if mt == "" {
			mt = mimeFromURL(b.URL, b.Type)
		}
		return Part{FileData: &FileData{MimeType: mt, FileURI: b.URL}}, nil
	}
	return Part{}, fmt.Errorf("%s block has neither data nor url", b.Type)
}

// mimeFromURL guesses a MIME type from a URL's extension.
func mimeFromURL(u string, t protocol.BlockType) string {
	clean, _, _ := strings.Cut(u, "?")
	if mt := mime.TypeByExtension(strings.ToLower(path.Ext(clean))); mt != "" {
		mt, _, _ = strings.Cut(mt, ";")
		return mt
	}
	if t == protocol.BlockDocument {
		return "application/pdf"
	}
	return "image/jpeg"
}

// encodeTools writes function declarations with cleaned schemas (docs/CONVERSION.md, rule 3).
// Anthropic's web_search server tool becomes Gemini's googleSearch, but only
// when there are no functions: Gemini 2.x rejects built-in tools mixed with
// function calling. Other server tools (bash, text_editor, computer) have no
// schema Gemini could use and are dropped.
func encodeTools(tools []protocol.Tool) ([]Tool, error) {
	var decls []FunctionDeclaration
	search := false
	for i, t := range tools {
		if t.Type != "" && t.Type != "custom" && t.Type != "function" {
			if strings.HasPrefix(t.Type, "web_search") {
				search = true
			}
			continue
		}
		if t.Name == "" {
			return nil, fmt.Errorf("tools[%d] has no name", i)
		}
		params, err := CleanSchema(t.Schema)
		if err != nil {
			return nil, fmt.Errorf("tools[%d] (%s): %w", i, t.Name, err)
		}
		decls = append(decls, FunctionDeclaration{Name: t.Name, Description: t.Description, Parameters: params})
	}
	switch {
	case len(decls) > 0:
		return []Tool{{FunctionDeclarations: decls}}, nil
	case search:
		return []Tool{{GoogleSearch: &struct{}{}}}, nil
	}
	return nil, nil
}

func hasFunctions(tools []Tool) bool {
	return len(tools) > 0 && len(tools[0].FunctionDeclarations) > 0
}

// encodeToolChoice maps tool_choice (docs/CONVERSION.md, rule 4).
func encodeToolChoice(tc *protocol.ToolChoice) *ToolConfig {
	if tc == nil {
		return nil
	}
	fc := &FunctionCallingConfig{}
	switch tc.Mode {
	case protocol.ToolAuto:
		fc.Mode = "AUTO"
	case protocol.ToolAny:
		fc.Mode = "ANY"
	case protocol.ToolNone:
		fc.Mode = "NONE"
	case protocol.ToolName:
		fc.Mode = "ANY"
		fc.AllowedFunctionNames = []string{tc.Name}
	default:
		return nil
	}
	return &ToolConfig{FunctionCallingConfig: fc}
}
