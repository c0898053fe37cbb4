package anthropic

import (
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/internal/fixture"
	"github.com/routex-app/routex/backend/protocol"
)

func TestDecodeRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, r *protocol.Request)
	}{
		{"rule 1: a string system prompt becomes one system block", `{"model":"m","system":"be brief","messages":[{"role":"user","content":"hi"}]}`,
			func(t *testing.T, r *protocol.Request) {
				if len(r.System) != 1 || r.System[0].Text != "be brief" || len(r.Messages) != 1 {
					t.Errorf("system %+v messages %d", r.System, len(r.Messages))
				}
			}},
		{"rule 1: system text blocks keep their cache_control", `{"model":"m","system":[{"type":"text","text":"a"},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"hi"}]}`,
			func(t *testing.T, r *protocol.Request) {
				if len(r.System) != 2 || string(r.System[1].CacheControl) != `{"type":"ephemeral"}` || r.System[0].CacheControl != nil {
					t.Errorf("system %+v", r.System)
				}
			}},
		{"a mid-conversation system message is appended to the system prompt in order", `{"model":"m","system":"first","messages":[{"role":"user","content":"hi"},{"role":"system","content":"second"},{"role":"assistant","content":"ok"},{"role":"system","content":[{"type":"text","text":"third"}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				var got []string
				for _, b := range r.System {
					got = append(got, b.Text)
				}
				if strings.Join(got, ",") != "first,second,third" || len(r.Messages) != 2 {
					t.Errorf("system %v, %d messages", got, len(r.Messages))
				}
			}},
		{"rule 2: sampling fields and stop sequences are kept", `{"model":"m","max_tokens":100,"temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["END"],"stream":true,"messages":[{"role":"user","content":"hi"}]}`,
			func(t *testing.T, r *protocol.Request) {
				if r.MaxTokens != 100 || *r.Temperature != 0.5 || *r.TopP != 0.9 || *r.TopK != 40 || r.Stop[0] != "END" || !r.Stream {
					t.Errorf("%+v", r)
				}
			}},
		{"rule 2: unset sampling fields stay nil", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`,
			func(t *testing.T, r *protocol.Request) {
				if r.Temperature != nil || r.TopP != nil || r.TopK != nil || r.MaxTokens != 0 {
					t.Errorf("%+v", r)
				}
			}},
		{"rule 3: custom tools keep name, description, schema and cache_control", `{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"name":"Read","description":"read a file","input_schema":{"type":"object","properties":{"path":{"type":"string"}}},"cache_control":{"type":"ephemeral"}}]}`,
			func(t *testing.T, r *protocol.Request) {
				tl := r.Tools[0]
				if tl.Name != "Read" || tl.Description != "read a file" || !strings.Contains(string(tl.Schema), `"path"`) || tl.Type != "" || tl.CacheControl == nil {
					t.Errorf("%+v", tl)
				}
			}},
		{"server tools are kept whole in Raw", `{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":5}]}`,
			func(t *testing.T, r *protocol.Request) {
				tl := r.Tools[0]
				if tl.Type != "web_search_20250305" || !strings.Contains(string(tl.Raw), `"max_uses":5`) {
					t.Errorf("%+v", tl)
				}
			}},
		{"rule 4: tool_choice tool with disable_parallel_tool_use", `{"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"tool","name":"Read","disable_parallel_tool_use":true}}`,
			func(t *testing.T, r *protocol.Request) {
				if c := r.ToolChoice; c.Mode != protocol.ToolName || c.Name != "Read" || !c.DisableParallel {
					t.Errorf("%+v", c)
				}
			}},
		{"rule 4: tool_choice any", `{"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"any"}}`,
			func(t *testing.T, r *protocol.Request) {
				if r.ToolChoice.Mode != protocol.ToolAny {
					t.Errorf("%+v", r.ToolChoice)
				}
			}},
		{"rule 5: tool_use and tool_result with is_error and text blocks", `{"model":"m","messages":[{"role":"user","content":"run it"},{"role":"assistant","content":[{"type":"text","text":"ok"},{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"cmd":"ls"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","is_error":true,"content":[{"type":"text","text":"no such file"}]}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				use := r.Messages[1].Content[1]
				res := r.Messages[2].Content[0]
				if use.ID != "toolu_1" || use.Name != "Bash" || string(use.Input) != `{"cmd":"ls"}` {
					t.Errorf("tool_use %+v", use)
				}
				if res.ToolUseID != "toolu_1" || !res.IsError || res.Content[0].Text != "no such file" {
					t.Errorf("tool_result %+v", res)
				}
			}},
		{"rule 5: a tool result given as a string is Text", `{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"42"}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				if b := r.Messages[0].Content[0]; b.Text != "42" || b.Content != nil {
					t.Errorf("%+v", b)
				}
			}},
		{"rule 5: a tool_use without input gets an empty object", `{"model":"m","messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"Now"}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				if string(r.Messages[0].Content[0].Input) != "{}" {
					t.Errorf("%s", r.Messages[0].Content[0].Input)
				}
			}},
		{"rule 6: base64 and url images, and a PDF document", `{"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},{"type":"image","source":{"type":"url","url":"https://x/y.png"}},{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBER"}}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				c := r.Messages[0].Content
				if c[0].MediaType != "image/png" || c[0].Data != "iVBOR" || c[1].URL != "https://x/y.png" || c[2].Type != protocol.BlockDocument || c[2].MediaType != "application/pdf" {
					t.Errorf("%+v", c)
				}
			}},
		{"rule 6: an image inside a tool result is carried", `{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j"}}]}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				if c := r.Messages[0].Content[0].Content[0]; c.Type != protocol.BlockImage || c.Data != "/9j" {
					t.Errorf("%+v", c)
				}
			}},
		{"rule 7: thinking with a budget, and signed and redacted thinking blocks", `{"model":"m","thinking":{"type":"enabled","budget_tokens":4096},"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"redacted_thinking","data":"opaque"}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				c := r.Messages[0].Content
				if !r.Thinking.Enabled || r.Thinking.BudgetTokens != 4096 || c[0].Thinking != "hmm" || c[0].Signature != "sig" || c[1].Data != "opaque" {
					t.Errorf("%+v %+v", r.Thinking, c)
				}
			}},
		{"rule 7: adaptive thinking is enabled with no budget and keeps the effort", `{"model":"m","thinking":{"type":"adaptive"},"output_config":{"effort":"high"},"messages":[{"role":"user","content":"hi"}]}`,
			func(t *testing.T, r *protocol.Request) {
				if th := r.Thinking; !th.Enabled || !th.Adaptive || th.BudgetTokens != 0 || th.Effort != "high" {
					t.Errorf("%+v", th)
				}
			}},
		{"rule 7: disabled thinking is nil", `{"model":"m","thinking":{"type":"disabled"},"messages":[{"role":"user","content":"hi"}]}`,
			func(t *testing.T, r *protocol.Request) {
				if r.Thinking != nil {
					t.Errorf("%+v", r.Thinking)
				}
			}},
		{"rule 8: cache_control is kept on content blocks", `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral","ttl":"1h"}}]}]}`,
			func(t *testing.T, r *protocol.Request) {
				if string(r.Messages[0].Content[0].CacheControl) != `{"type":"ephemeral","ttl":"1h"}` {
					t.Errorf("%s", r.Messages[0].Content[0].CacheControl)
				}
			}},
		{"rule 9: metadata.user_id becomes UserID", `{"model":"m","metadata":{"user_id":"u-1"},"messages":[{"role":"user","content":"hi"}]}`,
			func(t *testing.T, r *protocol.Request) {
				if r.UserID != "u-1" {
					t.Errorf("%q", r.UserID)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, mustDecode(t, tt.body))
		})
	}
}

func TestDecodeRequestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"a body that is not JSON says so", `{"model":`, "request body: invalid JSON"},
		{"a missing model is named", `{"messages":[{"role":"user","content":"hi"}]}`, "model: required"},
		{"no messages is an error", `{"model":"m","messages":[]}`, "messages: at least one message"},
		{"an unknown role names its path", `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"tool","content":"x"}]}`, `messages[1].role: "tool" is not one of`},
		{"an unknown block type names the type and path", `{"model":"m","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"},{"role":"user","content":[{"type":"text","text":"x"},{"type":"hologram"}]}]}`, `messages[3].content[1]: unsupported content block type "hologram"`},
		{"a tool_use without an id", `{"model":"m","messages":[{"role":"assistant","content":[{"type":"tool_use","name":"x","input":{}}]}]}`, "messages[0].content[0].id: required"},
		{"a tool_use whose input is not an object", `{"model":"m","messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"x","input":"ls"}]}]}`, "messages[0].content[0].input: must be a JSON object"},
		{"a tool_result without tool_use_id", `{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]}`, "messages[0].content[0].tool_use_id: required"},
		{"a tool_use inside a tool result is refused", `{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"tool_use","id":"a","name":"b"}]}]}]}`, `messages[0].content[0].content[0]: content block type "tool_use" is not allowed`},
		{"an image without a source", `{"model":"m","messages":[{"role":"user","content":[{"type":"image"}]}]}`, "messages[0].content[0].source: required"},
		{"an image with a file source is refused by name", `{"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}`, `messages[0].content[0].source.type: "file" is not supported`},
		{"content that is a number", `{"model":"m","messages":[{"role":"user","content":5}]}`, "messages[0].content: must be a string or an array"},
		{"max_tokens of the wrong type", `{"model":"m","max_tokens":"lots","messages":[{"role":"user","content":"hi"}]}`, "max_tokens: expected a number"},
		{"max_tokens of zero", `{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}`, "max_tokens: must be at least 1"},
		{"an unknown thinking type", `{"model":"m","thinking":{"type":"deep"},"messages":[{"role":"user","content":"hi"}]}`, `thinking.type: "deep"`},
		{"tool_choice tool without a name", `{"model":"m","tool_choice":{"type":"tool"},"messages":[{"role":"user","content":"hi"}]}`, "tool_choice.name: required"},
		{"a custom tool without a schema", `{"model":"m","tools":[{"name":"x"}],"messages":[{"role":"user","content":"hi"}]}`, "tools[0].input_schema: required"},
		{"a system block that is not text", `{"model":"m","system":[{"type":"image"}],"messages":[{"role":"user","content":"hi"}]}`, `system[0]: system blocks must be of type "text"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Codec{}.DecodeRequest([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestDecodeClaudeCodeRequest decodes a real Claude Code 2.1.197 request
// and encodes it back for an Anthropic upstream.
func TestDecodeClaudeCodeRequest(t *testing.T) {
	t.Parallel()
	body := claudeCodeBody(t)
	req, err := Codec{}.DecodeRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	if req.UserID == "" || !req.Thinking.Adaptive || req.Thinking.Effort != "high" || len(req.Tools) != 24 {
		t.Errorf("user %q thinking %+v tools %d", req.UserID, req.Thinking, len(req.Tools))
	}
	for _, m := range req.Messages {
		if m.Role != protocol.RoleUser && m.Role != protocol.RoleAssistant {
			t.Errorf("role %q left in messages", m.Role)
		}
	}
	golden(t, "claude-code.neutral.json", marshalIndent(t, req))
	out, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: "claude-opus-4-8"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "claude-code.encoded.json", codectest.IndentJSON(t, out))
}

// claudeCodeBody is the body of the Claude Code fixture (the repository's
// testdata/claude-code-2.1.197-messages.json).
func claudeCodeBody(t testing.TB) []byte {
	t.Helper()
	return fixture.ClaudeCode(t).Body
}
