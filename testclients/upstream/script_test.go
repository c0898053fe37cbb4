package upstream

import (
	"encoding/json"
	"strings"
	"testing"
)

const token = "RTX-0123456789ab"

func TestDecide(t *testing.T) {
	bash := tool{Name: "Bash", Schema: map[string]any{"type": "object", "properties": map[string]any{"command": map[string]any{"type": "string"}, "description": map[string]any{"type": "string"}}}}
	codexShell := tool{Name: "shell", Schema: map[string]any{"type": "object", "properties": map[string]any{"command": map[string]any{"type": "array", "items": map[string]any{"type": "string"}}}, "required": []any{"command"}}}
	execCmd := tool{Name: "exec_command", Schema: map[string]any{"type": "object", "properties": map[string]any{"cmd": map[string]any{"type": "string"}, "yield_time_ms": map[string]any{"type": "number"}}, "required": []any{"cmd"}}}
	router := map[string]any{"type": "OBJECT", "properties": map[string]any{"reasoning": map[string]any{"type": "STRING"}, "model_choice": map[string]any{"type": "STRING", "enum": []any{"flash", "pro"}}, "score": map[string]any{"type": "INTEGER", "minimum": 1}}}
	cases := []struct {
		name string
		in   turn
		want func(r reply) bool
	}{
		{"shell tool and a token: call it", turn{Tools: []tool{{Name: "Read"}, bash}, UserText: "run " + token},
			func(r reply) bool {
				return r.ToolName == "Bash" && strings.Contains(r.Args["command"].(string), "echo "+token+" > "+ProofFile) && r.Args["description"] != nil
			}},
		{"argv shell", turn{Tools: []tool{codexShell}, UserText: token},
			func(r reply) bool {
				argv, ok := r.Args["command"].([]any)
				return ok && len(argv) == 3 && argv[0] == "bash" && strings.Contains(argv[2].(string), token)
			}},
		{"exec_command takes cmd", turn{Tools: []tool{execCmd}, UserText: token},
			func(r reply) bool { cmd, _ := r.Args["cmd"].(string); return strings.Contains(cmd, token) }},
		{"tool result with the token: final answer", turn{Tools: []tool{bash}, UserText: token, HasResult: true, ToolResult: []string{"Output: " + token}},
			func(r reply) bool { return r.ToolName == "" && strings.HasPrefix(r.Text, DoneMarker+" "+token) }},
		{"tool result without the token", turn{Tools: []tool{bash}, UserText: token, HasResult: true, ToolResult: []string{"permission denied"}},
			func(r reply) bool {
				return !strings.Contains(r.Text, DoneMarker) && strings.Contains(r.Text, "permission denied")
			}},
		{"no shell tool: prose", turn{Tools: []tool{{Name: "Read"}}, UserText: token},
			func(r reply) bool { return r.Text == ProseAnswer }},
		{"no token: prose", turn{Tools: []tool{bash}, UserText: "write a title"},
			func(r reply) bool { return r.Text == ProseAnswer }},
		{"structured output wins", turn{Tools: []tool{bash}, UserText: token, Structured: true, Schema: router},
			func(r reply) bool {
				var v map[string]any
				return json.Unmarshal([]byte(r.Text), &v) == nil && v["model_choice"] == "flash" && v["reasoning"] == "scripted" && v["score"] == float64(1)
			}},
		{"JSON without a schema", turn{Structured: true},
			func(r reply) bool { return json.Valid([]byte(r.Text)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := decide(tc.in); !tc.want(got) {
				t.Fatalf("decide gave %+v", got)
			}
		})
	}
}

func TestFitValueArrays(t *testing.T) {
	v := fitValue(map[string]any{"type": "array", "minItems": json.Number("2"), "items": map[string]any{"type": "string"}}, 0)
	if arr, ok := v.([]any); !ok || len(arr) != 2 {
		t.Fatalf("fitValue = %#v, want two items", v)
	}
}

// TestToolLoopEveryFormat plays both turns of the loop in each format and
// checks the replies parse as that format's clients expect.
func TestToolLoopEveryFormat(t *testing.T) {
	cases := []struct {
		name, path string
		hdr        map[string]string
		first      string
		second     func(sig string) string
		// callIn and doneIn find the tool call and the final text in a reply.
		callIn, doneIn string
	}{
		{"anthropic", "/v1/messages", anthropicHdr,
			`{"model":"m","max_tokens":4096,"thinking":{"type":"adaptive"},"tools":[` + bashTool + `],"messages":[{"role":"user","content":"run ` + token + `"}]}`,
			func(string) string {
				return `{"model":"m","max_tokens":4096,"thinking":{"type":"adaptive"},"tools":[` + bashTool + `],"messages":[{"role":"user","content":"run ` + token + `"},` +
					`{"role":"assistant","content":[{"type":"thinking","thinking":"` + thinkingText + `","signature":"` + sign("thinking", thinkingText) + `"},{"type":"tool_use","id":"toolu_1","name":"Bash","input":{}}]},` +
					`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"` + token + `"}]}]}]}`
			}, `"type":"tool_use"`, DoneMarker},
		{"openai", "/v1/chat/completions", openaiHdr,
			`{"model":"m","tools":[{"type":"function","function":{"name":"run_shell_command","parameters":{"type":"object","properties":{"command":{"type":"string"}}}}}],"messages":[{"role":"user","content":"run ` + token + `"}]}`,
			func(string) string {
				return `{"model":"m","messages":[{"role":"user","content":"run ` + token + `"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"run_shell_command","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"` + token + `"}]}`
			}, `"tool_calls"`, DoneMarker},
		{"gemini", "/v1beta/models/gemini-3-pro-preview:generateContent", geminiHdr,
			`{"contents":[{"role":"user","parts":[{"text":"run ` + token + `"}]}],"tools":[{"functionDeclarations":[{"name":"run_shell_command","parametersJsonSchema":{"type":"object","properties":{"command":{"type":"string"}}}}]}]}`,
			func(sig string) string {
				return `{"contents":[{"role":"user","parts":[{"text":"run ` + token + `"}]},{"role":"model","parts":[{"functionCall":{"name":"run_shell_command","args":{}},"thoughtSignature":"` + sig + `"}]},{"role":"user","parts":[{"functionResponse":{"name":"run_shell_command","response":{"output":"` + token + `"}}}]}]}`
			}, `"functionCall"`, DoneMarker},
		{"responses", "/v1/responses", openaiHdr,
			`{"model":"m","tools":[{"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}}],"input":[{"role":"user","content":[{"type":"input_text","text":"run ` + token + `"}]}]}`,
			func(string) string {
				return `{"model":"m","input":[{"role":"user","content":"run ` + token + `"},{"type":"function_call","call_id":"c1","name":"exec_command","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"` + token + `"}]}`
			}, `"function_call"`, DoneMarker},
	}
	for _, tc := range cases {
		for _, stream := range []bool{false, true} {
			name := tc.name
			path, first := tc.path, tc.first
			if stream {
				name += "/stream"
				if tc.name == "gemini" {
					path = strings.Replace(path, ":generateContent", ":streamGenerateContent?alt=sse", 1)
				} else {
					first = strings.Replace(first, `{"model":"m",`, `{"model":"m","stream":true,`, 1)
				}
			}
			t.Run(name, func(t *testing.T) {
				s := New(nil)
				w, rec := call(t, s, path, tc.hdr, first)
				if w.Code != 200 || !strings.Contains(w.Body.String(), tc.callIn) || !strings.Contains(w.Body.String(), ProofFile) {
					t.Fatalf("first turn: status %d, action %q, refused %q:\n%s", w.Code, rec.Action, rec.Refused, w.Body)
				}
				if stream && !strings.Contains(w.Header().Get("Content-Type"), "text/event-stream") {
					t.Fatalf("stream answered %q", w.Header().Get("Content-Type"))
				}
				sig := ""
				if tc.name == "gemini" {
					if !strings.Contains(w.Body.String(), sign("gemini-fc", "run_shell_command")) {
						t.Fatalf("Gemini 3 call without the upstream's thought signature:\n%s", w.Body)
					}
					sig = sign("gemini-fc", "run_shell_command")
				}
				w, rec = call(t, s, tc.path, tc.hdr, tc.second(sig))
				if w.Code != 200 || !strings.Contains(w.Body.String(), tc.doneIn+" "+token) {
					t.Fatalf("second turn: status %d, action %q, refused %q:\n%s", w.Code, rec.Action, rec.Refused, w.Body)
				}
			})
		}
	}
}

func TestStructuredOutputEveryFormat(t *testing.T) {
	schema := `{"type":"object","properties":{"next_speaker":{"type":"string","enum":["user","model"]}},"required":["next_speaker"]}`
	cases := []struct {
		name, path string
		hdr        map[string]string
		body       string
	}{
		{"gemini", "/v1beta/models/gemini-2.5-flash:generateContent", geminiHdr, `{"contents":[{"role":"user","parts":[{"text":"who speaks next?"}]}],"generationConfig":{"responseMimeType":"application/json","responseJsonSchema":` + schema + `}}`},
		{"openai", "/v1/chat/completions", openaiHdr, `{"model":"m","messages":[{"role":"user","content":"who speaks next?"}],"response_format":{"type":"json_schema","json_schema":{"name":"next","schema":` + schema + `}}}`},
		{"anthropic", "/v1/messages", anthropicHdr, `{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"who speaks next?"}],"output_config":{"format":{"type":"json_schema","schema":` + schema + `}}}`},
		{"responses", "/v1/responses", openaiHdr, `{"model":"m","input":"who speaks next?","text":{"format":{"type":"json_schema","name":"next","schema":` + schema + `}}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(nil)
			w, rec := call(t, s, tc.path, tc.hdr, tc.body)
			if w.Code != 200 || rec.Action != "json" || rec.Text != `{"next_speaker":"user"}` {
				t.Fatalf("status %d, action %q, text %q, refused %q", w.Code, rec.Action, rec.Text, rec.Refused)
			}
			// The same request without the structured-output field gets prose.
			plain := strings.NewReplacer(`,"generationConfig":{"responseMimeType":"application/json","responseJsonSchema":`+schema+`}`, "",
				`,"response_format":{"type":"json_schema","json_schema":{"name":"next","schema":`+schema+`}}`, "",
				`,"output_config":{"format":{"type":"json_schema","schema":`+schema+`}}`, "",
				`,"text":{"format":{"type":"json_schema","name":"next","schema":`+schema+`}}`, "").Replace(tc.body)
			_, rec = call(t, s, tc.path, tc.hdr, plain)
			if rec.Action != "prose" || rec.Text != ProseAnswer {
				t.Fatalf("without structured output: action %q, text %q", rec.Action, rec.Text)
			}
		})
	}
}

func TestSummaryCountsRepeats(t *testing.T) {
	s := New(nil)
	body := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	for range 3 {
		call(t, s, "/v1/chat/completions", openaiHdr, body)
	}
	call(t, s, "/v1/chat/completions", openaiHdr, strings.Replace(body, "hi", "other", 1))
	if sum := s.Summary("t"); sum.Calls != 4 || sum.Repeats != 2 {
		t.Fatalf("summary %+v, want 4 calls and 2 repeats", sum)
	}
}
