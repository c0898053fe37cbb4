package responses

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// decodeInput fills Messages (and System, for system and developer
// messages, wherever they stand: rule 1) from input, a string or a list of
// items. Assistant-side items in a row (a message, reasoning, calls) make
// one assistant turn; tool outputs and user messages in a row make one user
// turn, so the Anthropic and Gemini encoders see alternating roles.
func decodeInput(req *protocol.Request, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("input: %w", err)
		}
		if s != "" {
			appendTurn(req, protocol.RoleUser, []protocol.Block{{Type: protocol.BlockText, Text: s}})
		}
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return errors.New("input: must be a string or an array of items")
	}
	for i, itemRaw := range items {
		where := "input[" + strconv.Itoa(i) + "]"
		var it Item
		if err := json.Unmarshal(itemRaw, &it); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if err := decodeItem(req, &it, where); err != nil {
			return err
		}
	}
	return nil
}

func decodeItem(req *protocol.Request, it *Item, where string) error {
	typ := it.Type
	if typ == "" && it.Role != "" {
		typ = "message"
	}
	switch typ {
	case "message":
		return decodeMessage(req, it, where)
	case "reasoning":
		if b, ok := reasoningBlock(it); ok {
			appendTurn(req, protocol.RoleAssistant, []protocol.Block{b})
		}
	case "function_call":
		if it.CallID == "" || it.Name == "" {
			return fmt.Errorf("%s: call_id and name are required for a function_call", where)
		}
		input, _ := protocol.RepairJSON(string(it.Arguments))
		// A call from a Gemini upstream carries its thought signature in
		// its call_id (protocol.JoinToolID); the Gemini encoder sends it
		// back, and the call and its output pair on the id without it.
		id, sig := protocol.SplitToolID(it.CallID)
		appendTurn(req, protocol.RoleAssistant, []protocol.Block{{Type: protocol.BlockToolUse, ID: id, Name: it.Name, Input: input, Signature: sig}})
	case "custom_tool_call":
		if it.CallID == "" || it.Name == "" {
			return fmt.Errorf("%s: call_id and name are required for a custom_tool_call", where)
		}
		id, sig := protocol.SplitToolID(it.CallID)
		appendTurn(req, protocol.RoleAssistant, []protocol.Block{{Type: protocol.BlockToolUse, ID: id, Name: it.Name,
			Input: protocol.FreeformInput(it.Input), Signature: sig}})
	case "local_shell_call":
		id := it.CallID
		if id == "" {
			id = it.ID
		}
		if id == "" {
			return fmt.Errorf("%s: call_id is required for a local_shell_call", where)
		}
		input := json.RawMessage("{}")
		if a := bytes.TrimSpace(it.Action); len(a) > 0 && a[0] == '{' && json.Valid(a) {
			input = a
		}
		id, sig := protocol.SplitToolID(id)
		appendTurn(req, protocol.RoleAssistant, []protocol.Block{{Type: protocol.BlockToolUse, ID: id, Name: "local_shell", Input: input, Signature: sig}})
	case "function_call_output", "custom_tool_call_output", "local_shell_call_output":
		if it.CallID == "" {
			return fmt.Errorf("%s.call_id: required for a %s", where, typ)
		}
		id, _ := protocol.SplitToolID(it.CallID)
		result := protocol.Block{Type: protocol.BlockToolResult, ToolUseID: id}
		content, err := decodeOutput(it.Output, where+".output")
		if err != nil {
			return err
		}
		result.Content = content
		appendTurn(req, protocol.RoleUser, []protocol.Block{result})
	case "web_search_call", "file_search_call", "image_generation_call", "code_interpreter_call",
		"mcp_list_tools", "mcp_call", "mcp_approval_request", "mcp_approval_response", "ghost_snapshot":
		// Records of work the upstream did itself (or a client's own
		// bookkeeping): nothing another model can be given.
	case "item_reference":
		return fmt.Errorf("%s: item references need the upstream's response store; send the items themselves, or use an openai-responses channel", where)
	case "compaction", "compaction_summary":
		return fmt.Errorf("%s: %s items are OpenAI's encrypted history and only an openai-responses channel can read them", where, typ)
	case "":
		return fmt.Errorf("%s.type: required", where)
	default:
		return fmt.Errorf("%s.type: item type %q cannot be converted for this channel", where, typ)
	}
	return nil
}

