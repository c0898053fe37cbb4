package gemini

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

const absent = "<absent>"

func ptr[T any](v T) *T { return &v }

func text(s string) protocol.Block { return protocol.Block{Type: protocol.BlockText, Text: s} }

func user(blocks ...protocol.Block) protocol.Message {
	return protocol.Message{Role: protocol.RoleUser, Content: blocks}
}

func assistant(blocks ...protocol.Block) protocol.Message {
	return protocol.Message{Role: protocol.RoleAssistant, Content: blocks}
}

func toolUse(id, name, input string) protocol.Block {
	return protocol.Block{Type: protocol.BlockToolUse, ID: id, Name: name, Input: json.RawMessage(input)}
}

// checkPaths asserts gjson paths of body hold the given raw JSON.
func checkPaths(t *testing.T, body []byte, want map[string]string) {
	t.Helper()
	for path, raw := range want {
		got := gjson.GetBytes(body, path)
		switch {
		case raw == absent && got.Exists():
			t.Errorf("%s = %s, want it absent", path, got.Raw)
		case raw != absent && got.Raw != raw:
			t.Errorf("%s = %s, want %s", path, got.Raw, raw)
		}
	}
	if t.Failed() {
		t.Logf("body: %s", body)
	}
}

func TestEncodeRequest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		model string
		req   protocol.Request
		want  map[string]string
	}{
		{"rule 1: the system prompt goes to systemInstruction, never into a user turn", "gemini-2.5-pro",
			protocol.Request{System: []protocol.Block{text("be brief"), text("be kind")}, Messages: []protocol.Message{user(text("hi"))}},
			map[string]string{
				"systemInstruction.parts": `[{"text":"be brief"},{"text":"be kind"}]`,
				"contents":                `[{"role":"user","parts":[{"text":"hi"}]}]`,
			}},
		{"rule 2: sampling and length settings go to generationConfig", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, MaxTokens: 1000,
				Temperature: ptr(0.5), TopP: ptr(0.9), TopK: ptr(40), Stop: []string{"a", "b", "c", "d", "e", "f"}},
			map[string]string{
				"generationConfig": `{"maxOutputTokens":1000,"temperature":0.5,"topP":0.9,"topK":40,"stopSequences":["a","b","c","d","e"]}`,
			}},
		{"rule 2: no settings means no generationConfig", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}},
			map[string]string{"generationConfig": absent}},
		{"rule 4: tool choice any is ANY", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Tools: []protocol.Tool{{Name: "f"}},
				ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolAny}},
			map[string]string{"toolConfig": `{"functionCallingConfig":{"mode":"ANY"}}`}},
		{"rule 4: tool choice none is NONE", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Tools: []protocol.Tool{{Name: "f"}},
				ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolNone}},
			map[string]string{"toolConfig.functionCallingConfig.mode": `"NONE"`}},
		{"rule 4: tool choice auto is AUTO and disable_parallel has no Gemini form", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Tools: []protocol.Tool{{Name: "f"}},
				ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolAuto, DisableParallel: true}},
			map[string]string{"toolConfig": `{"functionCallingConfig":{"mode":"AUTO"}}`}},
		{"rule 4: a named tool is ANY with allowedFunctionNames", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Tools: []protocol.Tool{{Name: "f"}, {Name: "g"}},
				ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolName, Name: "g"}},
			map[string]string{"toolConfig": `{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["g"]}}`}},
		{"rule 4: tool choice without function tools is left out", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolAny}},
			map[string]string{"toolConfig": absent, "tools": absent}},
		{"rule 3: web search becomes googleSearch when there are no functions", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Tools: []protocol.Tool{{Name: "web_search", Type: "web_search_20250305"}}},
			map[string]string{"tools": `[{"googleSearch":{}}]`}},
		{"rule 3: web search is dropped beside functions and other server tools always", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Tools: []protocol.Tool{
				{Name: "web_search", Type: "web_search_20250305"}, {Name: "bash", Type: "bash_20250124"},
				{Name: "f", Description: "does f", Schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}}}`)}}},
			map[string]string{"tools": `[{"functionDeclarations":[{"name":"f","description":"does f","parameters":{"properties":{"a":{"type":"string"}},"type":"object"}}]}]`}},
		{"rule 5: tool_use becomes functionCall with id and args, and an empty input becomes {}", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("go")), assistant(text("ok"), toolUse("toolu_1", "Read", `{"path":"a"}`), toolUse("toolu_2", "Ls", ``))}},
			map[string]string{
				"contents.1.role":  `"model"`,
				"contents.1.parts": `[{"text":"ok"},{"functionCall":{"id":"toolu_1","name":"Read","args":{"path":"a"}}},{"functionCall":{"id":"toolu_2","name":"Ls","args":{}}}]`,
			}},
		{"rule 5: tool_result becomes functionResponse named after its call, text joined as output", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{
				user(text("go")), assistant(toolUse("toolu_1", "Read", `{}`)),
				user(protocol.Block{Type: protocol.BlockToolResult, ToolUseID: "toolu_1", Content: []protocol.Block{text("line 1"), text("line 2")}}, text("thanks")),
			}},
			map[string]string{
				"contents.2.parts": `[{"functionResponse":{"id":"toolu_1","name":"Read","response":{"output":"line 1\nline 2"}}},{"text":"thanks"}]`,
			}},
		{"rule 5: a tool_result given as a string keeps it as output", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{
				user(text("go")), assistant(toolUse("toolu_1", "Read", `{}`)),
				user(protocol.Block{Type: protocol.BlockToolResult, ToolUseID: "toolu_1", Text: "done"}),
			}},
			map[string]string{"contents.2.parts.0.functionResponse.response": `{"output":"done"}`}},
		{"rule 5: is_error is kept as an error response", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{
				user(text("go")), assistant(toolUse("toolu_1", "Bash", `{"command":"false"}`)),
				user(protocol.Block{Type: protocol.BlockToolResult, ToolUseID: "toolu_1", IsError: true, Content: []protocol.Block{text("exit 1")}}),
			}},
			map[string]string{"contents.2.parts.0.functionResponse.response": `{"error":"exit 1"}`}},
		{"rule 5: images in tool results go inside the functionResponse on Gemini 3", "gemini-3-pro-preview",
			protocol.Request{Messages: []protocol.Message{
				user(text("look")), assistant(toolUse("toolu_1", "Screenshot", `{}`)),
				user(protocol.Block{Type: protocol.BlockToolResult, ToolUseID: "toolu_1", Content: []protocol.Block{
					text("here"), {Type: protocol.BlockImage, MediaType: "image/png", Data: "iVBOR"}}}),
			}},
			map[string]string{
				"contents.2.parts": `[{"functionResponse":{"id":"toolu_1","name":"Screenshot","response":{"output":"here"},"parts":[{"inlineData":{"mimeType":"image/png","data":"iVBOR"}}]}}]`,
			}},
		{"rule 5: images in tool results follow the functionResponse on Gemini 2.5", "gemini-2.5-pro",
			protocol.Request{Messages: []protocol.Message{
				user(text("look")), assistant(toolUse("toolu_1", "Screenshot", `{}`)),
				user(protocol.Block{Type: protocol.BlockToolResult, ToolUseID: "toolu_1", Content: []protocol.Block{
					{Type: protocol.BlockImage, MediaType: "image/png", Data: "iVBOR"}}}),
			}},
			map[string]string{
				"contents.2.parts": `[{"functionResponse":{"id":"toolu_1","name":"Screenshot","response":{"output":""}}},{"inlineData":{"mimeType":"image/png","data":"iVBOR"}}]`,
			}},
		{"rule 6: base64 images become inlineData and URLs fileData with a MIME type", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(
				protocol.Block{Type: protocol.BlockImage, MediaType: "image/jpeg", Data: "/9j/"},
				protocol.Block{Type: protocol.BlockImage, URL: "https://example.com/cat.png?x=1"},
				protocol.Block{Type: protocol.BlockDocument, Data: "JVBER"},
				protocol.Block{Type: protocol.BlockDocument, URL: "https://example.com/paper"},
			)}},
			map[string]string{"contents.0.parts": `[{"inlineData":{"mimeType":"image/jpeg","data":"/9j/"}},` +
				`{"fileData":{"mimeType":"image/png","fileUri":"https://example.com/cat.png?x=1"}},` +
				`{"inlineData":{"mimeType":"application/pdf","data":"JVBER"}},` +
				`{"fileData":{"mimeType":"application/pdf","fileUri":"https://example.com/paper"}}]`}},
		{"rule 7: the thinking budget is clamped to gemini-2.5-pro's range", "gemini-2.5-pro",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 64000}},
			map[string]string{"generationConfig.thinkingConfig": `{"thinkingBudget":32768,"includeThoughts":true}`}},
		{"rule 7: flash-lite's minimum budget is 512", "models/gemini-2.5-flash-lite",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 100}},
			map[string]string{"generationConfig.thinkingConfig.thinkingBudget": `512`}},
		{"rule 7: unknown models get 1024..24576", "gemini-3-flash-preview",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 100}},
			map[string]string{"generationConfig.thinkingConfig.thinkingBudget": `1024`}},
		{"rule 7: an effort without a budget picks one", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Thinking: &protocol.Thinking{Enabled: true, Effort: "medium"}},
			map[string]string{"generationConfig.thinkingConfig.thinkingBudget": `8192`}},
		{"rule 7: thinking without budget or effort is dynamic", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Thinking: &protocol.Thinking{Enabled: true}},
			map[string]string{"generationConfig.thinkingConfig.thinkingBudget": `-1`}},
		{"rule 7: disabled thinking sends no thinkingConfig", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi"))}, Thinking: &protocol.Thinking{Enabled: false, BudgetTokens: 2048}},
			map[string]string{"generationConfig": absent}},
		{"rule 7: thinking blocks go back as thought parts with their signature, redacted ones are dropped", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("hi")), assistant(
				protocol.Block{Type: protocol.BlockThinking, Thinking: "hmm", Signature: "sig1"},
				protocol.Block{Type: protocol.BlockRedactedThinking, Data: "xxx"}, text("hello"))}},
			map[string]string{"contents.1.parts": `[{"text":"hmm","thought":true,"thoughtSignature":"sig1"},{"text":"hello"}]`}},
		{"a function call keeps its Gemini signature", "gemini-3-pro-preview",
			protocol.Request{Messages: []protocol.Message{user(text("go")), assistant(protocol.Block{Type: protocol.BlockToolUse, ID: "c1", Name: "f", Input: json.RawMessage(`{}`), Signature: "real"})}},
			map[string]string{"contents.1.parts.0.thoughtSignature": `"real"`}},
		{"an unsigned first function call gets the documented skip signature on Gemini 3", "gemini-3-pro-preview",
			protocol.Request{Messages: []protocol.Message{user(text("go")), assistant(text("sure"), toolUse("c1", "f", `{}`), toolUse("c2", "g", `{}`))}},
			map[string]string{
				"contents.1.parts.0.thoughtSignature": absent,
				"contents.1.parts.1.thoughtSignature": `"skip_thought_signature_validator"`,
				"contents.1.parts.2.thoughtSignature": absent,
			}},
		{"Gemini 2.5 gets no skip signature", "gemini-2.5-pro",
			protocol.Request{Messages: []protocol.Message{user(text("go")), assistant(toolUse("c1", "f", `{}`))}},
			map[string]string{"contents.1.parts.0.thoughtSignature": absent}},
		{"consecutive turns of one role are merged and empty text is dropped", "gemini-2.5-flash",
			protocol.Request{Messages: []protocol.Message{user(text("a")), user(text(""), text("b")), assistant(text("c")), assistant(text("d"))}},
			map[string]string{"contents": `[{"role":"user","parts":[{"text":"a"},{"text":"b"}]},{"role":"model","parts":[{"text":"c"},{"text":"d"}]}]`}},
		{"rule 8: cache_control, metadata and the user id never leak", "gemini-2.5-flash",
			protocol.Request{System: []protocol.Block{{Type: protocol.BlockText, Text: "s", CacheControl: json.RawMessage(`{"type":"ephemeral"}`)}},
				Messages: []protocol.Message{user(protocol.Block{Type: protocol.BlockText, Text: "hi", CacheControl: json.RawMessage(`{"type":"ephemeral"}`)})},
				Tools:    []protocol.Tool{{Name: "f", CacheControl: json.RawMessage(`{"type":"ephemeral"}`)}}, UserID: "u1", Model: "claude-x", Stream: true},
			map[string]string{"systemInstruction": `{"role":"user","parts":[{"text":"s"}]}`, "contents.0.parts": `[{"text":"hi"}]`,
				"tools": `[{"functionDeclarations":[{"name":"f"}]}]`, "model": absent, "stream": absent}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			body, err := Codec{}.EncodeRequest(&c.req, protocol.EncodeOptions{Model: c.model})
			if err != nil {
				t.Fatalf("EncodeRequest: %v", err)
			}
			for _, leak := range []string{"cache_control", "ephemeral", "metadata", "u1", "claude-x"} {
				if strings.Contains(string(body), leak) {
					t.Errorf("body leaks %q: %s", leak, body)
				}
			}
			checkPaths(t, body, c.want)
		})
	}
}

func TestEncodeRequestRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		req     protocol.Request
		errPart string
	}{
		{"a tool_result that answers no call", protocol.Request{Messages: []protocol.Message{
			user(protocol.Block{Type: protocol.BlockToolResult, ToolUseID: "toolu_9"})}}, "answers no tool_use"},
		{"an image with neither data nor url", protocol.Request{Messages: []protocol.Message{
			user(protocol.Block{Type: protocol.BlockImage})}}, "neither data nor url"},
		{"a tool schema that is not JSON", protocol.Request{Messages: []protocol.Message{user(text("x"))},
			Tools: []protocol.Tool{{Name: "f", Schema: json.RawMessage(`{`)}}}, "not valid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Codec{}.EncodeRequest(&c.req, protocol.EncodeOptions{Model: "gemini-2.5-pro"})
			if err == nil || !strings.Contains(err.Error(), c.errPart) {
				t.Fatalf("err = %v, want one containing %q", err, c.errPart)
			}
		})
	}
}

func TestEncodeClaudeCodeRequestMatchesGolden(t *testing.T) {
	t.Parallel()
	req := claudeCodeRequest(t)
	body, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: "gemini-2.5-pro"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "claude_code_request.gemini.json", codectest.IndentJSON(t, body))
	for _, bad := range []string{`"$schema"`, `"additionalProperties"`, `"exclusiveMinimum"`, `"propertyNames"`,
		`"const"`, `"default"`, `"format":"uri"`, "cache_control", "user_id", "context_management"} {
		if strings.Contains(string(body), bad) {
			t.Errorf("encoded Claude Code request still holds %s", bad)
		}
	}
}
