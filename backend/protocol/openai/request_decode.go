package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// effortBudgets maps reasoning_effort to a thinking budget for targets that
// count tokens (Anthropic budget_tokens, Gemini thinkingBudget).
var effortBudgets = map[string]int{
	"minimal": 1024, "low": 2048, "medium": 8192, "high": 24576, "xhigh": 32768,
}

// DecodeRequest parses a Chat Completions request from a client.
func (Codec) DecodeRequest(body []byte) (*protocol.Request, error) {
	var in ChatRequest
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("invalid request body: %w", err)
	}
	if len(in.Messages) == 0 {
		return nil, errors.New("messages: at least one message is required")
	}
	if in.N != nil && *in.N > 1 {
		return nil, fmt.Errorf("n: only one choice per request is supported, got n=%d", *in.N)
	}
	req := &protocol.Request{
		Model:       in.Model,
		Temperature: in.Temperature,
		TopP:        in.TopP,
		TopK:        in.TopK,
		Stream:      in.Stream,
		UserID:      in.User,
	}
	if req.UserID == "" {
		req.UserID = in.SafetyIdentifier
	}
	switch {
	case in.MaxCompletionTokens != nil:
		req.MaxTokens = *in.MaxCompletionTokens
	case in.MaxTokens != nil:
		req.MaxTokens = *in.MaxTokens
	}
	var err error
	if req.Stop, err = decodeStop(in.Stop); err != nil {
		return nil, err
	}
	if req.Tools, err = decodeTools(in.Tools, in.Functions); err != nil {
		return nil, err
	}
	choice := in.ToolChoice
	if len(choice) == 0 {
		choice = in.FunctionCall
	}
	if req.ToolChoice, err = decodeToolChoice(choice); err != nil {
		return nil, err
	}
	if in.ParallelToolCalls != nil && !*in.ParallelToolCalls {
		if req.ToolChoice == nil {
			req.ToolChoice = &protocol.ToolChoice{Mode: protocol.ToolAuto}
		}
		req.ToolChoice.DisableParallel = true
	}
	if req.Thinking, err = decodeEffort(in.ReasoningEffort); err != nil {
		return nil, err
	}
	if req.Output, err = decodeResponseFormat(in.ResponseFormat); err != nil {
		return nil, err
	}
	if err := decodeMessages(req, in.Messages); err != nil {
		return nil, err
	}
	return req, nil
}

func decodeStop(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("stop: %w", err)
		}
		if s == "" {
			return nil, nil
		}
		return []string{s}, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, errors.New("stop: must be a string or an array of strings")
	}
	return list, nil
}

func decodeTools(tools []ChatTool, functions []FunctionDef) ([]protocol.Tool, error) {
	var out []protocol.Tool
	for i, t := range tools {
		if t.Type != "function" && t.Type != "" {
			return nil, fmt.Errorf("tools[%d]: tool type %q is not supported, only \"function\"", i, t.Type)
		}
		if t.Function.Name == "" {
			return nil, fmt.Errorf("tools[%d].function.name: required", i)
		}
		out = append(out, decodeFunction(t.Function))
	}
	for i, f := range functions {
		if f.Name == "" {
			return nil, fmt.Errorf("functions[%d].name: required", i)
		}
		out = append(out, decodeFunction(f))
	}
	return out, nil
}

func decodeFunction(f FunctionDef) protocol.Tool {
	schema := f.Parameters
	if len(bytes.TrimSpace(schema)) == 0 || bytes.Equal(bytes.TrimSpace(schema), []byte("null")) {
		schema = json.RawMessage(`{"type":"object","properties":{}}`)
	}
	return protocol.Tool{Name: f.Name, Description: f.Description, Schema: schema}
}

