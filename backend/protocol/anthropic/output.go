package anthropic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// decodeOutputFormat reads a structured-output request: output_config.format
// (generally available) or the beta's top-level output_format.
func decodeOutputFormat(oc *OutputConfig, beta *OutputFormat) (*protocol.OutputFormat, error) {
	f, path := beta, "output_format"
	if oc != nil && oc.Format != nil {
		f, path = oc.Format, "output_config.format"
	}
	if f == nil {
		return nil, nil
	}
	if f.Type != "json_schema" {
		return nil, fmt.Errorf("%s.type: %q is not json_schema", path, f.Type)
	}
	if s := bytes.TrimSpace(f.Schema); len(s) == 0 || s[0] != '{' {
		return nil, fmt.Errorf("%s.schema: required, a JSON Schema object", path)
	}
	return &protocol.OutputFormat{Type: protocol.OutputJSONSchema, Schema: f.Schema}, nil
}

// claudeVersion reads the family's version out of a Claude model name in
// any of its spellings (claude-sonnet-4-5, claude-sonnet-4-5-20250929,
// anthropic/claude-sonnet-4.5, anthropic.claude-opus-4-6-v1:0).
var claudeVersion = regexp.MustCompile(`claude-(?:opus|sonnet|haiku)-(\d+)(?:[-.](\d{1,2})(?:\D|$))?`)

// nativeOutput reports whether model takes output_config.format: Claude
// Opus, Sonnet and Haiku from 4.5 on, where structured outputs are
// generally available. Older Claude models and the Anthropic-compatible
// endpoints of other providers do not (DeepSeek documents "output_config:
// only effort is supported"), so they get the output tool instead.
func nativeOutput(model string) bool {
	m := claudeVersion.FindStringSubmatch(strings.ToLower(model))
	if m == nil {
		return false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major > 4 || major == 4 && minor >= 5
}

// forcesOutputTool reports whether the output tool may be forced with
// tool_choice. DeepSeek's reasoning models are reported to refuse a forced
// tool_choice; there the tool is offered and its description asks for it.
func forcesOutputTool(model string) bool {
	return !strings.Contains(strings.ToLower(model), "deepseek")
}

// applyOutput prepares a structured-output request for model: the format
// to send as output_config.format, or a copy of req with the output tool
// added (and forced where it can be) for a target without it.
func applyOutput(req *protocol.Request, model string) (*protocol.Request, *OutputFormat) {
	o := req.Output
	if o == nil {
		return req, nil
	}
	if o.Type == protocol.OutputJSONSchema && nativeOutput(model) {
		if schema, ok := nativeSchema(o.Schema); ok {
			return req, &OutputFormat{Type: "json_schema", Schema: schema}
		}
	}
	tool, _ := protocol.OutputTool(o)
	work := *req
	work.Tools = append(append(make([]protocol.Tool, 0, len(req.Tools)+1), req.Tools...), tool)
	if ownTools(req.Tools) == 0 && forcesOutputTool(model) &&
		(req.ToolChoice == nil || req.ToolChoice.Mode == protocol.ToolAuto || req.ToolChoice.Mode == protocol.ToolAny) {
		work.ToolChoice = &protocol.ToolChoice{Mode: protocol.ToolName, Name: protocol.OutputToolName}
	}
	return &work, nil
}

// ownTools counts the client's custom tools.
func ownTools(tools []protocol.Tool) int {
	n := 0
	for _, t := range tools {
		if t.Type == "" || t.Type == "custom" {
			n++
		}
	}
	return n
}

// unsupportedKeywords are what Claude's structured outputs refuse in a
// schema; as Anthropic's SDKs do, they are taken out and said in the
// description instead, where the model still reads them.
var unsupportedKeywords = []string{
	"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
	"minLength", "maxLength", "maxItems", "minProperties", "maxProperties",
}

// nativeSchema rewrites a JSON Schema into one output_config.format takes:
// every object closed with additionalProperties false (required for all
// objects), constraints it does not support moved into the description,
// minItems above 1 likewise. A schema with $ref (possibly recursive, which
// is not supported) is not rewritten: ok is false and the output tool is
// used.
func nativeSchema(schema json.RawMessage) (json.RawMessage, bool) {
	if bytes.Contains(schema, []byte(`"$ref"`)) {
		return nil, false
	}
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(schema))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, false
	}
	closeSchema(root)
	out, err := protocol.Marshal(root)
	return out, err == nil
}

func closeSchema(s map[string]any) {
	var notes []string
	for _, k := range unsupportedKeywords {
		if v, ok := s[k]; ok {
			notes = append(notes, fmt.Sprintf("%s: %v", k, v))
			delete(s, k)
		}
	}
	if n, ok := s["minItems"].(json.Number); ok {
		if i, err := n.Int64(); err != nil || i > 1 {
			notes = append(notes, "minItems: "+n.String())
			delete(s, "minItems")
		}
	}
	if len(notes) > 0 {
		sort.Strings(notes)
		desc, _ := s["description"].(string)
		s["description"] = strings.TrimSpace(desc + " {" + strings.Join(notes, ", ") + "}")
	}
	if _, hasProps := s["properties"]; s["type"] == "object" || hasProps {
		s["additionalProperties"] = false
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for _, p := range props {
			if ps, ok := p.(map[string]any); ok {
				closeSchema(ps)
			}
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		closeSchema(items)
	}
	for _, k := range []string{"anyOf", "allOf", "oneOf", "prefixItems"} {
		if alts, ok := s[k].([]any); ok {
			for _, a := range alts {
				if as, ok := a.(map[string]any); ok {
					closeSchema(as)
				}
			}
		}
	}
}
