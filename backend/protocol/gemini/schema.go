package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// Gemini's function declarations take an OpenAPI 3.0 subset, and its proto
// parser rejects the whole request at the first key it does not know
// ("Invalid JSON payload received. Unknown name \"exclusiveMinimum\"" — the
// bug other routers shipped with Claude Code's tools). So cleaning keeps a
// whitelist of the Schema fields Google documents and rewrites what can be
// expressed in them: type arrays become type + nullable, const becomes enum,
// oneOf becomes anyOf, allOf is merged, local $refs are inlined, exclusive
// bounds become inclusive ones. title, default, example(s) are dropped:
// they never change validation and not every model version accepts them.

// maxRefDepth bounds $ref inlining; a recursive schema stops there.
const maxRefDepth = 8

// keepFormats are the format values Gemini accepts, by type. Others are
// dropped (the Developer API 400s on unknown formats such as "uri").
var keepFormats = map[string]map[string]bool{
	"string":  {"enum": true, "date-time": true},
	"number":  {"float": true, "double": true},
	"integer": {"int32": true, "int64": true},
}

// copyKeys are Schema fields copied as they are.
var copyKeys = []string{
	"description", "pattern", "minimum", "maximum",
	"minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties",
}

// CleanSchema turns a tool's JSON Schema into Gemini function-declaration
// parameters. It returns nil for a function without parameters (an object
// with no properties), which Gemini wants left out rather than empty.
func CleanSchema(schema json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(schema)) == 0 || string(bytes.TrimSpace(schema)) == "null" {
		return nil, nil
	}
	var root any
	dec := json.NewDecoder(bytes.NewReader(schema))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("tool schema is not valid JSON: %w", err)
	}
	m, ok := root.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("tool schema must be a JSON object")
	}
	c := cleaner{defs: map[string]any{}}
	for _, key := range []string{"$defs", "definitions"} {
		if defs, ok := m[key].(map[string]any); ok {
			for name, d := range defs {
				c.defs["#/"+key+"/"+name] = d
			}
		}
	}
	out := c.clean(m, 0)
	if out["type"] == nil && out["anyOf"] == nil {
		out["type"] = "object"
	}
	if out["type"] == "object" && out["properties"] == nil {
		return nil, nil
	}
	return protocol.Marshal(out)
}

type cleaner struct {
	defs map[string]any
}

