package anthropic

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

func text(s string) protocol.Block { return protocol.Block{Type: protocol.BlockText, Text: s} }

func user(blocks ...protocol.Block) protocol.Message {
	return protocol.Message{Role: protocol.RoleUser, Content: blocks}
}

func assistant(blocks ...protocol.Block) protocol.Message {
	return protocol.Message{Role: protocol.RoleAssistant, Content: blocks}
}

// js renders part of an encoded request for comparison.
func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEncodeRequest(t *testing.T) {
	t.Parallel()
	hi := []protocol.Message{user(text("hi"))}
	tests := []struct {
		name  string
		req   protocol.Request
		check func(t *testing.T, m map[string]any)
	}{
		{"max_tokens defaults to 8192 when the client sent none", protocol.Request{Messages: hi},
			func(t *testing.T, m map[string]any) {
				if m["max_tokens"] != 8192.0 || m["model"] != "claude-sonnet-4-5" {
					t.Errorf("%v %v", m["max_tokens"], m["model"])
				}
			}},
		{"rule 1: one plain system block is a string, cache_control makes blocks", protocol.Request{Messages: hi,
			System: []protocol.Block{text("a"), {Type: protocol.BlockText, Text: "b", CacheControl: json.RawMessage(`{"type":"ephemeral"}`)}}},
			func(t *testing.T, m map[string]any) {
				if got := js(t, m["system"]); got != `[{"text":"a","type":"text"},{"cache_control":{"type":"ephemeral"},"text":"b","type":"text"}]` {
					t.Error(got)
				}
			}},
		{"rule 2: stop sequences and top_k are sent", protocol.Request{Messages: hi, Stop: []string{"END"}, TopK: ptr(5), Temperature: ptr(0.3)},
			func(t *testing.T, m map[string]any) {
				if js(t, m["stop_sequences"]) != `["END"]` || m["top_k"] != 5.0 || m["temperature"] != 0.3 {
					t.Error(m)
				}
			}},
		{"temperature and top_p together keep only temperature", protocol.Request{Messages: hi, Temperature: ptr(0.3), TopP: ptr(0.9)},
			func(t *testing.T, m map[string]any) {
				if _, ok := m["top_p"]; ok || m["temperature"] != 0.3 {
					t.Error(m)
				}
			}},
		{"rule 3: a custom tool without a schema gets an empty object schema, a server tool is sent whole", protocol.Request{Messages: hi,
			Tools: []protocol.Tool{{Name: "now", Description: "time"}, {Name: "web_search", Type: "web_search_20250305", Raw: json.RawMessage(`{"type":"web_search_20250305","name":"web_search","max_uses":3}`)}}},
			func(t *testing.T, m map[string]any) {
				if got := js(t, m["tools"]); got != `[{"description":"time","input_schema":{"properties":{},"type":"object"},"name":"now"},{"max_uses":3,"name":"web_search","type":"web_search_20250305"}]` {
					t.Error(got)
				}
			}},
		{"rule 4: tool_choice keeps disable_parallel_tool_use", protocol.Request{Messages: hi, ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolAuto, DisableParallel: true}},
			func(t *testing.T, m map[string]any) {
				if got := js(t, m["tool_choice"]); got != `{"disable_parallel_tool_use":true,"type":"auto"}` {
					t.Error(got)
				}
			}},
		{"rule 5: tool results move before the user's text, ids from OpenAI are kept", protocol.Request{Messages: []protocol.Message{
			user(text("go")),
			assistant(protocol.Block{Type: protocol.BlockToolUse, ID: "call_abc", Name: "ls", Input: json.RawMessage(`{"dir":"."}`)}),
			user(text("and then?"), protocol.Block{Type: protocol.BlockToolResult, ToolUseID: "call_abc", Text: "a.go", IsError: true}),
		}},
			func(t *testing.T, m map[string]any) {
				msgs := js(t, m["messages"])
				want := `[{"content":"go","role":"user"},{"content":[{"id":"call_abc","input":{"dir":"."},"name":"ls","type":"tool_use"}],"role":"assistant"},{"content":[{"content":"a.go","is_error":true,"tool_use_id":"call_abc","type":"tool_result"},{"text":"and then?","type":"text"}],"role":"user"}]`
				if msgs != want {
					t.Errorf("got  %s\nwant %s", msgs, want)
				}
			}},
		{"rule 14: tool ids with other characters are sanitized the same way in call and result", protocol.Request{Messages: []protocol.Message{
			assistant(protocol.Block{Type: protocol.BlockToolUse, ID: "fn:call/1", Name: "x"}),
			user(protocol.Block{Type: protocol.BlockToolResult, ToolUseID: "fn:call/1", Content: []protocol.Block{text("ok")}}),
		}},
			func(t *testing.T, m map[string]any) {
				msgs := m["messages"].([]any)
				use := msgs[0].(map[string]any)["content"].([]any)[0].(map[string]any)
				res := msgs[1].(map[string]any)["content"].([]any)[0].(map[string]any)
				if use["id"] != res["tool_use_id"] || !strings.HasPrefix(use["id"].(string), "fn_call_1_") || js(t, use["input"]) != "{}" {
					t.Errorf("%v %v", use, res)
				}
				if js(t, res["content"]) != `[{"text":"ok","type":"text"}]` {
					t.Error(res["content"])
				}
			}},
		{"rule 6: images by URL and base64, documents default to PDF", protocol.Request{Messages: []protocol.Message{user(
			protocol.Block{Type: protocol.BlockImage, URL: "https://x/a.png"},
			protocol.Block{Type: protocol.BlockImage, MediaType: "image/png", Data: "iVBOR"},
			protocol.Block{Type: protocol.BlockDocument, Data: "JVBER"})}},
			func(t *testing.T, m map[string]any) {
				got := js(t, m["messages"].([]any)[0].(map[string]any)["content"])
				want := `[{"source":{"type":"url","url":"https://x/a.png"},"type":"image"},{"source":{"data":"iVBOR","media_type":"image/png","type":"base64"},"type":"image"},{"source":{"data":"JVBER","media_type":"application/pdf","type":"base64"},"type":"document"}]`
				if got != want {
					t.Errorf("got  %s\nwant %s", got, want)
				}
			}},
		{"rule 7: unsigned thinking and Reasoning are dropped, signed and redacted thinking kept", protocol.Request{Messages: []protocol.Message{
			user(text("q")),
			{Role: protocol.RoleAssistant, Reasoning: "deepseek thoughts", Content: []protocol.Block{
				{Type: protocol.BlockThinking, Thinking: "from gemini"},
				{Type: protocol.BlockThinking, Thinking: "real", Signature: "sig"},
				{Type: protocol.BlockRedactedThinking, Data: "opaque"},
				text("answer")}},
			user(text("more")),
		}},
			func(t *testing.T, m map[string]any) {
				got := js(t, m["messages"].([]any)[1])
				want := `{"content":[{"signature":"sig","thinking":"real","type":"thinking"},{"data":"opaque","type":"redacted_thinking"},{"text":"answer","type":"text"}],"role":"assistant"}`
				if got != want || strings.Contains(js(t, m), "deepseek") {
					t.Errorf("got  %s\nwant %s", got, want)
				}
			}},
		{"rule 7: an assistant turn of only unsigned thinking disappears", protocol.Request{Messages: []protocol.Message{
			user(text("q")), assistant(protocol.Block{Type: protocol.BlockThinking, Thinking: "x"}, text(" ")), user(text("again"))}},
			func(t *testing.T, m map[string]any) {
				if n := len(m["messages"].([]any)); n != 2 {
					t.Errorf("%d messages: %v", n, m["messages"])
				}
			}},
		{"rule 7: effort high becomes a 24576 budget and max_tokens is raised above it", protocol.Request{Messages: hi, Temperature: ptr(0.7), Thinking: &protocol.Thinking{Effort: "high"}},
			func(t *testing.T, m map[string]any) {
				if js(t, m["thinking"]) != `{"budget_tokens":24576,"type":"enabled"}` || m["max_tokens"] != 28672.0 {
					t.Error(m["thinking"], m["max_tokens"])
				}
				if _, ok := m["temperature"]; ok {
					t.Error("temperature sent with thinking")
				}
			}},
		{"rule 7: effort low is 2048 and medium 8192", protocol.Request{Messages: hi, MaxTokens: 32000, Thinking: &protocol.Thinking{Enabled: true, Effort: "low"}},
			func(t *testing.T, m map[string]any) {
				if js(t, m["thinking"]) != `{"budget_tokens":2048,"type":"enabled"}` || m["max_tokens"] != 32000.0 {
					t.Error(m["thinking"], m["max_tokens"])
				}
			}},
		{"rule 7: a budget under 1024 is raised to 1024", protocol.Request{Messages: hi, MaxTokens: 4000, Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 100}},
			func(t *testing.T, m map[string]any) {
				if js(t, m["thinking"]) != `{"budget_tokens":1024,"type":"enabled"}` {
					t.Error(m["thinking"])
				}
			}},
		{"rule 7: a budget at the client's max_tokens is cut to half of it", protocol.Request{Messages: hi, MaxTokens: 4000, Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 10000}},
			func(t *testing.T, m map[string]any) {
				if js(t, m["thinking"]) != `{"budget_tokens":2000,"type":"enabled"}` || m["max_tokens"] != 4000.0 {
					t.Error(m["thinking"], m["max_tokens"])
				}
			}},
		{"rule 7: a client max_tokens too small for thinking drops thinking", protocol.Request{Messages: hi, MaxTokens: 1500, Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 2048}},
			func(t *testing.T, m map[string]any) {
				if _, ok := m["thinking"]; ok {
					t.Error(m["thinking"])
				}
			}},
		{"rule 7: forced tool use leaves thinking off", protocol.Request{Messages: hi, ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolAny}, Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 2048}},
			func(t *testing.T, m map[string]any) {
				if _, ok := m["thinking"]; ok {
					t.Error(m["thinking"])
				}
			}},
		{"rule 7: a last tool call without signed thinking leaves thinking off", protocol.Request{Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 2048}, Messages: []protocol.Message{
			user(text("q")), assistant(protocol.Block{Type: protocol.BlockThinking, Thinking: "unsigned"}, protocol.Block{Type: protocol.BlockToolUse, ID: "call_1", Name: "x"}),
			user(protocol.Block{Type: protocol.BlockToolResult, ToolUseID: "call_1", Text: "r"})}},
			func(t *testing.T, m map[string]any) {
				if _, ok := m["thinking"]; ok {
					t.Error(m["thinking"])
				}
			}},
		{"rule 7: adaptive thinking stays adaptive with its effort", protocol.Request{Messages: hi, Thinking: &protocol.Thinking{Enabled: true, Adaptive: true, Effort: "medium"}},
			func(t *testing.T, m map[string]any) {
				if js(t, m["thinking"]) != `{"type":"adaptive"}` || js(t, m["output_config"]) != `{"effort":"medium"}` {
					t.Error(m["thinking"], m["output_config"])
				}
			}},
		{"rule 8: cache_control is sent only where a block carries it", protocol.Request{Messages: []protocol.Message{user(
			text("a"), protocol.Block{Type: protocol.BlockText, Text: "b", CacheControl: json.RawMessage(`{"type":"ephemeral"}`)})}},
			func(t *testing.T, m map[string]any) {
				if got := js(t, m["messages"]); got != `[{"content":[{"text":"a","type":"text"},{"cache_control":{"type":"ephemeral"},"text":"b","type":"text"}],"role":"user"}]` {
					t.Error(got)
				}
			}},
		{"rule 9: UserID becomes metadata.user_id", protocol.Request{Messages: hi, UserID: "u-7", Stream: true},
			func(t *testing.T, m map[string]any) {
				if js(t, m["metadata"]) != `{"user_id":"u-7"}` || m["stream"] != true {
					t.Error(m["metadata"], m["stream"])
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, mustEncode(t, &tt.req))
		})
	}
}

