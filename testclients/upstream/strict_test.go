package upstream

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// call posts body to the upstream under a test cell and returns the
// response and the request's record.
func call(t *testing.T, s *Server, path string, hdr map[string]string, body string) (*httptest.ResponseRecorder, Record) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/cell/t"+path, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	recs := s.Records("t")
	if len(recs) == 0 {
		t.Fatalf("no record of %s", path)
	}
	return w, recs[len(recs)-1]
}

var (
	anthropicHdr = map[string]string{"x-api-key": APIKey, "anthropic-version": "2023-06-01"}
	openaiHdr    = map[string]string{"Authorization": "Bearer " + APIKey}
	geminiHdr    = map[string]string{"x-goog-api-key": APIKey}
)

type strictCase struct {
	name   string
	path   string
	hdr    map[string]string
	body   string
	status int
	// refused is a substring of the refusal message ("" when accepted).
	refused string
	warning string
}

func runStrict(t *testing.T, cases []strictCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(nil)
			w, rec := call(t, s, tc.path, tc.hdr, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; refused %q; body %s", w.Code, tc.status, rec.Refused, w.Body)
			}
			if tc.refused == "" && rec.Refused != "" {
				t.Fatalf("refused %q, want it accepted", rec.Refused)
			}
			if !strings.Contains(rec.Refused, tc.refused) {
				t.Fatalf("refused %q, want it to mention %q", rec.Refused, tc.refused)
			}
			if tc.refused != "" && !json.Valid(w.Body.Bytes()) {
				t.Fatalf("error body is not JSON: %s", w.Body)
			}
			warned := strings.Join(rec.Warnings, "\n")
			if tc.warning == "" && warned != "" || !strings.Contains(warned, tc.warning) {
				t.Fatalf("warnings %q, want %q", warned, tc.warning)
			}
		})
	}
}

const bashTool = `{"name":"Bash","input_schema":{"type":"object","properties":{"command":{"type":"string"},"description":{"type":"string"}},"required":["command"]}}`

