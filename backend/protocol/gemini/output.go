package gemini

import (
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// encodeOutput writes a structured-output request into generationConfig:
// responseMimeType "application/json" with the schema as
// responseJsonSchema on models that take JSON Schema (Gemini 2.5 and
// later), else as responseSchema, cleaned to the OpenAPI subset. Gemini
// before 3 refuses JSON mode together with function calling, so with
// functions on such a model the schema goes into the system instruction
// instead, returned as the note to add there.
func encodeOutput(gc *GenerationConfig, o *protocol.OutputFormat, model string, functions bool) string {
	schema := o.Schema
	if o.Type != protocol.OutputJSONSchema {
		schema = nil
	}
	if functions && geminiMajor(model) < 3 {
		if schema != nil {
			return "When you give your final answer, answer with a JSON object that matches this JSON Schema, and nothing else: " + string(schema)
		}
		return "When you give your final answer, answer with a JSON object, and nothing else."
	}
	gc.ResponseMimeType = "application/json"
	switch {
	case schema == nil:
	case takesJSONSchema(model):
		gc.ResponseJSONSchema = schema
	default:
		if cleaned, err := CleanSchema(schema); err == nil {
			gc.ResponseSchema = cleaned // nil for an object without properties: any object
		}
	}
	return ""
}

// takesJSONSchema reports models that accept responseJsonSchema.
func takesJSONSchema(model string) bool {
	return geminiMajor(model) >= 3 || strings.HasPrefix(modelName(model), "gemini-2.5")
}