// reasoningBlock turns a reasoning item into a thinking block: its summary
// (or its reasoning text) as the thinking, OpenAI's encrypted content kept
// for Responses upstreams with the item's id (the content is bound to it),
// and a signature Routex carried for a client restored as one. ok is false
// when the item holds nothing.
func reasoningBlock(it *Item) (protocol.Block, bool) {
	var texts []string
	for _, s := range it.Summary {
		if s.Text != "" {
			texts = append(texts, s.Text)
		}
	}
	if len(texts) == 0 {
		var parts []SummaryPart
		if json.Unmarshal(it.Content, &parts) == nil {
			for _, p := range parts {
				if p.Text != "" {
					texts = append(texts, p.Text)
				}
			}
		}
	}
	b := protocol.Block{Type: protocol.BlockThinking, ID: it.ID, Thinking: strings.Join(texts, "\n\n")}
	if it.EncryptedContent != nil {
		enc := *it.EncryptedContent
		switch {
		case strings.HasPrefix(enc, signatureMarker):
			// Routex named the item; only the signature is the provider's.
			b.ID, b.Signature = "", strings.TrimPrefix(enc, signatureMarker)
		case strings.HasPrefix(enc, redactedMarker):
			return protocol.Block{Type: protocol.BlockRedactedThinking, Data: strings.TrimPrefix(enc, redactedMarker)}, true
		default:
			b.Encrypted = enc
		}
	}
	return b, b.Thinking != "" || b.Signature != "" || b.Encrypted != ""
}

// decodeMessage reads a message item of any role.
func decodeMessage(req *protocol.Request, it *Item, where string) error {
	switch it.Role {
	case "system", "developer":
		text, err := contentText(it.Content, where)
		if err != nil {
			return err
		}
		if text != "" {
			req.System = append(req.System, protocol.Block{Type: protocol.BlockText, Text: text})
		}
	case "user":
		blocks, err := decodeParts(it.Content, where+".content")
		if err != nil {
			return err
		}
		appendTurn(req, protocol.RoleUser, blocks)
	case "assistant":
		text, err := contentText(it.Content, where)
		if err != nil {
			return err
		}
		if text != "" {
			appendTurn(req, protocol.RoleAssistant, []protocol.Block{{Type: protocol.BlockText, Text: text}})
		}
	case "":
		return fmt.Errorf("%s.role: required", where)
	default:
		return fmt.Errorf("%s.role: %q is not one of user, assistant, system, developer", where, it.Role)
	}
	return nil
}

// appendTurn adds blocks to the last turn when it has the same role, else
// starts a turn.
func appendTurn(req *protocol.Request, role protocol.Role, blocks []protocol.Block) {
	if len(blocks) == 0 {
		return
	}
	if n := len(req.Messages); n > 0 && req.Messages[n-1].Role == role {
		req.Messages[n-1].Content = append(req.Messages[n-1].Content, blocks...)
		return
	}
	req.Messages = append(req.Messages, protocol.Message{Role: role, Content: blocks})
}

// contentText joins the text of a message's content: the string, or the
// text of its text parts (input_text, output_text, refusal).
func contentText(raw json.RawMessage, where string) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var parts []Part
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("%s.content: must be a string or an array of content parts", where)
	}
	var texts []string
	for j, p := range parts {
		switch p.Type {
		case "input_text", "output_text", "text":
			if p.Text != "" {
				texts = append(texts, p.Text)
			}
		case "refusal":
			if p.Refusal != "" {
				texts = append(texts, p.Refusal)
			}
		default:
			return "", fmt.Errorf("%s.content[%d].type: %q is not a text part", where, j, p.Type)
		}
	}
	return strings.Join(texts, "\n"), nil
}

