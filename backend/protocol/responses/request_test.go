package responses

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// TestRequestGolden decodes every testdata/requests/*.in.json into the
// neutral model and encodes that back for a Responses upstream.
func TestRequestGolden(t *testing.T) {
	t.Parallel()
	codectest.Golden(t, "requests", Codec{}.DecodeRequest, func(req *protocol.Request) ([]byte, error) {
		return Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: "gpt-5-codex"})
	})
}

func decode(t *testing.T, body string) *protocol.Request {
	t.Helper()
	req, err := Codec{}.DecodeRequest([]byte(body))
	if err != nil {
		t.Fatalf("DecodeRequest: %v", err)
	}
	return req
}

func encode(t *testing.T, req *protocol.Request, model string) map[string]any {
	t.Helper()
	out, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: model})
	if err != nil {
		t.Fatalf("EncodeRequest: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDecodeRequest(t *testing.T) {
	t.Parallel()
	t.Run("instructions and developer messages go to System, wherever they stand (rule 1)", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"model":"m","instructions":"A","input":[{"role":"user","content":"hi"},{"type":"message","role":"developer","content":[{"type":"input_text","text":"B"}]}]}`)
		if len(req.System) != 2 || req.System[0].Text != "A" || req.System[1].Text != "B" {
			t.Errorf("System = %+v", req.System)
		}
		if len(req.Messages) != 1 || req.Messages[0].Content[0].Text != "hi" {
			t.Errorf("Messages = %+v", req.Messages)
		}
	})
	t.Run("a plain string input is one user turn", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"model":"m","input":"Say hi"}`)
		if len(req.Messages) != 1 || req.Messages[0].Role != protocol.RoleUser || req.Messages[0].Content[0].Text != "Say hi" {
			t.Errorf("Messages = %+v", req.Messages)
		}
	})
	t.Run("calls join the assistant turn and their outputs one user turn, in order (rule 5)", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"model":"m","input":[{"role":"user","content":"go"},
			{"type":"function_call","call_id":"c1","name":"A","arguments":"{}"},{"type":"custom_tool_call","call_id":"c2","name":"P","input":"raw"},
			{"type":"function_call_output","call_id":"c1","output":"one"},{"type":"custom_tool_call_output","call_id":"c2","output":"two"}]}`)
		if len(req.Messages) != 3 {
			t.Fatalf("Messages = %+v", req.Messages)
		}
		a, u := req.Messages[1], req.Messages[2]
		if a.Role != protocol.RoleAssistant || len(a.Content) != 2 || string(a.Content[1].Input) != `{"input":"raw"}` {
			t.Errorf("assistant turn = %+v", a)
		}
		if len(u.Content) != 2 || u.Content[0].ToolUseID != "c1" || u.Content[1].Content[0].Text != "two" {
			t.Errorf("tool turn = %+v", u)
		}
	})
	t.Run("a custom tool becomes a one-field JSON tool and keeps its grammar", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"model":"m","input":"x","tools":[{"type":"custom","name":"apply_patch","description":"d","format":{"type":"grammar","syntax":"lark","definition":"start: x"}}]}`)
		tool := req.Tools[0]
		if !tool.Freeform || string(tool.Format) != `{"type":"grammar","syntax":"lark","definition":"start: x"}` {
			t.Fatalf("tool = %+v", tool)
		}
		var schema struct {
			Properties map[string]struct{ Type, Description string }
			Required   []string
		}
		if err := json.Unmarshal(tool.Schema, &schema); err != nil {
			t.Fatal(err)
		}
		if p := schema.Properties["input"]; p.Type != "string" || !strings.Contains(p.Description, "start: x") || len(schema.Required) != 1 {
			t.Errorf("schema = %s", tool.Schema)
		}
	})
	t.Run("reasoning maps to thinking with a budget and its summary", func(t *testing.T) {
		t.Parallel()
		for effort, budget := range map[string]int{"minimal": 1024, "low": 2048, "medium": 8192, "high": 24576, "xhigh": 32768} {
			req := decode(t, `{"model":"m","input":"x","reasoning":{"effort":"`+effort+`","summary":"auto"}}`)
			if th := req.Thinking; th == nil || !th.Enabled || th.Effort != effort || th.BudgetTokens != budget || th.Summary != "auto" {
				t.Errorf("%s: Thinking = %+v", effort, th)
			}
		}
		if req := decode(t, `{"model":"m","input":"x","reasoning":{"effort":"none"}}`); req.Thinking != nil {
			t.Errorf("effort none gave %+v", req.Thinking)
		}
	})
	t.Run("a signature Routex carried comes back as a signature, OpenAI's content as Encrypted", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"model":"m","input":[{"role":"user","content":"q"},
			{"type":"reasoning","summary":[{"type":"summary_text","text":"t"}],"encrypted_content":"routex:signature:SIG"},
			{"type":"reasoning","summary":[],"encrypted_content":"routex:redacted:DATA"},
			{"type":"reasoning","summary":[],"encrypted_content":"gAAAA"}]}`)
		c := req.Messages[1].Content
		if c[0].Signature != "SIG" || c[0].Encrypted != "" || c[0].Thinking != "t" {
			t.Errorf("signed = %+v", c[0])
		}
		if c[1].Type != protocol.BlockRedactedThinking || c[1].Data != "DATA" {
			t.Errorf("redacted = %+v", c[1])
		}
		if c[2].Encrypted != "gAAAA" || c[2].Signature != "" {
			t.Errorf("openai = %+v", c[2])
		}
	})
	t.Run("previous_response_id alone is a request (a Responses channel continues it)", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"model":"m","previous_response_id":"resp_1","input":[]}`)
		if req.PreviousResponseID != "resp_1" {
			t.Errorf("PreviousResponseID = %q", req.PreviousResponseID)
		}
	})
	errs := []struct{ name, body, want string }{
		{"a body that is not JSON", `{"input":`, "invalid request body"},
		{"no input", `{"model":"m"}`, "input: at least one"},
		{"an unknown role", `{"model":"m","input":[{"role":"robot","content":"x"}]}`, "input[0].role"},
		{"a call without call_id", `{"model":"m","input":[{"type":"function_call","name":"a"}]}`, "call_id"},
		{"an item reference", `{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}`, "response store"},
		{"a compaction item", `{"model":"m","input":[{"type":"compaction","encrypted_content":"x"}]}`, "openai-responses channel"},
		{"an unknown item", `{"model":"m","input":[{"type":"computer_call"}]}`, "computer_call"},
		{"an uploaded file", `{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"file_1"}]}]}`, "file ids"},
		{"audio", `{"model":"m","input":[{"role":"user","content":[{"type":"input_audio"}]}]}`, "input_audio"},
		{"a conversation", `{"model":"m","input":"x","conversation":"conv_1"}`, "conversation store"},
		{"background", `{"model":"m","input":"x","background":true}`, "background"},
		{"a bad effort", `{"model":"m","input":"x","reasoning":{"effort":"huge"}}`, "reasoning.effort"},
		{"a bad format", `{"model":"m","input":"x","text":{"format":{"type":"xml"}}}`, "text.format.type"},
		{"a schema format without schema", `{"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n"}}}`, "text.format.schema"},
		{"a function tool without name", `{"model":"m","input":"x","tools":[{"type":"function"}]}`, "tools[0].name"},
		{"a bad tool_choice", `{"model":"m","input":"x","tool_choice":"always"}`, "tool_choice"},
		{"a negative max_output_tokens", `{"model":"m","input":"x","max_output_tokens":-1}`, "max_output_tokens"},
	}
	for _, c := range errs {
		t.Run(c.name+" is refused", func(t *testing.T) {
			t.Parallel()
			_, err := Codec{}.DecodeRequest([]byte(c.body))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestEncodeRequest(t *testing.T) {
	t.Parallel()
	userTurn := protocol.Message{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockText, Text: "hi"}}}
	t.Run("function tools go with strict off, since schemas of other APIs rarely meet strict mode", func(t *testing.T) {
		t.Parallel()
		req := &protocol.Request{Messages: []protocol.Message{userTurn},
			Tools: []protocol.Tool{{Name: "Read", Schema: json.RawMessage(`{"type":"object","properties":{"p":{"type":"string"}}}`)}}}
		tools := encode(t, req, "gpt-5")["tools"].([]any)
		if tool := tools[0].(map[string]any); tool["type"] != "function" || tool["strict"] != false || tool["name"] != "Read" {
			t.Errorf("tool = %v", tool)
		}
	})
	t.Run("an Anthropic signature or Gemini's never goes to a Responses upstream (rule 7)", func(t *testing.T) {
		t.Parallel()
		req := &protocol.Request{Messages: []protocol.Message{userTurn, {Role: protocol.RoleAssistant, Content: []protocol.Block{
			{Type: protocol.BlockThinking, Thinking: "hmm", Signature: "EqQBsig"},
			{Type: protocol.BlockRedactedThinking, Data: "redacted"},
			{Type: protocol.BlockThinking, Thinking: "kept", Encrypted: "gAAAA"},
			{Type: protocol.BlockText, Text: "ok"},
		}}}}
		out, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: "gpt-5"})
		if err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{"EqQBsig", "redacted", "hmm"} {
			if strings.Contains(string(out), leak) {
				t.Errorf("%q leaked: %s", leak, out)
			}
		}
		if !strings.Contains(string(out), `{"type":"reasoning","summary":[{"type":"summary_text","text":"kept"}],"encrypted_content":"gAAAA"}`) {
			t.Errorf("OpenAI's own reasoning was not passed back: %s", out)
		}
	})
	t.Run("reasoning goes only to reasoning models, which lose temperature and top_p", func(t *testing.T) {
		t.Parallel()
		temp := 0.3
		req := &protocol.Request{Messages: []protocol.Message{userTurn}, Temperature: &temp,
			Thinking: &protocol.Thinking{Enabled: true, BudgetTokens: 30000}}
		m := encode(t, req, "gpt-5-codex")
		if r, _ := m["reasoning"].(map[string]any); r["effort"] != "high" || m["temperature"] != nil {
			t.Errorf("gpt-5-codex: reasoning %v temperature %v", m["reasoning"], m["temperature"])
		}
		m = encode(t, req, "gpt-4.1")
		if m["reasoning"] != nil || m["temperature"] != 0.3 {
			t.Errorf("gpt-4.1: reasoning %v temperature %v", m["reasoning"], m["temperature"])
		}
	})
	t.Run("a client of another format gets OpenAI's encrypted reasoning asked for, statelessly", func(t *testing.T) {
		t.Parallel()
		req := &protocol.Request{Messages: []protocol.Message{userTurn}, Thinking: &protocol.Thinking{Enabled: true, Effort: "high"}}
		m := encode(t, req, "gpt-5-codex")
		if m["store"] != false || len(m["include"].([]any)) != 1 || m["include"].([]any)[0] != "reasoning.encrypted_content" {
			t.Errorf("store %v include %v", m["store"], m["include"])
		}
		if m = encode(t, req, "openai/gpt-oss-120b"); m["store"] != nil || m["include"] != nil {
			t.Errorf("gpt-oss: store %v include %v", m["store"], m["include"])
		}
		yes := true
		req.Store = &yes
		if m = encode(t, req, "gpt-5"); m["store"] != true || m["include"] != nil {
			t.Errorf("a client's own store: store %v include %v", m["store"], m["include"])
		}
	})
	t.Run("a user id longer than OpenAI's 64 characters is left out, a short one kept", func(t *testing.T) {
		t.Parallel()
		long := &protocol.Request{Messages: []protocol.Message{userTurn}, UserID: strings.Repeat("u", 65)}
		if m := encode(t, long, "gpt-5"); m["user"] != nil {
			t.Errorf("user = %v", m["user"])
		}
		short := &protocol.Request{Messages: []protocol.Message{userTurn}, UserID: "user-42"}
		if m := encode(t, short, "gpt-5"); m["user"] != "user-42" {
			t.Errorf("user = %v", m["user"])
		}
	})
	t.Run("max_output_tokens is at least 16, OpenAI's minimum; stop sequences have no place", func(t *testing.T) {
		t.Parallel()
		m := encode(t, &protocol.Request{Messages: []protocol.Message{userTurn}, MaxTokens: 1, Stop: []string{"END"}}, "gpt-4.1")
		if m["max_output_tokens"] != float64(16) || m["stop"] != nil {
			t.Errorf("body = %v", m)
		}
	})
	t.Run("a tool result with an image is sent as parts, an error marked in the text", func(t *testing.T) {
		t.Parallel()
		req := &protocol.Request{Messages: []protocol.Message{userTurn,
			{Role: protocol.RoleAssistant, Content: []protocol.Block{{Type: protocol.BlockToolUse, ID: "c1", Name: "shot", Input: json.RawMessage(`{}`)},
				{Type: protocol.BlockToolUse, ID: "c2", Name: "run", Input: json.RawMessage(`{}`)}}},
			{Role: protocol.RoleUser, Content: []protocol.Block{
				{Type: protocol.BlockToolResult, ToolUseID: "c1", Content: []protocol.Block{{Type: protocol.BlockImage, MediaType: "image/png", Data: "AA=="}}},
				{Type: protocol.BlockToolResult, ToolUseID: "c2", IsError: true, Content: []protocol.Block{{Type: protocol.BlockText, Text: "boom"}}},
			}}}}
		input := encode(t, req, "gpt-5")["input"].([]any)
		shot, run := input[3].(map[string]any), input[4].(map[string]any)
		parts, _ := shot["output"].([]any)
		if len(parts) != 1 || parts[0].(map[string]any)["image_url"] != "data:image/png;base64,AA==" {
			t.Errorf("image output = %v", shot)
		}
		if run["output"] != "[tool error] boom" || run["type"] != "function_call_output" {
			t.Errorf("error output = %v", run)
		}
	})
	t.Run("a free-text tool's calls and outputs go back as custom items, unwrapped", func(t *testing.T) {
		t.Parallel()
		req := &protocol.Request{Tools: []protocol.Tool{{Name: "apply_patch", Freeform: true, Schema: protocol.FreeformSchema("")}},
			ToolChoice: &protocol.ToolChoice{Mode: protocol.ToolName, Name: "apply_patch"},
			Messages: []protocol.Message{userTurn,
				{Role: protocol.RoleAssistant, Content: []protocol.Block{{Type: protocol.BlockToolUse, ID: "c1", Name: "apply_patch", Input: protocol.FreeformInput("*** Begin Patch")}}},
				{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockToolResult, ToolUseID: "c1", Content: []protocol.Block{{Type: protocol.BlockText, Text: "done"}}}}}}}
		m := encode(t, req, "gpt-5")
		input := m["input"].([]any)
		call, out := input[1].(map[string]any), input[2].(map[string]any)
		if call["type"] != "custom_tool_call" || call["input"] != "*** Begin Patch" || out["type"] != "custom_tool_call_output" || out["output"] != "done" {
			t.Errorf("items = %v %v", call, out)
		}
		if tc := m["tool_choice"].(map[string]any); tc["type"] != "custom" || tc["name"] != "apply_patch" {
			t.Errorf("tool_choice = %v", tc)
		}
		if tool := m["tools"].([]any)[0].(map[string]any); tool["type"] != "custom" {
			t.Errorf("tool = %v", tool)
		}
	})
	t.Run("web search of another format becomes Responses web search; other server tools are dropped", func(t *testing.T) {
		t.Parallel()
		req := &protocol.Request{Messages: []protocol.Message{userTurn}, Tools: []protocol.Tool{
			{Name: "web_search", Type: "web_search_20250305", Raw: json.RawMessage(`{"type":"web_search_20250305","name":"web_search"}`)},
			{Name: "bash", Type: "bash_20250124", Raw: json.RawMessage(`{"type":"bash_20250124","name":"bash"}`)}}}
		tools := encode(t, req, "gpt-5")["tools"].([]any)
		if len(tools) != 1 || tools[0].(map[string]any)["type"] != "web_search" {
			t.Errorf("tools = %v", tools)
		}
	})
	t.Run("structured output becomes text.format with the schema inline", func(t *testing.T) {
		t.Parallel()
		req := &protocol.Request{Messages: []protocol.Message{userTurn}, Output: &protocol.OutputFormat{Type: protocol.OutputJSONSchema,
			Name: "g", Schema: json.RawMessage(`{"type":"object"}`), Strict: true}}
		f := encode(t, req, "gpt-5")["text"].(map[string]any)["format"].(map[string]any)
		if f["type"] != "json_schema" || f["name"] != "g" || f["strict"] != true || f["schema"].(map[string]any)["type"] != "object" {
			t.Errorf("format = %v", f)
		}
	})
	t.Run("nothing to send is an error", func(t *testing.T) {
		t.Parallel()
		_, err := Codec{}.EncodeRequest(&protocol.Request{Messages: []protocol.Message{{Role: protocol.RoleAssistant,
			Content: []protocol.Block{{Type: protocol.BlockThinking, Thinking: "x", Signature: "s"}}}}}, protocol.EncodeOptions{Model: "m"})
		if err == nil {
			t.Error("no error")
		}
	})
}
