package openai

import (
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// encodeResponseFormat writes a structured-output request as
// response_format, and returns what the system prompt must add for it.
//
// json_schema goes as it is, except to providers that take only JSON mode
// (DeepSeek answers json_schema with 400 "This response_format type is
// unavailable now"; Kimi and Zhipu document json_object alone): they get
// json_object and the schema in the system prompt. json_object requires
// the word "json" in the messages (OpenAI and DeepSeek refuse the request
// otherwise), so a prompt without it gets a line that says it.
func encodeResponseFormat(o *protocol.OutputFormat, model string, req *protocol.Request) (*ResponseFormat, string) {
	if o.Type == protocol.OutputJSONSchema && len(o.Schema) > 0 && !jsonModeOnly(model) {
		js := &JSONSchemaFormat{Name: protocol.OutputName(o), Description: o.Description, Schema: o.Schema}
		if o.Strict {
			strict := true
			js.Strict = &strict
		}
		return &ResponseFormat{Type: "json_schema", JSONSchema: js}, ""
	}
	var note string
	switch {
	case o.Type == protocol.OutputJSONSchema && len(o.Schema) > 0:
		note = "Respond with a JSON object that matches this JSON Schema, and nothing else: " + string(o.Schema)
	case !mentionsJSON(req):
		note = "Respond with a JSON object, and nothing else."
	}
	return &ResponseFormat{Type: "json_object"}, note
}

// jsonModeOnly reports providers whose Chat Completions take json_object
// but not json_schema.
func jsonModeOnly(model string) bool {
	m := strings.ToLower(model)
	for _, p := range []string{"deepseek", "kimi", "moonshot", "glm"} {
		if strings.Contains(m, p) {
			return true
		}
	}
	return false
}

// mentionsJSON reports whether the system prompt or a message's text says
// "json" in some form, as JSON mode requires.
func mentionsJSON(req *protocol.Request) bool {
	has := func(blocks []protocol.Block) bool {
		for _, b := range blocks {
			if b.Type == protocol.BlockText && containsFold(b.Text, "json") {
				return true
			}
		}
		return false
	}
	if has(req.System) {
		return true
	}
	for _, m := range req.Messages {
		if has(m.Content) {
			return true
		}
	}
	return false
}

// containsFold is a case-insensitive strings.Contains for an ASCII needle,
// without lowercasing a whole prompt.
func containsFold(s, needle string) bool {
	for i := 0; i+len(needle) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}
