package gemini

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

func TestDecodeRequest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		body  string
		check func(t *testing.T, r *protocol.Request)
	}{
		{"rule 1: systemInstruction becomes System, and model and stream stay empty",
			`{"systemInstruction":{"parts":[{"text":"be brief"}]},"contents":[{"parts":[{"text":"hi"}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				if len(r.System) != 1 || r.System[0].Text != "be brief" || r.Model != "" || r.Stream {
					t.Errorf("system %+v model %q stream %v", r.System, r.Model, r.Stream)
				}
				if r.Messages[0].Role != protocol.RoleUser {
					t.Errorf("missing role should be user, got %s", r.Messages[0].Role)
				}
			}},
		{"snake_case spellings from the REST examples are accepted",
			`{"system_instruction":{"parts":[{"text":"s"}]},"contents":[{"role":"user","parts":[{"inline_data":{"mime_type":"image/png","data":"AA=="}}]}],"generation_config":{"max_output_tokens":10}}`,
			func(t *testing.T, r *protocol.Request) {
				b := r.Messages[0].Content[0]
				if len(r.System) != 1 || b.Type != protocol.BlockImage || b.MediaType != "image/png" || r.MaxTokens != 10 {
					t.Errorf("got system %+v block %+v max %d", r.System, b, r.MaxTokens)
				}
			}},
		{"rule 2: generationConfig maps to the sampling settings",
			`{"contents":[],"generationConfig":{"maxOutputTokens":100,"temperature":0.2,"topP":0.8,"topK":5,"stopSequences":["END"]}}`,
			func(t *testing.T, r *protocol.Request) {
				if r.MaxTokens != 100 || *r.Temperature != 0.2 || *r.TopP != 0.8 || *r.TopK != 5 || r.Stop[0] != "END" {
					t.Errorf("got %+v", r)
				}
			}},
		{"rule 3: functionDeclarations become tools with JSON Schema",
			`{"contents":[],"tools":[{"functionDeclarations":[{"name":"f","description":"d","parameters":{"type":"OBJECT","properties":{"a":{"type":"STRING"}}}},{"name":"g","parametersJsonSchema":{"type":"object","additionalProperties":false}},{"name":"h"}]},{"googleSearch":{}}]}`,
			func(t *testing.T, r *protocol.Request) {
				if len(r.Tools) != 4 {
					t.Fatalf("got %d tools", len(r.Tools))
				}
				if string(r.Tools[0].Schema) != `{"properties":{"a":{"type":"string"}},"type":"object"}` ||
					string(r.Tools[1].Schema) != `{"type":"object","additionalProperties":false}` ||
					string(r.Tools[2].Schema) != `{"type":"object","properties":{}}` || r.Tools[3].Type != "web_search_20250305" {
					t.Errorf("got %s | %s | %s | %+v", r.Tools[0].Schema, r.Tools[1].Schema, r.Tools[2].Schema, r.Tools[3])
				}
			}},
		{"rule 4: ANY with one allowed name is a named tool choice",
			`{"contents":[],"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["f"]}}}`,
			func(t *testing.T, r *protocol.Request) {
				if r.ToolChoice.Mode != protocol.ToolName || r.ToolChoice.Name != "f" {
					t.Errorf("got %+v", r.ToolChoice)
				}
			}},
		{"rule 4: NONE is none",
			`{"contents":[],"toolConfig":{"functionCallingConfig":{"mode":"NONE"}}}`,
			func(t *testing.T, r *protocol.Request) {
				if r.ToolChoice.Mode != protocol.ToolNone {
					t.Errorf("got %+v", r.ToolChoice)
				}
			}},
		{"rule 5 and 14: calls without ids get stable ids and responses pair by name in order",
			`{"contents":[{"role":"user","parts":[{"text":"go"}]},
			  {"role":"model","parts":[{"functionCall":{"name":"read","args":{"p":"a"}}},{"functionCall":{"name":"read","args":{"p":"b"}}}]},
			  {"role":"user","parts":[{"functionResponse":{"name":"read","response":{"output":"A"}}},{"functionResponse":{"name":"read","response":{"error":"no such file"}}}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				calls, results := r.Messages[1].Content, r.Messages[2].Content
				if calls[0].ID != "call_read_0" || calls[1].ID != "call_read_1" {
					t.Errorf("ids %q %q", calls[0].ID, calls[1].ID)
				}
				if results[0].ToolUseID != "call_read_0" || results[0].Content[0].Text != "A" || results[0].IsError {
					t.Errorf("first result %+v", results[0])
				}
				if results[1].ToolUseID != "call_read_1" || results[1].Content[0].Text != "no such file" || !results[1].IsError {
					t.Errorf("second result %+v", results[1])
				}
			}},
		{"rule 5: responses pair by id when they have one",
			`{"contents":[{"role":"model","parts":[{"functionCall":{"id":"a1","name":"f","args":{}}},{"functionCall":{"id":"a2","name":"f"}}]},
			  {"role":"user","parts":[{"text":"note"},{"functionResponse":{"id":"a2","name":"f","response":{"n":1}}}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				res := r.Messages[1].Content
				if res[0].Type != protocol.BlockToolResult || res[0].ToolUseID != "a2" || res[0].Content[0].Text != `{"n":1}` || res[1].Text != "note" {
					t.Errorf("got %+v", res)
				}
				if string(r.Messages[0].Content[1].Input) != `{}` {
					t.Errorf("missing args should be {}, got %s", r.Messages[0].Content[1].Input)
				}
			}},
		{"rule 7: thought parts become thinking blocks and signatures are kept",
			`{"contents":[{"role":"model","parts":[{"text":"hmm","thought":true,"thoughtSignature":"s1"},{"functionCall":{"name":"f","args":{}},"thoughtSignature":"s2"}]}],
			  "generationConfig":{"thinkingConfig":{"thinkingBudget":2048,"includeThoughts":true}}}`,
			func(t *testing.T, r *protocol.Request) {
				c := r.Messages[0].Content
				if c[0].Type != protocol.BlockThinking || c[0].Thinking != "hmm" || c[0].Signature != "s1" || c[1].Signature != "s2" {
					t.Errorf("got %+v", c)
				}
				if !r.Thinking.Enabled || r.Thinking.BudgetTokens != 2048 {
					t.Errorf("thinking %+v", r.Thinking)
				}
			}},
		{"rule 7: a zero budget turns thinking off",
			`{"contents":[],"generationConfig":{"thinkingConfig":{"thinkingBudget":0}}}`,
			func(t *testing.T, r *protocol.Request) {
				if r.Thinking.Enabled {
					t.Errorf("thinking %+v", r.Thinking)
				}
			}},
		{"rule 6: inlineData PDFs are documents and fileData images URL images",
			`{"contents":[{"parts":[{"inlineData":{"mimeType":"application/pdf","data":"JVBER"}},{"fileData":{"mimeType":"image/png","fileUri":"https://x/y.png"}}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				c := r.Messages[0].Content
				if c[0].Type != protocol.BlockDocument || c[0].Data != "JVBER" || c[1].Type != protocol.BlockImage || c[1].URL != "https://x/y.png" {
					t.Errorf("got %+v", c)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, err := Codec{}.DecodeRequest([]byte(c.body))
			if err != nil {
				t.Fatalf("DecodeRequest: %v", err)
			}
			c.check(t, r)
		})
	}
}

func TestDecodeRequestRejectsMalformedInput(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, body, errPart string }{
		{"a body that is not JSON", `{"contents":`, "not valid JSON"},
		{"a body that is an array", `[]`, "must be a JSON object"},
		{"contents that is not an array", `{"contents":{}}`, "contents must be an array"},
		{"an unknown role", `{"contents":[{"role":"robot","parts":[]}]}`, `role "robot"`},
		{"a function call without a name", `{"contents":[{"role":"model","parts":[{"functionCall":{"args":{}}}]}]}`, "functionCall.name"},
		{"args that are not an object", `{"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":[1]}}]}]}`, "args must be an object"},
		{"inline data without a MIME type", `{"contents":[{"parts":[{"inlineData":{"data":"AA"}}]}]}`, "mimeType"},
		{"a temperature that is a string", `{"contents":[],"generationConfig":{"temperature":"hot"}}`, "temperature must be a number"},
		{"an unknown calling mode", `{"contents":[],"toolConfig":{"functionCallingConfig":{"mode":"SOMETIMES"}}}`, "SOMETIMES"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Codec{}.DecodeRequest([]byte(c.body))
			if err == nil || !strings.Contains(err.Error(), c.errPart) {
				t.Fatalf("err = %v, want one containing %q", err, c.errPart)
			}
		})
	}
}

func TestRequestRoundTripMatchesGolden(t *testing.T) {
	t.Parallel()
	body := `{"systemInstruction":{"parts":[{"text":"You are a coding agent."}]},
	"contents":[
	 {"role":"user","parts":[{"text":"What is in this picture and file?"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},{"inlineData":{"mimeType":"application/pdf","data":"JVBERi0="}}]},
	 {"role":"model","parts":[{"text":"Let me look.","thought":true,"thoughtSignature":"c2lnMQ=="},{"functionCall":{"name":"read_file","args":{"path":"a.go"}},"thoughtSignature":"c2lnMg=="},{"functionCall":{"name":"list_dir","args":{}}}]},
	 {"role":"user","parts":[{"functionResponse":{"name":"read_file","response":{"output":"package a"}}},{"functionResponse":{"name":"list_dir","response":{"error":"permission denied"}}}]}
	],
	"tools":[{"functionDeclarations":[{"name":"read_file","description":"Read a file","parameters":{"type":"OBJECT","properties":{"path":{"type":"STRING"}},"required":["path"]}},{"name":"list_dir","description":"List a directory"}]}],
	"toolConfig":{"functionCallingConfig":{"mode":"AUTO"}},
	"generationConfig":{"maxOutputTokens":8192,"temperature":1,"thinkingConfig":{"thinkingBudget":4096,"includeThoughts":true}}}`
	req, err := Codec{}.DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "request_decoded.neutral.json", pruner.NeutralJSON(t, req))
	out, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: "gemini-3-pro-preview"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "request_roundtrip.gemini3.json", codectest.IndentJSON(t, out))
	if !json.Valid(out) {
		t.Fatal("invalid JSON")
	}
}
