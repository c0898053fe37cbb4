package upstream

import (
	"fmt"
	"sort"
	"strings"
)

// jsonTypes are the type names JSON Schema knows.
var jsonTypes = map[string]bool{"object": true, "array": true, "string": true, "number": true, "integer": true, "boolean": true, "null": true}

// checkToolSchema reports why schema is not a JSON Schema that Anthropic
// and OpenAI accept as a tool's parameters: an object schema whose
// keywords have the types JSON Schema gives them.
func checkToolSchema(schema any) error {
	m, ok := schema.(map[string]any)
	if !ok {
		return fmt.Errorf("schema must be a JSON object, got %s", jsonKind(schema))
	}
	if t, _ := m["type"].(string); t != "object" {
		return fmt.Errorf(`schema must be a JSON Schema of 'type: "object"', got 'type: "%v"'`, m["type"])
	}
	return checkSchema(m, "")
}

// checkSchema walks a JSON Schema and reports the first keyword whose value
// has the wrong shape.
func checkSchema(v any, at string) error {
	if _, ok := v.(bool); ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: a schema must be an object or a boolean, got %s", where(at), jsonKind(v))
	}
	switch t := m["type"].(type) {
	case nil:
	case string:
		if !jsonTypes[t] {
			return fmt.Errorf("%s: %q is not a valid type", where(at), t)
		}
	case []any:
		for _, x := range t {
			if s, ok := x.(string); !ok || !jsonTypes[s] {
				return fmt.Errorf("%s: %v is not a valid type", where(at), x)
			}
		}
	default:
		return fmt.Errorf("%s: type must be a string or an array of strings", where(at))
	}
	if p, ok := m["properties"]; ok {
		props, ok := p.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: properties must be an object", where(at))
		}
		for _, k := range sortedKeys(props) {
			if err := checkSchema(props[k], at+"/properties/"+k); err != nil {
				return err
			}
		}
	}
	if r, ok := m["required"]; ok {
		arr, ok := r.([]any)
		if !ok {
			return fmt.Errorf("%s: required must be an array of strings", where(at))
		}
		for _, x := range arr {
			if _, ok := x.(string); !ok {
				return fmt.Errorf("%s: required must be an array of strings", where(at))
			}
		}
	}
	if e, ok := m["enum"]; ok {
		if _, ok := e.([]any); !ok {
			return fmt.Errorf("%s: enum must be an array", where(at))
		}
	}
	for _, key := range []string{"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"} {
		if sub, ok := m[key]; ok {
			if err := checkSchema(sub, at+"/"+key); err != nil {
				return err
			}
		}
	}
	for _, key := range []string{"anyOf", "oneOf", "allOf", "prefixItems"} {
		if sub, ok := m[key]; ok {
			arr, ok := sub.([]any)
			if !ok || len(arr) == 0 {
				return fmt.Errorf("%s: %s must be a non-empty array", where(at), key)
			}
			for i, s := range arr {
				if err := checkSchema(s, fmt.Sprintf("%s/%s/%d", at, key, i)); err != nil {
					return err
				}
			}
		}
	}
	for _, key := range []string{"$defs", "definitions"} {
		if sub, ok := m[key]; ok {
			defs, ok := sub.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: %s must be an object", where(at), key)
			}
			for _, k := range sortedKeys(defs) {
				if err := checkSchema(defs[k], at+"/"+key+"/"+k); err != nil {
					return err
				}
			}
		}
	}
	for _, key := range []string{"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"} {
		if n, ok := m[key]; ok && !nonNegativeInt(n) {
			return fmt.Errorf("%s: %s must be a non-negative integer", where(at), key)
		}
	}
	return nil
}

// foldTypes returns a copy of a JSON Schema with its type names in lower
// case: Gemini's JSON-schema fields accept its Type names ("OBJECT"),
// which Gemini CLI sends.
func foldTypes(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if k == "type" {
				if s, ok := x.(string); ok {
					out[k] = strings.ToLower(s)
					continue
				}
			}
			out[k] = foldTypes(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = foldTypes(x)
		}
		return out
	}
	return v
}

// geminiSchemaKeys are the fields of Gemini's Schema message (an OpenAPI
// 3.0 subset), camelCase and snake_case as proto JSON accepts both.
var geminiSchemaKeys = map[string]bool{
	"type": true, "format": true, "title": true, "description": true, "nullable": true, "enum": true,
	"maxItems": true, "minItems": true, "properties": true, "required": true, "minProperties": true,
	"maxProperties": true, "minLength": true, "maxLength": true, "pattern": true, "example": true,
	"anyOf": true, "propertyOrdering": true, "default": true, "items": true, "minimum": true, "maximum": true,
	"max_items": true, "min_items": true, "min_properties": true, "max_properties": true, "min_length": true,
	"max_length": true, "any_of": true, "property_ordering": true,
}

var geminiTypes = map[string]bool{"TYPE_UNSPECIFIED": true, "STRING": true, "NUMBER": true, "INTEGER": true, "BOOLEAN": true, "ARRAY": true, "OBJECT": true, "NULL": true}

// checkGeminiSchema reports the first field of a Gemini Schema (function
// parameters, responseSchema) that Gemini refuses: a JSON Schema keyword
// its Schema message lacks ("Unknown name ... Cannot find field"), or a
// type that is not one of its Type values.
func checkGeminiSchema(v any, at string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("Invalid value at '%s' (type.googleapis.com/google.ai.generativelanguage.v1beta.Schema), %s", at, jsonKind(v))
	}
	for _, k := range sortedKeys(m) {
		if !geminiSchemaKeys[k] {
			return fmt.Errorf("Invalid JSON payload received. Unknown name %q at '%s': Cannot find field.", k, at)
		}
	}
	if t, ok := m["type"]; ok {
		s, isStr := t.(string)
		if !isStr || !geminiTypes[strings.ToUpper(s)] {
			return fmt.Errorf("Invalid value at '%s.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), %v", at, t)
		}
	}
	if p, ok := m["properties"].(map[string]any); ok {
		for _, k := range sortedKeys(p) {
			if err := checkGeminiSchema(p[k], at+".properties[\""+k+"\"].value"); err != nil {
				return err
			}
		}
	}
	if it, ok := m["items"]; ok {
		if err := checkGeminiSchema(it, at+".items"); err != nil {
			return err
		}
	}
	for _, key := range []string{"anyOf", "any_of"} {
		if arr, ok := m[key].([]any); ok {
			for i, s := range arr {
				if err := checkGeminiSchema(s, fmt.Sprintf("%s.any_of[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func nonNegativeInt(v any) bool {
	var f float64
	if _, err := fmt.Sscan(fmt.Sprint(v), &f); err != nil {
		return false
	}
	return f >= 0 && f == float64(int64(f))
}

func where(at string) string {
	if at == "" {
		return "schema"
	}
	return "schema" + at
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	default:
		return "number"
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// unknownKeys lists the keys of m that known lacks, sorted.
func unknownKeys(m map[string]any, known map[string]bool) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		if !known[k] {
			out = append(out, k)
		}
	}
	return out
}

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}