// anthropicLoop is a tool loop's second request: the assistant turn that
// called Bash (with first as its first block) and the tool result.
func anthropicLoop(thinking, first string) string {
	blocks := `{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}`
	if first != "" {
		blocks = first + "," + blocks
	}
	return `{"model":"m","max_tokens":4096,` + thinking + `"tools":[` + bashTool + `],"messages":[` +
		`{"role":"user","content":"go"},{"role":"assistant","content":[` + blocks + `]},` +
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}]}`
}

func TestAnthropicStrict(t *testing.T) {
	signedThinking := `{"type":"thinking","thinking":"` + thinkingText + `","signature":"` + sign("thinking", thinkingText) + `"}`
	forged := `{"type":"thinking","thinking":"` + thinkingText + `","signature":"EqQBforged"}`
	on := `"thinking":{"type":"adaptive"},`
	p := "/v1/messages"
	runStrict(t, []strictCase{
		{"plain request", p, anthropicHdr, `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, 200, "", ""},
		{"no key", p, map[string]string{"anthropic-version": "2023-06-01"}, `{}`, 401, "API key", ""},
		{"no anthropic-version", p, map[string]string{"x-api-key": APIKey}, `{}`, 400, "anthropic-version", ""},
		{"unknown top-level field", p, anthropicHdr, `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"user":"u"}`, 400, "user: Extra inputs are not permitted", ""},
		{"missing max_tokens", p, anthropicHdr, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, 400, "max_tokens", ""},
		{"user_id within limit", p, anthropicHdr, `{"model":"m","max_tokens":10,"metadata":{"user_id":"` + strings.Repeat("u", 256) + `"},"messages":[{"role":"user","content":"hi"}]}`, 200, "", ""},
		{"user_id over limit", p, anthropicHdr, `{"model":"m","max_tokens":10,"metadata":{"user_id":"` + strings.Repeat("u", 257) + `"},"messages":[{"role":"user","content":"hi"}]}`, 400, "metadata.user_id", ""},
		{"unknown metadata key", p, anthropicHdr, `{"model":"m","max_tokens":10,"metadata":{"session":"x"},"messages":[{"role":"user","content":"hi"}]}`, 400, "metadata.session", ""},
		{"tool schema not an object schema", p, anthropicHdr, `{"model":"m","max_tokens":10,"tools":[{"name":"t","input_schema":{"type":"string"}}],"messages":[{"role":"user","content":"hi"}]}`, 400, "input_schema", ""},
		{"tool schema with a bad keyword", p, anthropicHdr, `{"model":"m","max_tokens":10,"tools":[{"name":"t","input_schema":{"type":"object","required":"x"}}],"messages":[{"role":"user","content":"hi"}]}`, 400, "required", ""},
		{"tool name with a space", p, anthropicHdr, `{"model":"m","max_tokens":10,"tools":[{"name":"a b","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"}]}`, 400, "name", ""},
		{"server tool needs no schema", p, anthropicHdr, `{"model":"m","max_tokens":10,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":"hi"}]}`, 200, "", ""},
		{"thinking budget too small", p, anthropicHdr, `{"model":"m","max_tokens":4096,"thinking":{"type":"enabled","budget_tokens":500},"messages":[{"role":"user","content":"hi"}]}`, 400, "budget_tokens", ""},
		{"thinking budget not under max_tokens", p, anthropicHdr, `{"model":"m","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":2000},"messages":[{"role":"user","content":"hi"}]}`, 400, "max_tokens", ""},
		{"thinking with temperature", p, anthropicHdr, `{"model":"m","max_tokens":10,"temperature":0.5,"thinking":{"type":"adaptive"},"messages":[{"role":"user","content":"hi"}]}`, 400, "temperature", ""},
		{"tool loop without thinking, thinking off", p, anthropicHdr, anthropicLoop("", ""), 200, "", ""},
		{"tool loop with signed thinking", p, anthropicHdr, anthropicLoop(on, signedThinking), 200, "", ""},
		{"tool loop that lost its thinking", p, anthropicHdr, anthropicLoop(on, ""), 400, "Expected `thinking` or `redacted_thinking`, but found `tool_use`", ""},
		{"thinking with a forged signature", p, anthropicHdr, anthropicLoop(on, forged), 400, "Invalid `signature`", ""},
		{"tool_result without tool_use", p, anthropicHdr, `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_9","content":"x"}]}]}`, 400, "unexpected `tool_use_id`", ""},
		{"tool_use without tool_result", p, anthropicHdr, `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"go"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{}}]},{"role":"user","content":"next"}]}`, 400, "without `tool_result`", ""},
		{"count_tokens refuses max_tokens", "/v1/messages/count_tokens", anthropicHdr, `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, 400, "max_tokens: Extra inputs", ""},
		{"count_tokens", "/v1/messages/count_tokens", anthropicHdr, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, 200, "", ""},
	})
}

func TestOpenAIStrict(t *testing.T) {
	p := "/v1/chat/completions"
	msgs := `"messages":[{"role":"user","content":"hi"}]`
	fn := func(params string) string {
		return `{"model":"m",` + msgs + `,"tools":[{"type":"function","function":{"name":"run","parameters":` + params + `}}]}`
	}
	runStrict(t, []strictCase{
		{"plain request", p, openaiHdr, `{"model":"m",` + msgs + `}`, 200, "", ""},
		{"no key", p, nil, `{}`, 401, "API key", ""},
		{"user at the limit", p, openaiHdr, `{"model":"m","user":"` + strings.Repeat("u", 64) + `",` + msgs + `}`, 200, "", ""},
		{"user over the limit", p, openaiHdr, `{"model":"m","user":"` + strings.Repeat("u", 150) + `",` + msgs + `}`, 400, "Invalid 'user': string too long", ""},
		{"unknown top-level field", p, openaiHdr, `{"model":"m","thinking":{"type":"enabled"},` + msgs + `}`, 400, "Unrecognized request argument supplied: thinking", ""},
		{"stream_options without stream", p, openaiHdr, `{"model":"m","stream_options":{"include_usage":true},` + msgs + `}`, 400, "stream_options", ""},
		{"valid tool", p, openaiHdr, fn(`{"type":"object","properties":{"command":{"type":"string"}}}`), 200, "", ""},
		{"tool parameters not an object schema", p, openaiHdr, fn(`{"type":"array"}`), 400, "Invalid schema for function 'run'", ""},
		{"tool parameters with a bad type", p, openaiHdr, fn(`{"type":"object","properties":{"a":{"type":"text"}}}`), 400, "not a valid type", ""},
		{"json_object without the word", p, openaiHdr, `{"model":"m",` + msgs + `,"response_format":{"type":"json_object"}}`, 400, "must contain the word 'json'", ""},
		{"json_object asked for JSON", p, openaiHdr, `{"model":"m","messages":[{"role":"user","content":"answer in JSON"}],"response_format":{"type":"json_object"}}`, 200, "", ""},
		{"json_schema without a name", p, openaiHdr, `{"model":"m",` + msgs + `,"response_format":{"type":"json_schema","json_schema":{"schema":{"type":"object"}}}}`, 400, "json_schema.name", ""},
		{"tool messages answer their call", p, openaiHdr, `{"model":"m","messages":[{"role":"user","content":"go"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"run","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"ok"}]}`, 200, "", ""},
		{"tool message without a call", p, openaiHdr, `{"model":"m","messages":[{"role":"user","content":"go"},{"role":"tool","tool_call_id":"c1","content":"ok"}]}`, 400, "must be a response to a preceeding message with 'tool_calls'", ""},
		{"call left unanswered", p, openaiHdr, `{"model":"m","messages":[{"role":"user","content":"go"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"run","arguments":"{}"}}]},{"role":"user","content":"next"}]}`, 400, "did not have response messages: c1", ""},
	})
}

// geminiLoop is a function-calling loop's second request on model, whose
// model turn's call carries sig (none when empty).
func geminiLoop(sig string) string {
	call := `{"functionCall":{"name":"run_shell_command","args":{"command":"ls"}}`
	if sig != "" {
		call += `,"thoughtSignature":"` + sig + `"`
	}
	return `{"contents":[{"role":"user","parts":[{"text":"go"}]},{"role":"model","parts":[` + call + `}]},` +
		`{"role":"user","parts":[{"functionResponse":{"name":"run_shell_command","response":{"output":"ok"}}}]}]}`
}

func TestGeminiStrict(t *testing.T) {
	g3 := "/v1beta/models/gemini-3-pro-preview:generateContent"
	g25 := "/v1beta/models/gemini-2.5-pro:generateContent"
	decl := func(schemaField, schema string) string {
		return `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"tools":[{"functionDeclarations":[{"name":"run","` + schemaField + `":` + schema + `}]}]}`
	}
	runStrict(t, []strictCase{
		{"plain request", g3, geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`, 200, "", ""},
		{"key as a query parameter", g3 + "?key=" + APIKey, nil, `{"contents":[{"parts":[{"text":"hi"}]}]}`, 200, "", ""},
		{"no key", g3, nil, `{}`, 403, "missing API key", ""},
		{"stable API version", "/v1/models/gemini-3-pro-preview:generateContent", geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`, 200, "", ""},
		{"unknown top-level field", g3, geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"temperature":1}`, 400, `Unknown name "temperature"`, ""},
		{"unknown generationConfig field", g3, geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"max_tokens":5}}`, 400, `Unknown name "max_tokens" at 'generation_config'`, ""},
		{"empty parts", g3, geminiHdr, `{"contents":[{"role":"user","parts":[]}]}`, 400, "must not be empty", ""},
		{"parameters in Gemini's Schema", g3, geminiHdr, decl("parameters", `{"type":"OBJECT","properties":{"c":{"type":"STRING"}}}`), 200, "", ""},
		{"parameters with a JSON Schema keyword", g3, geminiHdr, decl("parameters", `{"type":"object","additionalProperties":false}`), 400, `Unknown name "additionalProperties"`, ""},
		{"parameters with a type array", g3, geminiHdr, decl("parameters", `{"type":"object","properties":{"c":{"type":["string","null"]}}}`), 400, "Invalid value", ""},
		{"parametersJsonSchema takes JSON Schema", g3, geminiHdr, decl("parametersJsonSchema", `{"type":"object","additionalProperties":false}`), 200, "", ""},
		{"responseSchema with $schema", g3, geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"responseMimeType":"application/json","responseSchema":{"$schema":"x","type":"OBJECT"}}}`, 400, `Unknown name "$schema"`, ""},
		{"responseJsonSchema in Gemini's type names", g3, geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"responseMimeType":"application/json","responseJsonSchema":{"type":"OBJECT","properties":{"a":{"type":"STRING"}}}}}`, 200, "", ""},
		{"schema without JSON mime type", g3, geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"responseJsonSchema":{"type":"object"}}}`, 400, "response_mime_type", ""},
		{"Gemini 3 call with the upstream's signature", g3, geminiHdr, geminiLoop(sign("gemini-fc", "run_shell_command")), 200, "", ""},
		{"Gemini 3 call without a signature", g3, geminiHdr, geminiLoop(""), 400, "Function call is missing a thought_signature", ""},
		{"Gemini 3 call with a forged signature", g3, geminiHdr, geminiLoop("Cm9mb3JnZWQ="), 400, "Corrupted thought signature", ""},
		{"Gemini 3 call with the skip value", g3, geminiHdr, geminiLoop("skip_thought_signature_validator"), 200, "", "skip value"},
		{"Gemini 2.5 call without a signature", g25, geminiHdr, geminiLoop(""), 200, "", ""},
		{"earlier turns need no signature", g3, geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"go"}]},{"role":"model","parts":[{"functionCall":{"name":"a","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"a","response":{}}}]},{"role":"model","parts":[{"text":"done"}]},{"role":"user","parts":[{"text":"again"}]}]}`, 200, "", ""},
		{"responses do not match calls", g25, geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"go"}]},{"role":"model","parts":[{"functionCall":{"name":"a","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"a","response":{}}},{"functionResponse":{"name":"b","response":{}}}]}]}`, 400, "number of function response parts", ""},
		{"stream without alt=sse", "/v1beta/models/gemini-2.5-pro:streamGenerateContent", geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`, 400, "alt=sse", ""},
		{"countTokens", "/v1beta/models/gemini-2.5-pro:countTokens", geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`, 200, "", ""},
	})
}

func TestResponsesStrict(t *testing.T) {
	p := "/v1/responses"
	runStrict(t, []strictCase{
		{"plain request", p, openaiHdr, `{"model":"m","input":"hi"}`, 200, "", ""},
		{"no key", p, nil, `{}`, 401, "API key", ""},
		{"unknown top-level field", p, openaiHdr, `{"model":"m","input":"hi","messages":[]}`, 400, "Unknown parameter: 'messages'", ""},
		{"Codex's client_metadata", p, openaiHdr, `{"model":"m","input":"hi","client_metadata":{"turn_id":"t"}}`, 200, "", ""},
		{"user over the limit", p, openaiHdr, `{"model":"m","input":"hi","user":"` + strings.Repeat("u", 65) + `"}`, 400, "Invalid 'user'", ""},
		{"unknown include", p, openaiHdr, `{"model":"m","input":"hi","include":["reasoning.everything"]}`, 400, "reasoning.everything", ""},
		{"function tool with a bad schema", p, openaiHdr, `{"model":"m","input":"hi","tools":[{"type":"function","name":"run","parameters":{"type":"string"}}]}`, 400, "Invalid schema for function 'run'", ""},
		{"output answers its call", p, openaiHdr, `{"model":"m","input":[{"role":"user","content":"go"},{"type":"function_call","call_id":"c1","name":"run","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"ok"}]}`, 200, "", ""},
		{"output without a call", p, openaiHdr, `{"model":"m","input":[{"role":"user","content":"go"},{"type":"function_call_output","call_id":"c1","output":"ok"}]}`, 400, "No tool call found", ""},
		{"reasoning the upstream encrypted", p, openaiHdr, `{"model":"m","store":false,"input":[{"role":"user","content":"go"},{"type":"reasoning","id":"rs_scripted","summary":[],"encrypted_content":"` + sign("reasoning", "rs_scripted") + `"}]}`, 200, "", ""},
		{"reasoning encrypted elsewhere", p, openaiHdr, `{"model":"m","store":false,"input":[{"role":"user","content":"go"},{"type":"reasoning","id":"rs_scripted","summary":[],"encrypted_content":"gAAAA"}]}`, 400, "could not be verified", ""},
		{"reasoning by id with store off", p, openaiHdr, `{"model":"m","store":false,"input":[{"role":"user","content":"go"},{"type":"reasoning","id":"rs_1","summary":[]}]}`, 400, "not persisted", ""},
		{"json_schema format without a name", p, openaiHdr, `{"model":"m","input":"hi","text":{"format":{"type":"json_schema","schema":{"type":"object"}}}}`, 400, "text.format.name", ""},
	})
}

func TestStrictOff(t *testing.T) {
	s := New(nil)
	s.Strict = false
	w, rec := call(t, s, "/v1/chat/completions", openaiHdr, `{"model":"m","user":"`+strings.Repeat("u", 150)+`","messages":[{"role":"user","content":"hi"}]}`)
	if w.Code != 200 || rec.Refused != "" {
		t.Fatalf("strict off: status %d, refused %q", w.Code, rec.Refused)
	}
}

func TestUnknownEndpointRecorded(t *testing.T) {
	s := New(nil)
	w, rec := call(t, s, "/v1/completions", openaiHdr, `{}`)
	if w.Code != 404 || !strings.Contains(rec.Refused, "unknown endpoint") {
		t.Fatalf("status %d, refused %q", w.Code, rec.Refused)
	}
	if got := s.Summary("t").Refused; len(got) != 1 {
		t.Fatalf("summary refused %v, want the unknown endpoint", got)
	}
}

func TestLogWritesEveryRequest(t *testing.T) {
	var log bytes.Buffer
	s := New(&log)
	call(t, s, "/v1/chat/completions", openaiHdr, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	call(t, s, "/v1/chat/completions", nil, `{}`)
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log has %d lines, want 2:\n%s", len(lines), log.String())
	}
	var r Record
	if err := json.Unmarshal([]byte(lines[1]), &r); err != nil || r.Status != 401 || r.Cell != "t" {
		t.Fatalf("second record %+v (%v)", r, err)
	}
	if strings.Contains(log.String(), APIKey) {
		t.Fatal("the log holds the API key")
	}
}
