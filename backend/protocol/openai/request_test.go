package openai

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/internal/golden"
	"github.com/routex-app/routex/backend/protocol"
)

// mustJSON parses a JSON text for a test value.
func mustJSON(s string) json.RawMessage { return json.RawMessage(s) }

// TestDecodeRequestGolden decodes every testdata/requests/*.json into the
// neutral model.
func TestDecodeRequestGolden(t *testing.T) {
	t.Parallel()
	codectest.Golden[*protocol.Request](t, "requests", Codec{}.DecodeRequest, nil)
}

func TestDecodeRequest(t *testing.T) {
	t.Parallel()
	decode := func(t *testing.T, body string) *protocol.Request {
		t.Helper()
		req, err := Codec{}.DecodeRequest([]byte(body))
		if err != nil {
			t.Fatalf("DecodeRequest: %v", err)
		}
		return req
	}
	t.Run("system and developer messages go to System, never into a user turn (rule 1)", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"messages":[{"role":"system","content":"A"},{"role":"user","content":"hi"},{"role":"developer","content":"B"}]}`)
		if len(req.System) != 2 || req.System[0].Text != "A" || req.System[1].Text != "B" {
			t.Errorf("System = %+v", req.System)
		}
		if len(req.Messages) != 1 || len(req.Messages[0].Content) != 1 || req.Messages[0].Content[0].Text != "hi" {
			t.Errorf("Messages = %+v", req.Messages)
		}
	})
	t.Run("consecutive tool messages become one user turn of tool results in order (rule 5)", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"messages":[{"role":"user","content":"go"},
			{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"A","arguments":"{}"}},{"id":"c2","type":"function","function":{"name":"B","arguments":""}}]},
			{"role":"tool","tool_call_id":"c1","content":"one"},{"role":"tool","tool_call_id":"c2","content":"two"}]}`)
		if len(req.Messages) != 3 {
			t.Fatalf("Messages = %+v", req.Messages)
		}
		u := req.Messages[2]
		if u.Role != protocol.RoleUser || len(u.Content) != 2 || u.Content[0].ToolUseID != "c1" || u.Content[1].ToolUseID != "c2" ||
			u.Content[1].Content[0].Text != "two" {
			t.Errorf("tool turn = %+v", u)
		}
		if in := req.Messages[1].Content[1].Input; string(in) != "{}" {
			t.Errorf("empty arguments = %s, want {}", in)
		}
	})
	t.Run("tool_choice and parallel_tool_calls map to the neutral choice (rule 4)", func(t *testing.T) {
		t.Parallel()
		cases := []struct {
			choice string
			want   protocol.ToolChoice
		}{
			{`"auto"`, protocol.ToolChoice{Mode: protocol.ToolAuto, DisableParallel: true}},
			{`"required"`, protocol.ToolChoice{Mode: protocol.ToolAny, DisableParallel: true}},
			{`"none"`, protocol.ToolChoice{Mode: protocol.ToolNone, DisableParallel: true}},
			{`{"type":"function","function":{"name":"Read"}}`, protocol.ToolChoice{Mode: protocol.ToolName, Name: "Read", DisableParallel: true}},
		}
		for _, c := range cases {
			req := decode(t, `{"messages":[{"role":"user","content":"x"}],"tool_choice":`+c.choice+`,"parallel_tool_calls":false}`)
			if req.ToolChoice == nil || *req.ToolChoice != c.want {
				t.Errorf("tool_choice %s = %+v, want %+v", c.choice, req.ToolChoice, c.want)
			}
		}
	})
	t.Run("max_completion_tokens wins over max_tokens and stop may be a string (rule 2)", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"messages":[{"role":"user","content":"x"}],"max_tokens":10,"max_completion_tokens":20,"stop":"END","temperature":0.5,"top_p":1}`)
		if req.MaxTokens != 20 || len(req.Stop) != 1 || req.Stop[0] != "END" || *req.Temperature != 0.5 || *req.TopP != 1 {
			t.Errorf("req = %+v", req)
		}
	})
	t.Run("reasoning_effort becomes thinking with a budget (rule 7)", func(t *testing.T) {
		t.Parallel()
		for effort, budget := range map[string]int{"low": 2048, "medium": 8192, "high": 24576} {
			req := decode(t, `{"messages":[{"role":"user","content":"x"}],"reasoning_effort":"`+effort+`"}`)
			if th := req.Thinking; th == nil || !th.Enabled || th.Effort != effort || th.BudgetTokens != budget {
				t.Errorf("%s: Thinking = %+v", effort, th)
			}
		}
	})
	t.Run("data URLs become base64 images and http URLs stay URLs (rule 6)", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/"}},{"type":"image_url","image_url":"https://x/y.png"}]}]}`)
		c := req.Messages[0].Content
		if c[0].MediaType != "image/jpeg" || c[0].Data != "/9j/" || c[1].URL != "https://x/y.png" {
			t.Errorf("images = %+v", c)
		}
	})
	t.Run("user becomes UserID and include_usage is readable (rule 9)", func(t *testing.T) {
		t.Parallel()
		body := `{"messages":[{"role":"user","content":"x"}],"user":"u1","stream":true,"stream_options":{"include_usage":true}}`
		if req := decode(t, body); req.UserID != "u1" || !req.Stream {
			t.Errorf("req = %+v", req)
		}
		if !IncludeUsage([]byte(body)) || IncludeUsage([]byte(`{"stream":true}`)) {
			t.Error("IncludeUsage misread stream_options")
		}
	})
	errs := []struct{ name, body, want string }{
		{"a body that is not JSON is refused", `{"messages":`, "invalid request body"},
		{"no messages is refused", `{"model":"m"}`, "messages"},
		{"only system messages are refused", `{"messages":[{"role":"system","content":"s"}]}`, "besides system"},
		{"n above one is refused", `{"messages":[{"role":"user","content":"x"}],"n":2}`, "n="},
		{"an unknown role is refused", `{"messages":[{"role":"robot","content":"x"}]}`, "messages[0].role"},
		{"a tool message without tool_call_id is refused", `{"messages":[{"role":"tool","content":"x"}]}`, "tool_call_id"},
		{"an audio part is refused", `{"messages":[{"role":"user","content":[{"type":"input_audio"}]}]}`, "input_audio"},
		{"an uploaded file id is refused", `{"messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"f"}}]}]}`, "file_data"},
		{"a bad data URL is refused", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:nonsense"}}]}]}`, "data URL"},
		{"an unknown tool_choice is refused", `{"messages":[{"role":"user","content":"x"}],"tool_choice":"sometimes"}`, "tool_choice"},
		{"an unknown reasoning_effort is refused", `{"messages":[{"role":"user","content":"x"}],"reasoning_effort":"huge"}`, "reasoning_effort"},
		{"a non-function tool is refused", `{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search"}]}`, "tools[0]"},
		{"content of the wrong type is refused", `{"messages":[{"role":"user","content":5}]}`, "content must be"},
	}
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Codec{}.DecodeRequest([]byte(c.body))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

// conversation is a neutral request as a coding agent sends it: system,
// tools, a parallel tool call, results with an error and an image, and user
// text in the same turn as the results.
func conversation() *protocol.Request {
	return &protocol.Request{
		Model:  "claude-sonnet-4-5",
		System: []protocol.Block{{Type: protocol.BlockText, Text: "You are Claude Code.", CacheControl: mustJSON(`{"type":"ephemeral"}`)}, {Type: protocol.BlockText, Text: "Be brief."}},
		Messages: []protocol.Message{
			{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockText, Text: "Fix the build."}}},
			{Role: protocol.RoleAssistant, Reasoning: "", Content: []protocol.Block{
				{Type: protocol.BlockThinking, Thinking: "Look at the files.", Signature: "sig=="},
				{Type: protocol.BlockText, Text: "Reading."},
				{Type: protocol.BlockToolUse, ID: "toolu_01", Name: "Read", Input: mustJSON(`{"file_path":"main.go"}`)},
				{Type: protocol.BlockToolUse, ID: "toolu_02", Name: "Bash", Input: mustJSON(`{"command":"go build"}`)},
			}},
			{Role: protocol.RoleUser, Content: []protocol.Block{
				{Type: protocol.BlockText, Text: "Also check this."},
				{Type: protocol.BlockToolResult, ToolUseID: "toolu_01", Content: []protocol.Block{
					{Type: protocol.BlockText, Text: "package main"}, {Type: protocol.BlockText, Text: "func main() {}"},
					{Type: protocol.BlockImage, MediaType: "image/png", Data: "iVBORw0KGgo="},
				}},
				{Type: protocol.BlockToolResult, ToolUseID: "toolu_02", IsError: true, Content: []protocol.Block{{Type: protocol.BlockText, Text: "exit status 1"}}},
				{Type: protocol.BlockImage, URL: "https://example.com/error.png"},
				{Type: protocol.BlockDocument, MediaType: "application/pdf", Data: "JVBERi0="},
			}},
		},
		Tools: []protocol.Tool{
			{Name: "Read", Description: "Read a file", Schema: mustJSON(`{"type":"object","properties":{"file_path":{"type":"string"}}}`), CacheControl: mustJSON(`{"type":"ephemeral"}`)},
			{Name: "Bash", Schema: mustJSON(`{"type":"object","properties":{"command":{"type":"string"}}}`)},
			{Name: "web_search", Type: "web_search_20250305", Raw: mustJSON(`{"type":"web_search_20250305","name":"web_search"}`)},
		},
		ToolChoice:  &protocol.ToolChoice{Mode: protocol.ToolAny, DisableParallel: true},
		MaxTokens:   32000,
		Temperature: codectest.Ptr(1.0),
		TopP:        codectest.Ptr(0.95),
		TopK:        codectest.Ptr(40),
		Stop:        []string{"\n\nHuman:"},
		Stream:      true,
		Thinking:    &protocol.Thinking{Enabled: true, BudgetTokens: 10000},
		UserID:      "user_abc_session_1",
	}
}