// decodeParts reads user content: a string or input_text, input_image and
// input_file parts.
func decodeParts(raw json.RawMessage, where string) ([]protocol.Block, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if s == "" {
			return nil, nil
		}
		return []protocol.Block{{Type: protocol.BlockText, Text: s}}, nil
	}
	var parts []Part
	if err := json.Unmarshal(raw, &parts); err != nil {
		return nil, fmt.Errorf("%s: must be a string or an array of content parts", where)
	}
	blocks := make([]protocol.Block, 0, len(parts))
	for j, p := range parts {
		at := where + "[" + strconv.Itoa(j) + "]"
		switch p.Type {
		case "input_text", "output_text", "text":
			if p.Text != "" {
				blocks = append(blocks, protocol.Block{Type: protocol.BlockText, Text: p.Text})
			}
		case "input_image":
			if p.ImageURL == "" {
				return nil, fmt.Errorf("%s: only image_url is supported, not uploaded file ids", at)
			}
			b, err := imageBlock(p.ImageURL)
			if err != nil {
				return nil, fmt.Errorf("%s.image_url: %w", at, err)
			}
			blocks = append(blocks, b)
		case "input_file":
			b, err := fileBlock(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", at, err)
			}
			blocks = append(blocks, b)
		default:
			return nil, fmt.Errorf("%s.type: content part %q is not supported (input_text, input_image, input_file)", at, p.Type)
		}
	}
	return blocks, nil
}

// decodeOutput reads a tool call's output: a string, or input parts.
func decodeOutput(raw json.RawMessage, where string) ([]protocol.Block, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] != '"' && raw[0] != '[' && !isNull(raw) {
		// A JSON value other than a string or parts: its text.
		return []protocol.Block{{Type: protocol.BlockText, Text: string(raw)}}, nil
	}
	return decodeParts(raw, where)
}

// imageBlock turns an image_url into an image block: a data: URL becomes
// inline base64 with its media type, an http(s) URL stays a URL.
func imageBlock(url string) (protocol.Block, error) {
	if strings.HasPrefix(url, "data:") {
		media, data, ok := parseDataURL(url)
		if !ok {
			return protocol.Block{}, errors.New("a data URL must look like data:image/png;base64,…")
		}
		return protocol.Block{Type: protocol.BlockImage, MediaType: media, Data: data}, nil
	}
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return protocol.Block{}, errors.New("must be an http(s) URL or a base64 data URL")
	}
	return protocol.Block{Type: protocol.BlockImage, URL: url}, nil
}

// fileBlock turns an input_file into a document block.
func fileBlock(p Part) (protocol.Block, error) {
	switch {
	case p.FileData != "":
		media, data, ok := parseDataURL(p.FileData)
		if !ok {
			media, data = "application/pdf", p.FileData // bare base64
		}
		return protocol.Block{Type: protocol.BlockDocument, MediaType: media, Data: data}, nil
	case p.FileURL != "":
		return protocol.Block{Type: protocol.BlockDocument, MediaType: "application/pdf", URL: p.FileURL}, nil
	}
	return protocol.Block{}, errors.New("input_file: only file_data and file_url are supported, not uploaded file ids")
}

// parseDataURL splits data:<media>;base64,<data>.
func parseDataURL(s string) (media, data string, ok bool) {
	rest, found := strings.CutPrefix(s, "data:")
	if !found {
		return "", "", false
	}
	head, data, found := strings.Cut(rest, ",")
	if !found || data == "" {
		return "", "", false
	}
	media, params, _ := strings.Cut(head, ";")
	if !strings.Contains(params, "base64") || media == "" {
		return "", "", false
	}
	return media, data, true
}
