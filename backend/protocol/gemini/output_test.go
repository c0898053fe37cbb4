package gemini

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// Gemini CLI asks for JSON before every prompt (its model router); the
// request below is what it sends. Decoded, the neutral request carries the
// schema, lowercased, so every target can be asked for the same answer.
func TestGeminiCLIRouterRequestKeepsItsSchema(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/gemini_cli_router.request.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := Codec{}.DecodeRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "gemini_cli_router.neutral.json", pruner.NeutralJSON(t, req))
	if req.Output == nil || req.Output.Type != protocol.OutputJSONSchema {
		t.Fatalf("Output = %+v, want a JSON Schema", req.Output)
	}
	// Back to Gemini 2.5 Flash-Lite, the router's own model: the schema
	// goes as responseJsonSchema again.
	out, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: "gemini-2.5-flash-lite"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "gemini_cli_router.gemini25.json", codectest.IndentJSON(t, out))
}

func TestEncodeOutput(t *testing.T) {
	t.Parallel()
	schema := json.RawMessage(`{"type":"object","properties":{"answer":{"type":"string","format":"uri","title":"A"}},"required":["answer"]}`)
	hi := []protocol.Message{user(text("hi"))}
	cases := []struct {
		name, model string
		req         protocol.Request
		want        map[string]string
	}{
		{"Gemini 3 takes the JSON Schema as it is", "gemini-3-pro-preview",
			protocol.Request{Messages: hi, Output: &protocol.OutputFormat{Type: protocol.OutputJSONSchema, Schema: schema}},
			map[string]string{"generationConfig.responseMimeType": `"application/json"`, "generationConfig.responseJsonSchema": string(schema),
				"generationConfig.responseSchema": absent}},
		{"Gemini 2.0 gets the OpenAPI subset as responseSchema", "gemini-2.0-flash",
			protocol.Request{Messages: hi, Output: &protocol.OutputFormat{Type: protocol.OutputJSONSchema, Schema: schema}},
			map[string]string{"generationConfig.responseMimeType": `"application/json"`, "generationConfig.responseJsonSchema": absent,
				"generationConfig.responseSchema": `{"properties":{"answer":{"type":"string"}},"required":["answer"],"type":"object"}`}},
		{"JSON mode alone is the MIME type alone", "gemini-2.5-pro",
			protocol.Request{Messages: hi, Output: &protocol.OutputFormat{Type: protocol.OutputJSONObject}},
			map[string]string{"generationConfig": `{"responseMimeType":"application/json"}`}},
		{"with functions, Gemini 2.5 gets the schema in the system instruction, not JSON mode it refuses", "gemini-2.5-pro",
			protocol.Request{Messages: hi, Tools: []protocol.Tool{{Name: "f"}}, Output: &protocol.OutputFormat{Type: protocol.OutputJSONSchema, Schema: schema}},
			map[string]string{"generationConfig": absent,
				"systemInstruction.parts.0.text": `"When you give your final answer, answer with a JSON object that matches this JSON Schema, and nothing else: ` +
					`{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\",\"format\":\"uri\",\"title\":\"A\"}},\"required\":[\"answer\"]}"`}},
		{"with functions, Gemini 3 takes both", "gemini-3-flash-preview",
			protocol.Request{Messages: hi, Tools: []protocol.Tool{{Name: "f"}}, Output: &protocol.OutputFormat{Type: protocol.OutputJSONSchema, Schema: schema}},
			map[string]string{"generationConfig.responseMimeType": `"application/json"`, "systemInstruction": absent}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			body, err := Codec{}.EncodeRequest(&c.req, protocol.EncodeOptions{Model: c.model})
			if err != nil {
				t.Fatal(err)
			}
			checkPaths(t, body, c.want)
		})
	}
}

func TestDecodeResponseFormat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, gc string
		want     *protocol.OutputFormat
	}{
		{"responseSchema in the OpenAPI subset becomes JSON Schema", `{"response_mime_type":"application/json","response_schema":{"type":"ARRAY","items":{"type":"STRING","nullable":true}}}`,
			&protocol.OutputFormat{Type: protocol.OutputJSONSchema, Schema: json.RawMessage(`{"items":{"type":["string","null"]},"type":"array"}`)}},
		{"JSON without a schema is JSON mode", `{"responseMimeType":"application/json"}`, &protocol.OutputFormat{Type: protocol.OutputJSONObject}},
		{"an enum answer is not JSON", `{"responseMimeType":"text/x.enum","responseSchema":{"type":"STRING","enum":["a"]}}`, nil},
		{"plain text asks for nothing", `{"responseMimeType":"text/plain"}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req, err := Codec{}.DecodeRequest([]byte(`{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":` + c.gc + `}`))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(req.Output)
			want, _ := json.Marshal(c.want)
			if string(got) != string(want) {
				t.Errorf("Output = %s, want %s", got, want)
			}
		})
	}
	if _, err := (Codec{}).DecodeRequest([]byte(`{"contents":[],"generationConfig":{"responseMimeType":"application/json","responseJsonSchema":"x"}}`)); err == nil {
		t.Error("a schema that is not an object was accepted")
	}
}