func TestEncodeRequestKeepsTextAsWritten(t *testing.T) {
	t.Parallel()
	out, err := Codec{}.EncodeRequest(&protocol.Request{Messages: []protocol.Message{user(text("if a < b && c > d"))}}, protocol.EncodeOptions{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"if a < b && c > d"`) {
		t.Errorf("HTML-escaped: %s", out)
	}
}

func TestEncodeRequestWithNothingToSendIsAnError(t *testing.T) {
	t.Parallel()
	_, err := Codec{}.EncodeRequest(&protocol.Request{Messages: []protocol.Message{user(text(""))}}, protocol.EncodeOptions{Model: "m"})
	if err == nil {
		t.Error("no error for a request with no content")
	}
}

func TestRequestRoundTripIsStable(t *testing.T) {
	t.Parallel()
	body := `{"model":"m","max_tokens":4096,"system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"tool_use","id":"toolu_01","name":"Read","input":{"path":"a"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"x"}]}],"tools":[{"name":"Read","input_schema":{"type":"object"}}],"thinking":{"type":"enabled","budget_tokens":1024},"stream":true}`
	req := mustDecode(t, body)
	once, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Codec{}.EncodeRequest(mustDecode(t, string(once)), protocol.EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(once) != string(again) {
		t.Errorf("not stable:\n%s\n%s", once, again)
	}
	golden(t, "roundtrip.request.json", codectest.IndentJSON(t, once))
}
