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

// DecodeRequest parses a Responses API request from a client.
func (Codec) DecodeRequest(body []byte) (*protocol.Request, error) {
	var in Request
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("invalid request body: %w", err)
	}
	if len(bytes.TrimSpace(in.Conversation)) > 0 && !isNull(in.Conversation) {
		return nil, errors.New("conversation: Routex keeps no conversation store; send the whole conversation in input, or use an openai-responses channel")
	}
	if len(bytes.TrimSpace(in.Prompt)) > 0 && !isNull(in.Prompt) {
		return nil, errors.New("prompt: stored prompt templates need an openai-responses channel; send instructions and input instead")
	}
	if in.Background {
		return nil, errors.New("background: background responses need an openai-responses channel; send the request without background")
	}
	req := &protocol.Request{
		Model:              in.Model,
		Temperature:        in.Temperature,
		TopP:               in.TopP,
		Stream:             in.Stream,
		UserID:             in.User,
		PromptCacheKey:     in.PromptCacheKey,
		Store:              in.Store,
		Include:            in.Include,
		PreviousResponseID: in.PreviousResponseID,
	}
	if req.UserID == "" {
		req.UserID = in.SafetyIdentifier
	}
	if req.Store == nil {
		// The API's default, said out loud: a Responses upstream then
		// keeps storing what this client expects stored.
		t := true
		req.Store = &t
	}
	if m := bytes.TrimSpace(in.Metadata); len(m) > 0 && m[0] == '{' {
		req.Metadata = m
	}
	if in.MaxOutputTokens != nil {
		if *in.MaxOutputTokens < 0 {
			return nil, errors.New("max_output_tokens: must not be negative")
		}
		req.MaxTokens = *in.MaxOutputTokens
	}
	var err error
	if req.System, err = decodeInstructions(in.Instructions); err != nil {
		return nil, err
	}
	if req.Tools, err = decodeTools(in.Tools); err != nil {
		return nil, err
	}
	if req.ToolChoice, err = decodeToolChoice(in.ToolChoice); err != nil {
		return nil, err
	}
	if in.ParallelToolCalls != nil && !*in.ParallelToolCalls {
		if req.ToolChoice == nil {
			req.ToolChoice = &protocol.ToolChoice{Mode: protocol.ToolAuto}
		}
		req.ToolChoice.DisableParallel = true
	}
	if req.Thinking, err = decodeReasoning(in.Reasoning); err != nil {
		return nil, err
	}
	if t := in.Text; t != nil {
		req.Verbosity = t.Verbosity
		if req.Output, err = decodeFormat(t.Format); err != nil {
			return nil, err
		}
	}
	if err := decodeInput(req, in.Input); err != nil {
		return nil, err
	}
	if len(req.Messages) == 0 && req.PreviousResponseID == "" {
		return nil, errors.New("input: at least one message or item is required")
	}
	return req, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// decodeInstructions reads instructions: a string (what clients send), or
// a list of input messages (what a stored response echoes).
func decodeInstructions(raw json.RawMessage) ([]protocol.Block, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("instructions: %w", err)
		}
		if s == "" {
			return nil, nil
		}
		return []protocol.Block{{Type: protocol.BlockText, Text: s}}, nil
	}
	var items []Item
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, errors.New("instructions: must be a string")
	}
	var out []protocol.Block
	for i, it := range items {
		text, err := contentText(it.Content, "instructions["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		if text != "" {
			out = append(out, protocol.Block{Type: protocol.BlockText, Text: text})
		}
	}
	return out, nil
}

// decodeTools reads tools. Function tools map one to one; a custom tool
// takes free text and becomes a JSON tool with one string field for other
// formats; web search becomes Anthropic's web_search server tool (and
// Gemini's googleSearch); other built-in tools are kept whole for
// Responses upstreams only.
func decodeTools(raws []json.RawMessage) ([]protocol.Tool, error) {
	var out []protocol.Tool
	for i, raw := range raws {
		where := "tools[" + strconv.Itoa(i) + "]"
		var t ToolDef
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		switch {
		case t.Type == "function":
			if t.Name == "" {
				return nil, fmt.Errorf("%s.name: required", where)
			}
			schema := bytes.TrimSpace(t.Parameters)
			if len(schema) == 0 || isNull(schema) {
				schema = json.RawMessage(`{"type":"object","properties":{}}`)
			}
			out = append(out, protocol.Tool{Name: t.Name, Description: t.Description, Schema: schema})
		case t.Type == "custom":
			if t.Name == "" {
				return nil, fmt.Errorf("%s.name: required", where)
			}
			out = append(out, protocol.Tool{Name: t.Name, Description: t.Description, Freeform: true,
				Format: compactRaw(t.Format), Schema: protocol.FreeformSchema(grammarHint(t.Format))})
		case strings.HasPrefix(t.Type, "web_search"):
			out = append(out, protocol.Tool{Name: "web_search", Type: "web_search_20250305",
				Raw:          json.RawMessage(`{"type":"web_search_20250305","name":"web_search"}`),
				ResponsesRaw: compactRaw(raw)})
		case t.Type == "":
			return nil, fmt.Errorf("%s.type: required (function, custom, web_search, …)", where)
		default:
			out = append(out, protocol.Tool{Name: t.Name, Type: t.Type, ResponsesRaw: compactRaw(raw)})
		}
	}
	return out, nil
}

