package transform

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

func TestRequestSteps(t *testing.T) {
	t.Parallel()
	cache := json.RawMessage(`{"type":"ephemeral"}`)
	tools := []protocol.Tool{{Name: "Read"}, {Name: "Edit"}}
	tests := []struct {
		name   string
		config string
		in     protocol.Request
		want   protocol.Request
	}{
		{"maxtoken caps a larger max_tokens", `[["maxtoken", {"max_tokens": 8192}]]`,
			protocol.Request{MaxTokens: 32000}, protocol.Request{MaxTokens: 8192}},
		{"maxtoken keeps a smaller max_tokens", `[["maxtoken", {"max_tokens": 8192}]]`,
			protocol.Request{MaxTokens: 1024}, protocol.Request{MaxTokens: 1024}},
		{"maxtoken sets an absent max_tokens", `[["maxtoken", {"max_tokens": 8192}]]`,
			protocol.Request{}, protocol.Request{MaxTokens: 8192}},
		{"sampling overrides only the values it names", `[["sampling", {"temperature": 0.6}]]`,
			protocol.Request{Temperature: ptr(1.0), TopP: ptr(0.9)}, protocol.Request{Temperature: ptr(0.6), TopP: ptr(0.9)}},
		{"sampling null removes a value", `[["sampling", {"temperature": null, "top_k": 20}]]`,
			protocol.Request{Temperature: ptr(1.0)}, protocol.Request{TopK: ptr(20)}},
		{"cleancache drops every marker", `["cleancache"]`,
			protocol.Request{
				System:   []protocol.Block{{Type: protocol.BlockText, Text: "s", CacheControl: cache}},
				Messages: []protocol.Message{{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockToolResult, CacheControl: cache, Content: []protocol.Block{{Type: protocol.BlockText, CacheControl: cache}}}}}},
				Tools:    []protocol.Tool{{Name: "Read", CacheControl: cache}, {Type: "web_search_20250305", Raw: json.RawMessage(`{"type":"web_search_20250305","cache_control":{"type":"ephemeral"}}`)}},
			},
			protocol.Request{
				System:   []protocol.Block{{Type: protocol.BlockText, Text: "s"}},
				Messages: []protocol.Message{{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockToolResult, Content: []protocol.Block{{Type: protocol.BlockText}}}}}},
				Tools:    []protocol.Tool{{Name: "Read"}, {Type: "web_search_20250305", Raw: json.RawMessage(`{"type":"web_search_20250305"}`)}},
			}},
		{"reasoning with an effort turns thinking on", `[["reasoning", {"effort": "high"}]]`,
			protocol.Request{}, protocol.Request{Thinking: &protocol.Thinking{Enabled: true, Effort: "high"}}},
		{"reasoning with a budget replaces adaptive thinking", `[["reasoning", {"budget_tokens": 2048}]]`,
			protocol.Request{Thinking: &protocol.Thinking{Enabled: true, Adaptive: true, Effort: "low"}},
			protocol.Request{Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 2048, Effort: "low"}}},
		{"reasoning disable removes thinking", `[["reasoning", {"disable": true}]]`,
			protocol.Request{Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 1024}}, protocol.Request{}},
		{"reasoning without options leaves the request alone", `["reasoning"]`,
			protocol.Request{Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 1024}},
			protocol.Request{Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 1024}}},
		{"tooluse forces tool use and offers the exit tool", `["tooluse"]`,
			protocol.Request{Tools: tools},
			protocol.Request{Tools: append(tools[:2:2], protocol.Tool{Name: exitToolName, Description: exitToolDescription, Schema: exitToolSchema}),
				ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolAny}}},
		{"tooluse keeps disable_parallel of an auto choice", `["tooluse"]`,
			protocol.Request{Tools: tools[:1], ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolAuto, DisableParallel: true}},
			protocol.Request{Tools: []protocol.Tool{tools[0], {Name: exitToolName, Description: exitToolDescription, Schema: exitToolSchema}},
				ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolAny, DisableParallel: true}}},
		{"tooluse leaves a request without tools alone", `["tooluse"]`, protocol.Request{}, protocol.Request{}},
		{"tooluse leaves tool_choice none alone", `["tooluse"]`,
			protocol.Request{Tools: tools, ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolNone}},
			protocol.Request{Tools: tools, ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolNone}}},
		{"tooluse leaves a named tool choice alone", `["tooluse"]`,
			protocol.Request{Tools: tools, ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolName, Name: "Read"}},
			protocol.Request{Tools: tools, ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolName, Name: "Read"}}},
		{"body and header steps leave the request alone", `["streamoptions", ["customparams", {"params": {"a": 1}}], ["headers", {"remove": ["x"]}]]`,
			protocol.Request{MaxTokens: 5}, protocol.Request{MaxTokens: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := tt.in
			mustChain(t, tt.config, "m").Request(&req)
			if !reflect.DeepEqual(req, tt.want) {
				t.Errorf("request =\n%+v\nwant\n%+v", req, tt.want)
			}
		})
	}
}

func TestToolUseDoesNotWriteIntoTheClientsToolArray(t *testing.T) {
	t.Parallel()
	backing := make([]protocol.Tool, 1, 4)
	backing[0] = protocol.Tool{Name: "Read"}
	req := protocol.Request{Tools: backing}
	mustChain(t, `["tooluse"]`, "m").Request(&req)
	if got := backing[:2][1].Name; got != "" {
		t.Errorf("the client's backing array was written: %q", got)
	}
}

func TestSamplingGivesEachRequestItsOwnValue(t *testing.T) {
	t.Parallel()
	c := mustChain(t, `[["sampling", {"temperature": 0.6}]]`, "m")
	var a, b protocol.Request
	c.Request(&a)
	*a.Temperature = 2
	c.Request(&b)
	if *b.Temperature != 0.6 {
		t.Errorf("temperature = %v after another request changed its own, want 0.6", *b.Temperature)
	}
}