// TestEncodeRequestGolden encodes the same conversation for several kinds
// of upstream model.
func TestEncodeRequestGolden(t *testing.T) {
	t.Parallel()
	for _, model := range []string{"gpt-4o", "o3-mini", "deepseek-reasoner"} {
		t.Run(model, func(t *testing.T) {
			t.Parallel()
			body, err := Codec{}.EncodeRequest(conversation(), protocol.EncodeOptions{Model: model})
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "requests/encode_"+model+".json", codectest.IndentJSON(t, body))
		})
	}
}

func TestEncodeRequest(t *testing.T) {
	t.Parallel()
	encode := func(t *testing.T, req *protocol.Request, model string) (string, map[string]any) {
		t.Helper()
		body, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: model})
		if err != nil {
			t.Fatalf("EncodeRequest: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		return string(body), m
	}
	roles := func(m map[string]any) string {
		var r []string
		for _, msg := range m["messages"].([]any) {
			r = append(r, msg.(map[string]any)["role"].(string))
		}
		return strings.Join(r, ",")
	}
	t.Run("a user id over OpenAI's 64 characters and more than 4 stop sequences are cut to fit", func(t *testing.T) {
		t.Parallel()
		req := conversation()
		req.UserID = strings.Repeat("u", 150)
		req.Stop = []string{"a", "b", "c", "d", "e", "f"}
		_, m := encode(t, req, "gpt-4o")
		if u, _ := m["user"].(string); len(u) == 0 || len(u) > 64 {
			t.Errorf("user = %q", u)
		}
		if stop, _ := m["stop"].([]any); len(stop) != 4 {
			t.Errorf("stop = %v, want the first 4", m["stop"])
		}
	})
	t.Run("a tool call id over OpenAI's 40 characters is cut to one stand-in on the call and its result", func(t *testing.T) {
		t.Parallel()
		long := "fc_68af1b2c3d4e5f60718293a4b5c6d7e8f9000112233445566"
		req := &protocol.Request{Messages: []protocol.Message{
			{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockText, Text: "go"}}},
			{Role: protocol.RoleAssistant, Content: []protocol.Block{{Type: protocol.BlockToolUse, ID: long, Name: "Bash", Input: mustJSON(`{}`)}}},
			{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockToolResult, ToolUseID: long, Content: []protocol.Block{{Type: protocol.BlockText, Text: "ok"}}}}},
		}}
		_, m := encode(t, req, "gpt-4.1")
		msgs := m["messages"].([]any)
		call := msgs[1].(map[string]any)["tool_calls"].([]any)[0].(map[string]any)["id"].(string)
		result := msgs[2].(map[string]any)["tool_call_id"].(string)
		if len(call) > 40 || call != result {
			t.Errorf("call id %q, result id %q: want one id of at most 40 characters", call, result)
		}
	})
	t.Run("the system prompt is one system message, not part of a user turn (rule 1)", func(t *testing.T) {
		t.Parallel()
		_, m := encode(t, conversation(), "gpt-4o")
		first := m["messages"].([]any)[0].(map[string]any)
		if first["role"] != "system" || first["content"] != "You are Claude Code.\n\nBe brief." {
			t.Errorf("first message = %v", first)
		}
	})
	t.Run("tool results follow their call in order, before the user's own text (rule 5)", func(t *testing.T) {
		t.Parallel()
		_, m := encode(t, conversation(), "gpt-4o")
		if got := roles(m); got != "system,user,assistant,tool,tool,user" {
			t.Errorf("roles = %s", got)
		}
		msgs := m["messages"].([]any)
		t1, t2 := msgs[3].(map[string]any), msgs[4].(map[string]any)
		if t1["tool_call_id"] != "toolu_01" || t1["content"] != "package main\nfunc main() {}" {
			t.Errorf("first tool message = %v", t1)
		}
		if t2["tool_call_id"] != "toolu_02" || t2["content"] != "[tool error] exit status 1" {
			t.Errorf("error tool message = %v", t2)
		}
	})
	t.Run("a tool's image goes into the following user message (rule 5)", func(t *testing.T) {
		t.Parallel()
		body, _ := encode(t, conversation(), "gpt-4o")
		if !strings.Contains(body, `"url":"data:image/png;base64,iVBORw0KGgo="`) {
			t.Errorf("tool image missing: %s", body)
		}
	})
	t.Run("anthropic-only fields never leak (rule 8)", func(t *testing.T) {
		t.Parallel()
		for _, model := range []string{"gpt-4o", "o3", "deepseek-chat"} {
			body, _ := encode(t, conversation(), model)
			for _, leak := range []string{"cache_control", "ephemeral", "thinking", "signature", "sig==", "top_k", "web_search", "metadata", "media_type", "budget_tokens", "Look at the files"} {
				if strings.Contains(body, leak) && !(leak == "Look at the files" && strings.Contains(model, "deepseek")) {
					t.Errorf("%s: %q leaked into %s", model, leak, body)
				}
			}
		}
	})
	t.Run("reasoning models get max_completion_tokens and reasoning_effort, no sampling (rules 2, 7)", func(t *testing.T) {
		t.Parallel()
		_, m := encode(t, conversation(), "o3-mini")
		if m["max_completion_tokens"] != 32000.0 || m["max_tokens"] != nil || m["reasoning_effort"] != "medium" || m["temperature"] != nil {
			t.Errorf("o3-mini request = %v", m)
		}
		_, m = encode(t, conversation(), "gpt-4o")
		if m["max_tokens"] != 32000.0 || m["reasoning_effort"] != nil || m["temperature"] != 1.0 || m["top_p"] != 0.95 {
			t.Errorf("gpt-4o request = %v", m)
		}
	})
	t.Run("thinking budgets map to efforts (rule 7)", func(t *testing.T) {
		t.Parallel()
		for budget, want := range map[int]string{1024: "low", 4096: "medium", 16383: "medium", 16384: "high"} {
			req := conversation()
			req.Thinking = &protocol.Thinking{Enabled: true, BudgetTokens: budget}
			if _, m := encode(t, req, "gpt-5"); m["reasoning_effort"] != want {
				t.Errorf("budget %d: effort %v, want %s", budget, m["reasoning_effort"], want)
			}
		}
		for _, c := range []struct {
			th   protocol.Thinking
			want string
		}{
			{protocol.Thinking{Enabled: true, Adaptive: true}, "medium"},
			{protocol.Thinking{Enabled: true, Adaptive: true, Effort: "max"}, "high"},
			{protocol.Thinking{Enabled: true, Effort: "low", BudgetTokens: 30000}, "low"},
		} {
			req := conversation()
			req.Thinking = &c.th
			if _, m := encode(t, req, "gpt-5"); m["reasoning_effort"] != c.want {
				t.Errorf("%+v: effort %v, want %s", c.th, m["reasoning_effort"], c.want)
			}
		}
	})
	t.Run("DeepSeek gets reasoning_content back on assistant turns (rule 7)", func(t *testing.T) {
		t.Parallel()
		_, m := encode(t, conversation(), "deepseek-reasoner")
		a := m["messages"].([]any)[2].(map[string]any)
		if a["reasoning_content"] != "Look at the files." {
			t.Errorf("assistant = %v", a)
		}
		req := conversation()
		req.Messages[1].Content = req.Messages[1].Content[2:] // no thinking at all
		_, m = encode(t, req, "deepseek-chat")
		if a := m["messages"].([]any)[2].(map[string]any); a["reasoning_content"] != "" {
			t.Errorf("a tool-calling turn without reasoning must still carry the field: %v", a)
		}
	})
	t.Run("tools, tool_choice and parallel_tool_calls are written (rules 3, 4)", func(t *testing.T) {
		t.Parallel()
		body, m := encode(t, conversation(), "gpt-4o")
		if m["tool_choice"] != "required" || m["parallel_tool_calls"] != false || len(m["tools"].([]any)) != 2 {
			t.Errorf("request = %s", body)
		}
		for mode, want := range map[protocol.ToolChoiceMode]string{protocol.ToolAuto: `"auto"`, protocol.ToolNone: `"none"`, protocol.ToolName: `{"function":{"name":"Read"},"type":"function"}`} {
			req := conversation()
			req.ToolChoice = &protocol.ToolChoice{Mode: mode, Name: "Read"}
			if body, _ := encode(t, req, "gpt-4o"); !strings.Contains(body, `"tool_choice":`+want) {
				t.Errorf("%s: %s", mode, body)
			}
		}
	})
	t.Run("assistant tool calls carry arguments as a JSON string (rule 5)", func(t *testing.T) {
		t.Parallel()
		body, _ := encode(t, conversation(), "gpt-4o")
		if !strings.Contains(body, `{"id":"toolu_01","type":"function","function":{"name":"Read","arguments":"{\"file_path\":\"main.go\"}"}}`) {
			t.Errorf("tool call not found in %s", body)
		}
	})
	t.Run("stream asks for usage and user is kept (rule 9)", func(t *testing.T) {
		t.Parallel()
		_, m := encode(t, conversation(), "gpt-4o")
		if so, _ := m["stream_options"].(map[string]any); so["include_usage"] != true || m["user"] != "user_abc_session_1" {
			t.Errorf("request = %v", m)
		}
	})
	t.Run("a PDF becomes a file part and a document URL is a clear error (rule 6)", func(t *testing.T) {
		t.Parallel()
		body, _ := encode(t, conversation(), "gpt-4o")
		if !strings.Contains(body, `{"type":"file","file":{"filename":"document.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}`) {
			t.Errorf("no file part in %s", body)
		}
		req := conversation()
		req.Messages[0].Content = append(req.Messages[0].Content, protocol.Block{Type: protocol.BlockDocument, URL: "https://x/a.pdf"})
		if _, err := (Codec{}).EncodeRequest(req, protocol.EncodeOptions{Model: "gpt-4o"}); err == nil || !strings.Contains(err.Error(), "documents by URL") {
			t.Errorf("err = %v", err)
		}
	})
}
