package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// toJSONSchema turns a Gemini OpenAPI-subset schema from a client into the
// JSON Schema the neutral model carries: types lowercased, nullable folded
// into the type, Gemini-only keys dropped.
func toJSONSchema(schema []byte) (json.RawMessage, error) {
	var root any
	dec := json.NewDecoder(bytes.NewReader(schema))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	m, ok := root.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be a JSON object")
	}
	return protocol.Marshal(fromGemini(m))
}

func fromGemini(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		switch k {
		case "propertyOrdering", "nullable":
		case "format":
			if v != "enum" {
				out[k] = v
			}
		case "type":
			if s, ok := v.(string); ok {
				out[k] = strings.ToLower(s)
			} else {
				out[k] = v
			}
		case "properties":
			if p, ok := v.(map[string]any); ok {
				props := make(map[string]any, len(p))
				for name, s := range p {
					if sm, ok := s.(map[string]any); ok {
						props[name] = fromGemini(sm)
					} else {
						props[name] = s
					}
				}
				out[k] = props
			} else {
				out[k] = v
			}
		case "items":
			if sm, ok := v.(map[string]any); ok {
				out[k] = fromGemini(sm)
			} else {
				out[k] = v
			}
		case "anyOf":
			if alts, ok := v.([]any); ok {
				conv := make([]any, len(alts))
				for i, a := range alts {
					if am, ok := a.(map[string]any); ok {
						conv[i] = fromGemini(am)
					} else {
						conv[i] = a
					}
				}
				out[k] = conv
			} else {
				out[k] = v
			}
		default:
			out[k] = v
		}
	}
	if in["nullable"] == true {
		if t, ok := out["type"].(string); ok {
			out["type"] = []any{t, "null"}
		}
	}
	if out["type"] == "object" && out["properties"] == nil {
		out["properties"] = map[string]any{}
	}
	return out
}