// decodeToolChoice reads tool_choice, or the legacy function_call, which
// have the same shapes save for the object form.
func decodeToolChoice(raw json.RawMessage) (*protocol.ToolChoice, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("tool_choice: %w", err)
		}
		switch s {
		case "auto":
			return &protocol.ToolChoice{Mode: protocol.ToolAuto}, nil
		case "required":
			return &protocol.ToolChoice{Mode: protocol.ToolAny}, nil
		case "none":
			return &protocol.ToolChoice{Mode: protocol.ToolNone}, nil
		}
		return nil, fmt.Errorf("tool_choice: %q is not one of auto, required, none", s)
	}
	var obj struct {
		Type     string `json:"type"`
		Name     string `json:"name"` // legacy function_call: {"name": …}
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, errors.New("tool_choice: must be a string or {\"type\":\"function\",\"function\":{\"name\":…}}")
	}
	name := obj.Function.Name
	if name == "" {
		name = obj.Name
	}
	if name == "" {
		return nil, errors.New("tool_choice: a function name is required")
	}
	return &protocol.ToolChoice{Mode: protocol.ToolName, Name: name}, nil
}

func decodeEffort(effort string) (*protocol.Thinking, error) {
	switch effort {
	case "", "none":
		return nil, nil
	}
	budget, ok := effortBudgets[effort]
	if !ok {
		return nil, fmt.Errorf("reasoning_effort: %q is not one of none, minimal, low, medium, high, xhigh", effort)
	}
	return &protocol.Thinking{Enabled: true, Effort: effort, BudgetTokens: budget}, nil
}

// decodeMessages fills System and Messages. System and developer messages
// go to System wherever they stand; tool messages become tool_result blocks
// of a user turn, and consecutive user-side messages merge into one turn
// so the Anthropic and Gemini encoders see alternating roles.
func decodeMessages(req *protocol.Request, msgs []ChatMessage) error {
	var legacyCallID string // the last legacy function_call, answered by role "function"
	for i, m := range msgs {
		where := "messages[" + strconv.Itoa(i) + "]"
		switch m.Role {
		case "system", "developer":
			if text := m.Content.String(); text != "" {
				req.System = append(req.System, protocol.Block{Type: protocol.BlockText, Text: text})
			}
		case "user":
			blocks, err := decodeUserContent(m.Content, where)
			if err != nil {
				return err
			}
			appendTurn(req, protocol.RoleUser, blocks)
		case "tool", "function":
			id, _ := protocol.SplitToolID(m.ToolCallID)
			if m.Role == "function" {
				id = legacyCallID
			}
			if id == "" {
				return fmt.Errorf("%s.tool_call_id: required for a tool message", where)
			}
			result := protocol.Block{Type: protocol.BlockToolResult, ToolUseID: id}
			if text := m.Content.String(); text != "" {
				result.Content = []protocol.Block{{Type: protocol.BlockText, Text: text}}
			}
			appendTurn(req, protocol.RoleUser, []protocol.Block{result})
		case "assistant":
			msg := protocol.Message{Role: protocol.RoleAssistant}
			if m.ReasoningContent != nil {
				msg.Reasoning = *m.ReasoningContent
			}
			if text := m.Content.String(); text != "" {
				msg.Content = append(msg.Content, protocol.Block{Type: protocol.BlockText, Text: text})
			}
			for j, tc := range m.ToolCalls {
				if tc.ID == "" || tc.Function.Name == "" {
					return fmt.Errorf("%s.tool_calls[%d]: id and function.name are required", where, j)
				}
				input, _ := protocol.RepairJSON(string(tc.Function.Arguments))
				// A call from a Gemini upstream carries its thought
				// signature in the id (protocol.JoinToolID).
				id, sig := protocol.SplitToolID(tc.ID)
				msg.Content = append(msg.Content, protocol.Block{
					Type: protocol.BlockToolUse, ID: id, Name: tc.Function.Name, Input: input, Signature: sig,
				})
			}
			if fc := m.FunctionCall; fc != nil && fc.Name != "" {
				legacyCallID = "call_fn_" + strconv.Itoa(i)
				input, _ := protocol.RepairJSON(string(fc.Arguments))
				msg.Content = append(msg.Content, protocol.Block{
					Type: protocol.BlockToolUse, ID: legacyCallID, Name: fc.Name, Input: input,
				})
			}
			if len(msg.Content) == 0 && msg.Reasoning == "" {
				continue // an empty assistant turn says nothing
			}
			req.Messages = append(req.Messages, msg)
		default:
			return fmt.Errorf("%s.role: %q is not one of system, developer, user, assistant, tool", where, m.Role)
		}
	}
	if len(req.Messages) == 0 {
		return errors.New("messages: at least one user or assistant message is required besides system messages")
	}
	return nil
}

