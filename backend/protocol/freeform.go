package protocol

import (
	"bytes"
	"encoding/json"
)

// FreeformField is the one field of the object that carries a free-text
// tool call to formats whose tools all take JSON.
const FreeformField = "input"

// FreeformSchema is the JSON Schema of a free-text tool as a JSON function
// tool: one required string field. hint describes the text (the tool's
// grammar, when it has one) so the model writes it right.
func FreeformSchema(hint string) json.RawMessage {
	desc := "The tool's whole input, as plain text (not JSON)."
	if hint != "" {
		desc += " " + hint
	}
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			FreeformField: map[string]any{"type": "string", "description": desc},
		},
		"required":             []string{FreeformField},
		"additionalProperties": false,
	}
	b, _ := Marshal(schema) // maps of strings always encode
	return b
}

// FreeformInput wraps a free-text tool call's text as the neutral tool
// input {"input": text}.
func FreeformInput(text string) json.RawMessage {
	b := make([]byte, 0, len(text)+16)
	b = append(b, `{"`+FreeformField+`":`...)
	b = AppendJSONString(b, text)
	return append(b, '}')
}

// FreeformText unwraps a free-text tool call's input: the string field
// "input" of the object, or, when a model wrote another shape, the only
// string field, else the JSON text itself, so nothing the model wrote is
// lost.
func FreeformText(input json.RawMessage) string {
	t := bytes.TrimSpace(input)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return ""
	}
	var obj map[string]json.RawMessage
	if t[0] != '{' || json.Unmarshal(t, &obj) != nil {
		var s string
		if json.Unmarshal(t, &s) == nil {
			return s
		}
		return string(t)
	}
	if raw, ok := obj[FreeformField]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(bytes.TrimSpace(raw))
	}
	if len(obj) == 1 {
		for _, raw := range obj {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				return s
			}
		}
	}
	return string(t)
}
