package protocol

import (
	"bytes"
	"encoding/json"
	"regexp"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// Structured output for a target that cannot be asked for it directly (an
// Anthropic-compatible endpoint without output_config.format, an older
// Claude model) takes the way Anthropic itself documented before it had
// one: a single tool whose input schema is the wanted answer, which the
// model is made to call. Its call is turned back into the answer's text on
// the way out, in whole replies and in streams, so the client sees the
// JSON it asked for and a turn that ended on its own.

// OutputToolName names the tool that stands for a structured answer.
const OutputToolName = "structured_output"

// OutputToolDescription tells the model what the tool is for.
const OutputToolDescription = "Give your final answer by calling this tool: its input is the answer, " +
	"which must match the schema. Do not answer in text."

// OutputTool returns the tool that stands for o, and whether its input
// wraps the answer in a "value" property: a tool's input must be an object,
// and an answer of another type (an array, a string) is wrapped.
func OutputTool(o *OutputFormat) (Tool, bool) {
	schema, wrapped := outputToolSchema(o)
	desc := OutputToolDescription
	if o.Description != "" {
		desc = o.Description + "\n\n" + desc
	}
	return Tool{Name: OutputToolName, Description: desc, Schema: schema}, wrapped
}

func outputToolSchema(o *OutputFormat) (json.RawMessage, bool) {
	s := bytes.TrimSpace(o.Schema)
	if o.Type != OutputJSONSchema || len(s) == 0 || s[0] != '{' || !json.Valid(s) {
		return json.RawMessage(`{"type":"object","additionalProperties":true}`), false
	}
	switch t := gjson.GetBytes(s, "type"); {
	case t.Type == gjson.String && t.Str == "object":
		return json.RawMessage(s), false
	case !t.Exists() && gjson.GetBytes(s, "properties").IsObject():
		with, err := sjson.SetBytes(append([]byte(nil), s...), "type", "object")
		if err == nil {
			return with, false
		}
	}
	wrapped, _ := Marshal(map[string]any{
		"type": "object", "properties": map[string]json.RawMessage{"value": s}, "required": []string{"value"},
	})
	return wrapped, true
}

// OutputText turns the input of an output tool call back into the answer's
// text.
func OutputText(o *OutputFormat, input json.RawMessage) string {
	if _, wrapped := outputToolSchema(o); wrapped {
		if v := gjson.GetBytes(input, "value"); v.Exists() {
			return v.Raw
		}
	}
	return string(bytes.TrimSpace(input))
}

// IsOutputCall reports whether a tool call from the upstream is the answer
// to req's structured-output request rather than a call of one of the
// client's own tools.
func IsOutputCall(req *Request, name string) bool {
	if req == nil || req.Output == nil || name != OutputToolName {
		return false
	}
	for _, t := range req.Tools {
		if t.Name == OutputToolName {
			return false // the client's own tool of that name
		}
	}
	return true
}

// outputNameChars is what OpenAI allows in a json_schema name.
var outputNameChars = regexp.MustCompile(`[^a-zA-Z0-9_-]`)

// OutputName is o's name as OpenAI accepts it (letters, digits, _ and -, at
// most 64), "response" when it has none.
func OutputName(o *OutputFormat) string {
	n := outputNameChars.ReplaceAllString(o.Name, "_")
	if len(n) > 64 {
		n = n[:64]
	}
	if n == "" {
		return "response"
	}
	return n
}
