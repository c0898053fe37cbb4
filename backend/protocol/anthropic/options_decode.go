package anthropic

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// decodeTools reads tool definitions. A tool with a "type" other than
// "custom" is a server tool (web search, code execution, …) that only
// Anthropic runs; it is kept whole in Tool.Raw.
func decodeTools(raws []json.RawMessage) ([]protocol.Tool, error) {
	if len(raws) == 0 {
		return nil, nil
	}
	tools := make([]protocol.Tool, 0, len(raws))
	for i, raw := range raws {
		path := fmt.Sprintf("tools[%d]", i)
		var t CustomTool
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, jsonError(path, err)
		}
		if t.Name == "" {
			return nil, fmt.Errorf("%s.name: required", path)
		}
		if t.Type != "" && t.Type != "custom" {
			tools = append(tools, protocol.Tool{Name: t.Name, Type: t.Type, Raw: raw, CacheControl: t.CacheControl})
			continue
		}
		if isAbsent(t.InputSchema) {
			return nil, fmt.Errorf("%s.input_schema: required", path)
		}
		if t.InputSchema[0] != '{' {
			return nil, fmt.Errorf("%s.input_schema: must be a JSON Schema object", path)
		}
		tools = append(tools, protocol.Tool{
			Name: t.Name, Description: t.Description, Schema: t.InputSchema, CacheControl: t.CacheControl,
		})
	}
	return tools, nil
}

// decodeToolChoice reads tool_choice.
func decodeToolChoice(raw json.RawMessage) (*protocol.ToolChoice, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	var c ToolChoice
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, jsonError("tool_choice", err)
	}
	tc := &protocol.ToolChoice{Mode: protocol.ToolChoiceMode(c.Type), DisableParallel: c.DisableParallelToolUse}
	switch c.Type {
	case "auto", "any", "none":
	case "tool":
		if c.Name == "" {
			return nil, errors.New("tool_choice.name: required when type is \"tool\"")
		}
		tc.Name = c.Name
	default:
		return nil, fmt.Errorf("tool_choice.type: %q is not one of auto, any, tool, none", c.Type)
	}
	return tc, nil
}

// decodeThinking reads thinking and output_config.effort. "adaptive" is
// enabled with no budget (the model decides); "disabled" is nil.
func decodeThinking(raw json.RawMessage, oc *OutputConfig) (*protocol.Thinking, error) {
	effort := ""
	if oc != nil {
		effort = oc.Effort
	}
	if isAbsent(raw) {
		return nil, nil // effort without thinking shapes only Anthropic's own token spend
	}
	var t ThinkingConfig
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, jsonError("thinking", err)
	}
	switch t.Type {
	case "enabled":
		if t.BudgetTokens < 0 {
			return nil, fmt.Errorf("thinking.budget_tokens: must not be negative, got %d", t.BudgetTokens)
		}
		return &protocol.Thinking{Enabled: true, BudgetTokens: t.BudgetTokens, Effort: effort}, nil
	case "adaptive":
		return &protocol.Thinking{Enabled: true, Adaptive: true, Effort: effort}, nil
	case "disabled":
		return nil, nil
	}
	return nil, fmt.Errorf("thinking.type: %q is not one of enabled, adaptive, disabled", t.Type)
}

// jsonError rewords an encoding/json error for a client: where, and what
// was expected, without Go type names.
func jsonError(path string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		where := path
		if te.Field != "" {
			where = te.Field
		}
		return fmt.Errorf("%s: expected %s, got %s", where, jsonKind(te.Type.Kind().String()), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s: invalid JSON at byte %d: %s", path, se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	return fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names a Go kind the way JSON does.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int64", "int32", "uint", "uint64", "float64", "float32":
		return "a number"
	}
	return "another type"
}