// compactRaw returns raw without insignificant space, or nil.
func compactRaw(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if len(raw) == 0 || json.Compact(&b, raw) != nil || isNull(b.Bytes()) {
		return nil
	}
	return b.Bytes()
}

// grammarHint describes a custom tool's grammar for a model that gets it as
// a JSON tool.
func grammarHint(format json.RawMessage) string {
	var f struct {
		Type       string `json:"type"`
		Syntax     string `json:"syntax"`
		Definition string `json:"definition"`
	}
	if json.Unmarshal(format, &f) != nil || f.Type != "grammar" || f.Definition == "" {
		return ""
	}
	syntax := f.Syntax
	if syntax == "" {
		syntax = "lark"
	}
	return "It must match this " + syntax + " grammar:\n" + f.Definition
}

// decodeToolChoice reads tool_choice: a mode, a named function or custom
// tool, allowed_tools (its mode is kept, the restriction dropped), or a
// built-in tool type (auto: the model may use it).
func decodeToolChoice(raw json.RawMessage) (*protocol.ToolChoice, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	mode := func(s string) (*protocol.ToolChoice, error) {
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
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("tool_choice: %w", err)
		}
		return mode(s)
	}
	var obj struct {
		Type string `json:"type"`
		Name string `json:"name"`
		Mode string `json:"mode"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, errors.New(`tool_choice: must be a string or an object such as {"type":"function","name":…}`)
	}
	switch obj.Type {
	case "function", "custom":
		if obj.Name == "" {
			return nil, errors.New("tool_choice.name: required")
		}
		return &protocol.ToolChoice{Mode: protocol.ToolName, Name: obj.Name}, nil
	case "allowed_tools":
		if obj.Mode == "" {
			obj.Mode = "auto"
		}
		return mode(obj.Mode)
	case "":
		return nil, errors.New("tool_choice.type: required")
	}
	return &protocol.ToolChoice{Mode: protocol.ToolAuto}, nil
}

// decodeReasoning reads reasoning: effort none (or no reasoning) is no
// thinking; a summary without an effort is the default effort.
func decodeReasoning(r *Reasoning) (*protocol.Thinking, error) {
	if r == nil || r.Effort == "none" || (r.Effort == "" && r.Summary == "") {
		return nil, nil
	}
	switch r.Summary {
	case "", "auto", "concise", "detailed", "none":
	default:
		return nil, fmt.Errorf("reasoning.summary: %q is not one of auto, concise, detailed", r.Summary)
	}
	t := &protocol.Thinking{Enabled: true, Effort: r.Effort, Summary: r.Summary}
	if r.Effort == "" {
		t.BudgetTokens = effortBudgets["medium"]
		return t, nil
	}
	budget, ok := effortBudgets[r.Effort]
	if !ok {
		return nil, fmt.Errorf("reasoning.effort: %q is not one of none, minimal, low, medium, high, xhigh", r.Effort)
	}
	t.BudgetTokens = budget
	return t, nil
}

// decodeFormat reads text.format.
func decodeFormat(f *TextFormat) (*protocol.OutputFormat, error) {
	if f == nil {
		return nil, nil
	}
	switch f.Type {
	case "", "text":
		return nil, nil
	case "json_object":
		return &protocol.OutputFormat{Type: protocol.OutputJSONObject}, nil
	case "json_schema":
		schema := bytes.TrimSpace(f.Schema)
		if len(schema) == 0 || schema[0] != '{' {
			return nil, errors.New("text.format.schema: a JSON Schema object is required for json_schema")
		}
		return &protocol.OutputFormat{Type: protocol.OutputJSONSchema, Name: f.Name, Description: f.Description,
			Schema: schema, Strict: f.Strict != nil && *f.Strict}, nil
	}
	return nil, fmt.Errorf("text.format.type: %q is not one of text, json_object, json_schema", f.Type)
}