func (c cleaner) clean(in map[string]any, depth int) map[string]any {
	in, depth = c.resolve(in, depth)
	out := make(map[string]any, len(in))
	nullable := in["nullable"] == true

	switch t := in["type"].(type) {
	case string:
		out["type"] = strings.ToLower(t)
	case []any:
		var types []string
		for _, v := range t {
			if s, ok := v.(string); ok {
				if strings.EqualFold(s, "null") {
					nullable = true
				} else {
					types = append(types, strings.ToLower(s))
				}
			}
		}
		switch len(types) {
		case 1:
			out["type"] = types[0]
		case 0:
		default:
			alts := make([]any, len(types))
			for i, s := range types {
				alts[i] = map[string]any{"type": s}
			}
			out["anyOf"] = alts
		}
	}
	if out["type"] == "null" {
		delete(out, "type")
		nullable = true
	}
	typ, _ := out["type"].(string)

	for _, k := range copyKeys {
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
	c.bounds(in, out, typ)
	if f, ok := in["format"].(string); ok && keepFormats[typ][f] {
		out["format"] = f
	}

	enum, _ := in["enum"].([]any)
	if v, ok := in["const"]; ok && enum == nil {
		enum = []any{v}
	}
	if enum != nil && (typ == "string" || typ == "") {
		var vals []any
		for _, v := range enum {
			switch v := v.(type) {
			case nil:
				nullable = true
			case string:
				vals = append(vals, v)
			default:
				b, _ := json.Marshal(v) // a decoded JSON value always encodes
				vals = append(vals, string(b))
			}
		}
		if len(vals) > 0 {
			out["type"] = "string"
			out["enum"] = vals
			typ = "string"
		}
	}

	if props, ok := in["properties"].(map[string]any); ok && len(props) > 0 {
		cleaned := make(map[string]any, len(props))
		for name, p := range props {
			if pm, ok := p.(map[string]any); ok {
				cleaned[name] = c.clean(pm, depth)
			} else {
				cleaned[name] = map[string]any{}
			}
		}
		out["properties"] = cleaned
		if req, ok := in["required"].([]any); ok {
			var keep []any
			for _, r := range req {
				if s, ok := r.(string); ok && cleaned[s] != nil {
					keep = append(keep, s)
				}
			}
			if len(keep) > 0 {
				out["required"] = keep
			}
		}
	}

	switch items := in["items"].(type) {
	case map[string]any:
		out["items"] = c.clean(items, depth)
	case []any: // a tuple: Gemini has none, the first item's schema is the best guess
		if len(items) > 0 {
			if first, ok := items[0].(map[string]any); ok {
				out["items"] = c.clean(first, depth)
			}
		}
	}
	if typ == "array" && out["items"] == nil {
		out["items"] = map[string]any{}
	}

	alts, _ := in["anyOf"].([]any)
	if alts == nil {
		alts, _ = in["oneOf"].([]any)
	}
	if alts != nil {
		var kept []any
		for _, a := range alts {
			am, ok := a.(map[string]any)
			if !ok {
				continue
			}
			ca := c.clean(am, depth)
			if ca["type"] == nil && ca["nullable"] == true && len(ca) == 1 {
				nullable = true // {"type":"null"}
				continue
			}
			kept = append(kept, ca)
		}
		if merged, ok := mergeEnums(kept); ok {
			kept = []any{merged}
		}
		switch {
		case len(kept) == 1:
			for k, v := range kept[0].(map[string]any) {
				if _, taken := out[k]; !taken {
					out[k] = v
				}
			}
		case len(kept) > 1:
			out["anyOf"] = kept
		}
	}
	if nullable {
		out["nullable"] = true
	}
	return out
}

// bounds turns exclusiveMinimum/Maximum into the inclusive bound Gemini
// knows: the next integer for integers, the same value for numbers.
func (cleaner) bounds(in, out map[string]any, typ string) {
	for _, b := range []struct {
		from, to string
		step     int64
	}{
		{"exclusiveMinimum", "minimum", 1}, {"exclusiveMaximum", "maximum", -1},
	} {
		n, ok := in[b.from].(json.Number)
		if !ok || out[b.to] != nil {
			continue
		}
		if i, err := n.Int64(); err == nil && typ == "integer" {
			out[b.to] = i + b.step
		} else {
			out[b.to] = n
		}
	}
}

// resolve inlines a local $ref and merges allOf, so clean sees one plain
// schema. Sibling keys of a $ref (a description) win over the target's.
func (c cleaner) resolve(in map[string]any, depth int) (map[string]any, int) {
	if ref, ok := in["$ref"].(string); ok {
		depth++
		target, found := c.defs[ref].(map[string]any)
		merged := map[string]any{}
		if found && depth < maxRefDepth {
			resolved, _ := c.resolve(target, depth)
			for k, v := range resolved {
				merged[k] = v
			}
		} else {
			merged["type"] = "object" // unknown or recursive: accept any object
		}
		for k, v := range in {
			if k != "$ref" {
				merged[k] = v
			}
		}
		in = merged
	}
	all, ok := in["allOf"].([]any)
	if !ok || depth >= maxRefDepth {
		return in, depth
	}
	merged := map[string]any{}
	props := map[string]any{}
	var required []any
	for i, part := range append(all[:len(all):len(all)], in) {
		pm, ok := part.(map[string]any)
		if !ok {
			continue
		}
		if i < len(all) {
			pm, _ = c.resolve(pm, depth+1)
		}
		for k, v := range pm {
			switch k {
			case "allOf":
			case "properties":
				if p, ok := v.(map[string]any); ok {
					for name, s := range p {
						props[name] = s
					}
				}
			case "required":
				if r, ok := v.([]any); ok {
					required = append(required, r...)
				}
			default:
				merged[k] = v
			}
		}
	}
	if len(props) > 0 {
		merged["properties"] = props
	}
	if len(required) > 0 {
		merged["required"] = required
	}
	return merged, depth
}

// mergeEnums folds alternatives that are all string enums (what zod writes
// for enum-or-literal unions) into one enum, which Gemini follows better
// than an anyOf.
func mergeEnums(alts []any) (map[string]any, bool) {
	if len(alts) < 2 {
		return nil, false
	}
	var vals []any
	for _, a := range alts {
		m := a.(map[string]any)
		e, ok := m["enum"].([]any)
		if !ok || m["type"] != "string" {
			return nil, false
		}
		for k := range m {
			if k != "enum" && k != "type" && k != "description" {
				return nil, false
			}
		}
		vals = append(vals, e...)
	}
	return map[string]any{"type": "string", "enum": vals}, true
}
