package anthropic

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// routerRequest is Gemini CLI's model-router request as the Gemini codec
// decodes it: a JSON answer matching a schema, thinking on a small budget.
func routerRequest() *protocol.Request {
	zero, one := 0.0, 1.0
	return &protocol.Request{
		System:      []protocol.Block{text("Classify the request. Respond only in JSON that matches the schema.")},
		Messages:    []protocol.Message{user(text("list the files in the current directory"))},
		MaxTokens:   1024,
		Temperature: &zero,
		TopP:        &one,
		Thinking:    &protocol.Thinking{Enabled: true, BudgetTokens: 512},
		Output: &protocol.OutputFormat{Type: protocol.OutputJSONSchema, Schema: json.RawMessage(
			`{"type":"object","properties":{"reasoning":{"type":"string","description":"Why.","maxLength":400},` +
				`"model_choice":{"type":"string","enum":["flash","pro"]}},"required":["reasoning","model_choice"]}`)},
	}
}

// A Claude model with structured outputs gets output_config.format, its
// schema closed and stripped of what it refuses; any other model behind
// the Anthropic format gets the output tool, forced.
func TestEncodeStructuredOutputGolden(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ model, file string }{
		{"claude-sonnet-4-5", "structured_native.encoded.json"},
		{"glm-4.6", "structured_tool.encoded.json"},
	} {
		t.Run(c.model, func(t *testing.T) {
			t.Parallel()
			body, err := Codec{}.EncodeRequest(routerRequest(), protocol.EncodeOptions{Model: c.model})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.file, codectest.IndentJSON(t, body))
		})
	}
}

func TestEncodeStructuredOutput(t *testing.T) {
	t.Parallel()
	encode := func(t *testing.T, req *protocol.Request, model string) gjson.Result {
		t.Helper()
		body, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: model})
		if err != nil {
			t.Fatal(err)
		}
		return gjson.ParseBytes(body)
	}
	t.Run("native: the model is Claude 4.5 or later, in any spelling", func(t *testing.T) {
		t.Parallel()
		for model, want := range map[string]bool{
			"claude-sonnet-4-5": true, "claude-sonnet-4-5-20250929": true, "anthropic/claude-opus-4.6": true,
			"claude-haiku-4-5": true, "claude-opus-5": true, "claude-sonnet-4-20250514": false, "claude-opus-4-1": false,
			"claude-3-7-sonnet-latest": false, "glm-4.6": false, "deepseek-chat": false, "kimi-k2": false,
		} {
			if got := nativeOutput(model); got != want {
				t.Errorf("nativeOutput(%q) = %v, want %v", model, got, want)
			}
		}
	})
	t.Run("the tool stands for the answer and is forced, which turns thinking off", func(t *testing.T) {
		t.Parallel()
		m := encode(t, routerRequest(), "kimi-k2")
		if m.Get("tool_choice").Raw != `{"type":"tool","name":"structured_output"}` || m.Get("tools.0.name").Str != "structured_output" ||
			m.Get("tools.0.input_schema.properties.model_choice.enum.1").Str != "pro" || m.Get("thinking").Exists() || m.Get("output_config").Exists() {
			t.Errorf("request %s", m.Raw)
		}
	})
	t.Run("DeepSeek is offered the tool, not forced to call it", func(t *testing.T) {
		t.Parallel()
		m := encode(t, routerRequest(), "deepseek-chat")
		if m.Get("tool_choice").Exists() || m.Get("tools.#").Int() != 1 {
			t.Errorf("request %s", m.Raw)
		}
	})
	t.Run("with the client's own tools the output tool joins them, unforced", func(t *testing.T) {
		t.Parallel()
		req := routerRequest()
		req.Tools = []protocol.Tool{{Name: "Bash", Schema: json.RawMessage(`{"type":"object","properties":{}}`)}}
		m := encode(t, req, "glm-4.6")
		if m.Get("tool_choice").Exists() || m.Get("tools.#.name").Raw != `["Bash","structured_output"]` {
			t.Errorf("request %s", m.Raw)
		}
	})
	t.Run("an answer that is not an object is wrapped in value", func(t *testing.T) {
		t.Parallel()
		req := routerRequest()
		req.Output.Schema = json.RawMessage(`{"type":"array","items":{"type":"string"}}`)
		m := encode(t, req, "glm-4.6")
		if m.Get("tools.0.input_schema").Raw != `{"properties":{"value":{"type":"array","items":{"type":"string"}}},"required":["value"],"type":"object"}` {
			t.Errorf("input_schema %s", m.Get("tools.0.input_schema").Raw)
		}
	})
	t.Run("JSON mode without a schema takes the tool even on Claude 4.5", func(t *testing.T) {
		t.Parallel()
		req := routerRequest()
		req.Output = &protocol.OutputFormat{Type: protocol.OutputJSONObject}
		m := encode(t, req, "claude-sonnet-4-5")
		if m.Get("output_config").Exists() || m.Get("tools.0.input_schema").Raw != `{"type":"object","additionalProperties":true}` {
			t.Errorf("request %s", m.Raw)
		}
	})
	t.Run("a schema with $ref takes the tool even on Claude 4.5", func(t *testing.T) {
		t.Parallel()
		req := routerRequest()
		req.Output.Schema = json.RawMessage(`{"type":"object","properties":{"n":{"$ref":"#/$defs/n"}},"$defs":{"n":{"type":"object","properties":{"n":{"$ref":"#/$defs/n"}}}}}`)
		if m := encode(t, req, "claude-sonnet-4-5"); m.Get("output_config.format").Exists() || m.Get("tools.0.name").Str != "structured_output" {
			t.Errorf("request %s", m.Raw)
		}
	})
	t.Run("adaptive thinking's effort and the format share output_config", func(t *testing.T) {
		t.Parallel()
		req := routerRequest()
		req.Thinking = &protocol.Thinking{Enabled: true, Adaptive: true, Effort: "high"}
		m := encode(t, req, "claude-opus-4-6")
		if m.Get("output_config.effort").Str != "high" || m.Get("output_config.format.type").Str != "json_schema" {
			t.Errorf("output_config %s", m.Get("output_config").Raw)
		}
	})
}

func TestDecodeOutputFormat(t *testing.T) {
	t.Parallel()
	schema := `{"type":"object","properties":{"a":{"type":"string"}}}`
	for _, c := range []struct{ name, field, err string }{
		{"output_config.format", `"output_config":{"effort":"high","format":{"type":"json_schema","schema":` + schema + `}}`, ""},
		{"the beta's output_format", `"output_format":{"type":"json_schema","schema":` + schema + `}`, ""},
		{"another type is refused", `"output_config":{"format":{"type":"xml"}}`, "output_config.format.type"},
		{"a format without a schema is refused", `"output_format":{"type":"json_schema"}`, "output_format.schema"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req, err := Codec{}.DecodeRequest([]byte(`{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"hi"}],` + c.field + `}`))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one naming %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if req.Output == nil || req.Output.Type != protocol.OutputJSONSchema || string(req.Output.Schema) != schema {
				t.Errorf("Output = %+v", req.Output)
			}
		})
	}
}