// appendTurn adds user-side blocks, merging with a user turn just before.
func appendTurn(req *protocol.Request, role protocol.Role, blocks []protocol.Block) {
	if n := len(req.Messages); n > 0 && req.Messages[n-1].Role == role {
		req.Messages[n-1].Content = append(req.Messages[n-1].Content, blocks...)
		return
	}
	req.Messages = append(req.Messages, protocol.Message{Role: role, Content: blocks})
}

func decodeUserContent(c *Content, where string) ([]protocol.Block, error) {
	if c == nil {
		return nil, nil
	}
	if c.Parts == nil {
		if c.Text == "" {
			return nil, nil
		}
		return []protocol.Block{{Type: protocol.BlockText, Text: c.Text}}, nil
	}
	blocks := make([]protocol.Block, 0, len(c.Parts))
	for j, p := range c.Parts {
		at := where + ".content[" + strconv.Itoa(j) + "]"
		switch p.Type {
		case "text", "input_text":
			if p.Text != "" {
				blocks = append(blocks, protocol.Block{Type: protocol.BlockText, Text: p.Text})
			}
		case "image_url":
			if p.ImageURL == nil || p.ImageURL.URL == "" {
				return nil, fmt.Errorf("%s.image_url.url: required", at)
			}
			b, err := imageBlock(p.ImageURL.URL)
			if err != nil {
				return nil, fmt.Errorf("%s.image_url.url: %w", at, err)
			}
			blocks = append(blocks, b)
		case "file":
			if p.File == nil || p.File.FileData == "" {
				return nil, fmt.Errorf("%s.file: only inline file_data is supported, not uploaded file ids", at)
			}
			media, data, ok := parseDataURL(p.File.FileData)
			if !ok {
				media, data = "application/pdf", p.File.FileData // bare base64, as some clients send
			}
			blocks = append(blocks, protocol.Block{Type: protocol.BlockDocument, MediaType: media, Data: data})
		default:
			return nil, fmt.Errorf("%s.type: content part %q is not supported (text, image_url, file)", at, p.Type)
		}
	}
	return blocks, nil
}

// imageBlock turns an image_url into an image block: a data: URL becomes
// inline base64 with its media type, anything else stays a URL.
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

// decodeResponseFormat reads response_format: text is no structured
// output; json_object and json_schema are carried to every target.
func decodeResponseFormat(rf *ResponseFormat) (*protocol.OutputFormat, error) {
	if rf == nil {
		return nil, nil
	}
	switch rf.Type {
	case "", "text":
		return nil, nil
	case "json_object":
		return &protocol.OutputFormat{Type: protocol.OutputJSONObject}, nil
	case "json_schema":
		js := rf.JSONSchema
		if js == nil {
			return nil, errors.New("response_format.json_schema: required when type is \"json_schema\"")
		}
		if s := bytes.TrimSpace(js.Schema); len(s) > 0 && !bytes.Equal(s, []byte("null")) && s[0] != '{' {
			return nil, errors.New("response_format.json_schema.schema: must be a JSON Schema object")
		}
		out := &protocol.OutputFormat{Type: protocol.OutputJSONSchema, Name: js.Name, Description: js.Description, Schema: js.Schema}
		if js.Strict != nil {
			out.Strict = *js.Strict
		}
		if s := bytes.TrimSpace(js.Schema); len(s) == 0 || bytes.Equal(s, []byte("null")) {
			out.Type, out.Schema = protocol.OutputJSONObject, nil // a schema-less json_schema asks for any object
		}
		return out, nil
	}
	return nil, fmt.Errorf("response_format.type: %q is not one of text, json_object, json_schema", rf.Type)
}
