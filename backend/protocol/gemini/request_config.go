package gemini

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// webSearchTool is what Gemini's googleSearch becomes: Anthropic's server
// web search, the one server tool all targets can be asked for.
var webSearchTool = protocol.Tool{
	Name: "web_search", Type: "web_search_20250305",
	Raw: json.RawMessage(`{"type":"web_search_20250305","name":"web_search"}`),
}

// decodeTools reads tools[].functionDeclarations and toolConfig (docs/CONVERSION.md, rules 3, 4).
func decodeTools(root gjson.Result, req *protocol.Request) error {
	tools := root.Get("tools")
	if tools.Exists() && !tools.IsArray() {
		return fmt.Errorf("tools must be an array")
	}
	for i, t := range tools.Array() {
		if field(t, "googleSearch").Exists() || field(t, "googleSearchRetrieval").Exists() {
			req.Tools = append(req.Tools, webSearchTool)
		}
		decls := field(t, "functionDeclarations")
		if decls.Exists() && !decls.IsArray() {
			return fmt.Errorf("tools[%d].functionDeclarations must be an array", i)
		}
		for j, fd := range decls.Array() {
			name := fd.Get("name").String()
			if name == "" {
				return fmt.Errorf("tools[%d].functionDeclarations[%d].name is required", i, j)
			}
			tool := protocol.Tool{Name: name, Description: fd.Get("description").String()}
			switch params, raw := fd.Get("parameters"), field(fd, "parametersJsonSchema"); {
			case raw.IsObject():
				tool.Schema = json.RawMessage(raw.Raw)
			case params.IsObject():
				s, err := toJSONSchema([]byte(params.Raw))
				if err != nil {
					return fmt.Errorf("tools[%d].functionDeclarations[%d].parameters: %w", i, j, err)
				}
				tool.Schema = s
			case params.Exists() && params.Type != gjson.Null:
				return fmt.Errorf("tools[%d].functionDeclarations[%d].parameters must be an object", i, j)
			default:
				tool.Schema = json.RawMessage(`{"type":"object","properties":{}}`)
			}
			req.Tools = append(req.Tools, tool)
		}
	}

	fc := field(field(root, "toolConfig"), "functionCallingConfig")
	if !fc.Exists() {
		return nil
	}
	allowed := field(fc, "allowedFunctionNames").Array()
	switch mode := strings.ToUpper(fc.Get("mode").String()); mode {
	case "", "AUTO", "MODE_UNSPECIFIED", "VALIDATED":
		req.ToolChoice = &protocol.ToolChoice{Mode: protocol.ToolAuto}
	case "ANY":
		req.ToolChoice = &protocol.ToolChoice{Mode: protocol.ToolAny}
		if len(allowed) == 1 {
			req.ToolChoice = &protocol.ToolChoice{Mode: protocol.ToolName, Name: allowed[0].String()}
		}
	case "NONE":
		req.ToolChoice = &protocol.ToolChoice{Mode: protocol.ToolNone}
	default:
		return fmt.Errorf("toolConfig.functionCallingConfig.mode %q is not AUTO, ANY or NONE", mode)
	}
	return nil
}

// decodeGenerationConfig reads sampling, length and thinking settings
// (docs/CONVERSION.md, rules 2, 7).
func decodeGenerationConfig(gc gjson.Result, req *protocol.Request) error {
	if !gc.Exists() || gc.Type == gjson.Null {
		return nil
	}
	if !gc.IsObject() {
		return fmt.Errorf("generationConfig must be an object")
	}
	if v := field(gc, "maxOutputTokens"); v.Exists() {
		if v.Type != gjson.Number || v.Int() < 0 {
			return fmt.Errorf("generationConfig.maxOutputTokens must be a positive integer")
		}
		req.MaxTokens = int(v.Int())
	}
	var err error
	num := func(name string) *float64 {
		v := field(gc, name)
		if !v.Exists() || v.Type == gjson.Null {
			return nil
		}
		if v.Type != gjson.Number {
			err = fmt.Errorf("generationConfig.%s must be a number", name)
			return nil
		}
		f := v.Float()
		return &f
	}
	req.Temperature = num("temperature")
	req.TopP = num("topP")
	if k := num("topK"); k != nil {
		n := int(*k)
		req.TopK = &n
	}
	if err != nil {
		return err
	}
	if stop := field(gc, "stopSequences"); stop.Exists() {
		if !stop.IsArray() {
			return fmt.Errorf("generationConfig.stopSequences must be an array of strings")
		}
		for _, s := range stop.Array() {
			req.Stop = append(req.Stop, s.String())
		}
	}
	out, err := decodeResponseFormat(gc)
	if err != nil {
		return err
	}
	req.Output = out
	tc := field(gc, "thinkingConfig")
	if !tc.IsObject() {
		return nil
	}
	budget := field(tc, "thinkingBudget")
	level := strings.ToLower(field(tc, "thinkingLevel").String())
	include := field(tc, "includeThoughts").Bool()
	th := &protocol.Thinking{Effort: level}
	switch {
	case budget.Exists() && budget.Int() == 0:
		th.Enabled = false
	case budget.Exists() && budget.Int() > 0:
		th.Enabled, th.BudgetTokens = true, int(budget.Int())
	default: // -1 (dynamic), a thinking level, or includeThoughts alone
		th.Enabled = budget.Exists() || level != "" || include
	}
	req.Thinking = th
	return nil
}

// decodeResponseFormat reads responseMimeType "application/json" with
// responseJsonSchema or responseSchema. Gemini CLI sends it before every
// prompt (its model router, its next-speaker check) and retries until the
// answer parses, so it must reach every target. Types are lowercased: the
// Google SDKs spell them OBJECT, STRING even inside responseJsonSchema.
func decodeResponseFormat(gc gjson.Result) (*protocol.OutputFormat, error) {
	mime := strings.ToLower(strings.TrimSpace(field(gc, "responseMimeType").String()))
	if mime != "application/json" {
		return nil, nil // text, or text/x.enum, whose answer is not JSON
	}
	out := &protocol.OutputFormat{Type: protocol.OutputJSONObject}
	var schema json.RawMessage
	var err error
	switch js, s := field(gc, "responseJsonSchema"), field(gc, "responseSchema"); {
	case js.IsObject():
		schema, err = toJSONSchema([]byte(js.Raw))
	case s.IsObject():
		schema, err = toJSONSchema([]byte(s.Raw))
	case js.Exists() && js.Type != gjson.Null, s.Exists() && s.Type != gjson.Null:
		return nil, fmt.Errorf("generationConfig.responseJsonSchema and responseSchema must be objects")
	}
	if err != nil {
		return nil, fmt.Errorf("generationConfig response schema: %w", err)
	}
	if schema != nil {
		out.Type, out.Schema = protocol.OutputJSONSchema, schema
	}
	return out, nil
}
