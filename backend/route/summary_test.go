package route

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

func TestSummarizeClaudeCode(t *testing.T) {
	t.Parallel()
	body, headers := claudeCode(t)
	s := Summarize(protocol.Anthropic, "", body, headers)
	if s.Format != "anthropic" || s.Model != "claude-opus-4-8" || !s.Stream || !s.Thinking || !s.HasTools {
		t.Errorf("format/model/stream/thinking/tools wrong: %+v", s)
	}
	if s.WebSearch || s.HasImage || s.SystemTag != "" {
		t.Errorf("web search %t, image %t, tag %q: want none", s.WebSearch, s.HasImage, s.SystemTag)
	}
	if s.Messages != 2 {
		t.Errorf("Messages = %d, want 2", s.Messages)
	}
	if !strings.Contains(s.UserID, "09a4ef5a-5510-45af-9b43-a635fc5147ae") {
		t.Errorf("UserID = %q, want Claude Code's metadata.user_id", s.UserID)
	}
	if !strings.HasSuffix(s.LastUserText, "say hi") {
		t.Errorf("LastUserText = %q, want it to end with the prompt", s.LastUserText)
	}
	if s.Headers["x-claude-code-session-id"] != "09a4ef5a-5510-45af-9b43-a635fc5147ae" {
		t.Errorf("Headers = %v, want lower-cased names", s.Headers)
	}
	// The body is ~30 KB of JSON, 23 KB of it tool schemas: some 7000 tokens.
	if s.Tokens < 5000 || s.Tokens > 10000 {
		t.Errorf("Tokens = %d, want about 7000", s.Tokens)
	}
	if s.FirstTurnHash != "" {
		t.Errorf("FirstTurnHash = %q, want none when user_id is set", s.FirstTurnHash)
	}
	if got := SessionKey(&s); got != s.UserID {
		t.Errorf("SessionKey = %q, want the user_id", got)
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		format protocol.Format
		model  string
		body   string
		want   Summary // Tokens, Headers and FirstTurnHash are not compared
	}{
		{
			name:   "anthropic thinking enabled with a web search server tool",
			format: protocol.Anthropic,
			body: `{"model":"claude-sonnet-4-5","thinking":{"type":"enabled","budget_tokens":2000},
				"tools":[{"type":"web_search_20250305","name":"web_search"}],
				"messages":[{"role":"user","content":"find news"}]}`,
			want: Summary{Format: "anthropic", Model: "claude-sonnet-4-5", Thinking: true, HasTools: true, WebSearch: true,
				LastUserText: "find news", Messages: 1},
		},
		{
			name:   "anthropic thinking disabled is not thinking",
			format: protocol.Anthropic,
			body:   `{"model":"m","thinking":{"type":"disabled"},"messages":[{"role":"user","content":"hi"}]}`,
			want:   Summary{Format: "anthropic", Model: "m", LastUserText: "hi", Messages: 1},
		},
		{
			name:   "anthropic image in the last user turn",
			format: protocol.Anthropic,
			body: `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"what is this"},
				{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]}`,
			want: Summary{Format: "anthropic", Model: "m", HasImage: true, LastUserText: "what is this", Messages: 1},
		},
		{
			name:   "anthropic image inside a tool result of the last user turn",
			format: protocol.Anthropic,
			body: `{"model":"m","messages":[{"role":"user","content":"shoot"},
				{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"screenshot","input":{}}]},
				{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]}]}`,
			want: Summary{Format: "anthropic", Model: "m", HasImage: true, Messages: 3},
		},
		{
			name:   "anthropic image in an earlier turn does not count",
			format: protocol.Anthropic,
			body: `{"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]},
				{"role":"assistant","content":"a cat"},{"role":"user","content":"thanks"}]}`,
			want: Summary{Format: "anthropic", Model: "m", LastUserText: "thanks", Messages: 3},
		},
		{
			name:   "anthropic tag in a string system",
			format: protocol.Anthropic,
			body:   `{"model":"m","system":"You review code.\n<routex-model> deepseek,deepseek-chat </routex-model>","messages":[]}`,
			want:   Summary{Format: "anthropic", Model: "m", SystemTag: "deepseek,deepseek-chat"},
		},
		{
			name:   "anthropic tag in a system block",
			format: protocol.Anthropic,
			body: `{"model":"m","system":[{"type":"text","text":"You are an agent."},{"type":"text","text":"<routex-model>ollama</routex-model>"}],
				"metadata":{"user_id":"u1"},"messages":[]}`,
			want: Summary{Format: "anthropic", Model: "m", SystemTag: "ollama", UserID: "u1"},
		},
		{
			name:   "anthropic tag in a mid-conversation system message",
			format: protocol.Anthropic,
			body:   `{"model":"m","messages":[{"role":"user","content":"go"},{"role":"system","content":"<routex-model>a,b</routex-model>"}]}`,
			want:   Summary{Format: "anthropic", Model: "m", SystemTag: "a,b", LastUserText: "go", Messages: 2},
		},
		{
			name:   "openai reasoning effort, tools, web search options and user",
			format: protocol.OpenAI,
			body: `{"model":"gpt-5","stream":true,"reasoning_effort":"high","user":"u2","web_search_options":{},
				"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],
				"messages":[{"role":"developer","content":"be brief <routex-model>openrouter,openai/gpt-5</routex-model>"},{"role":"user","content":"hello"}]}`,
			want: Summary{Format: "openai", Model: "gpt-5", Stream: true, Thinking: true, HasTools: true, WebSearch: true,
				LastUserText: "hello", SystemTag: "openrouter,openai/gpt-5", UserID: "u2", Messages: 2},
		},
		{
			name:   "responses reasoning, web search, instructions tag and the last user message",
			format: protocol.Responses,
			body: `{"model":"gpt-5-codex","stream":true,"reasoning":{"effort":"medium","summary":"auto"},"prompt_cache_key":"conv-1",
				"instructions":"You are Codex. <routex-model>oai,gpt-5-codex</routex-model>",
				"tools":[{"type":"function","name":"shell","parameters":{}},{"type":"web_search"}],
				"input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"fix it"}]},
					{"type":"function_call","call_id":"c","name":"shell","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"ok"},
					{"type":"message","role":"user","content":[{"type":"input_text","text":"now test"},{"type":"input_image","image_url":"data:image/png;base64,AA=="}]}]}`,
			want: Summary{Format: "openai-responses", Model: "gpt-5-codex", Stream: true, Thinking: true, HasTools: true, WebSearch: true,
				HasImage: true, LastUserText: "now test", SystemTag: "oai,gpt-5-codex", UserID: "conv-1", Messages: 4},
		},
		{
			name:   "responses string input, developer tag, user over prompt_cache_key, effort none",
			format: protocol.Responses,
			body:   `{"model":"gpt-4.1","input":"hello","user":"u9","prompt_cache_key":"k","reasoning":{"effort":"none"}}`,
			want:   Summary{Format: "openai-responses", Model: "gpt-4.1", LastUserText: "hello", UserID: "u9", Messages: 1},
		},
		{
			name:   "openai reasoning effort none is not thinking",
			format: protocol.OpenAI,
			body:   `{"model":"gpt-5.1","reasoning_effort":"none","messages":[{"role":"user","content":"x"}]}`,
			want:   Summary{Format: "openai", Model: "gpt-5.1", LastUserText: "x", Messages: 1},
		},
		{
			name:   "openai image_url in the last user turn",
			format: protocol.OpenAI,
			body: `{"model":"gpt-4o","messages":[{"role":"system","content":[{"type":"text","text":"<routex-model>x,y</routex-model>"}]},
				{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}`,
			want: Summary{Format: "openai", Model: "gpt-4o", HasImage: true, LastUserText: "look", SystemTag: "x,y", Messages: 2},
		},
		{
			name:   "openai image in an earlier turn does not count",
			format: protocol.OpenAI,
			body: `{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/a.png"}}]},
				{"role":"assistant","content":"a cat"},{"role":"user","content":[{"type":"text","text":"and?"}]}]}`,
			want: Summary{Format: "openai", Model: "gpt-4o", LastUserText: "and?", Messages: 3},
		},
		{
			name:   "gemini thinking budget, google search and an inline image",
			format: protocol.Gemini,
			model:  "gemini-2.5-pro",
			body: `{"generationConfig":{"thinkingConfig":{"thinkingBudget":1024}},"tools":[{"googleSearch":{}}],
				"systemInstruction":{"parts":[{"text":"<routex-model>g,gemini-2.5-flash</routex-model>"}]},
				"contents":[{"role":"user","parts":[{"text":"what"},{"inlineData":{"mimeType":"image/jpeg","data":"AAAA"}}]}]}`,
			want: Summary{Format: "gemini", Model: "gemini-2.5-pro", Thinking: true, HasTools: true, WebSearch: true, HasImage: true,
				LastUserText: "what", SystemTag: "g,gemini-2.5-flash", Messages: 1},
		},
		{
			name:   "gemini thinking budget 0 is not thinking and an earlier image does not count",
			format: protocol.Gemini,
			model:  "gemini-2.5-flash",
			body: `{"generationConfig":{"thinkingConfig":{"thinkingBudget":0}},
				"contents":[{"role":"user","parts":[{"fileData":{"mimeType":"image/png","fileUri":"gs://a"}}]},
				{"role":"model","parts":[{"text":"ok"}]},{"role":"user","parts":[{"text":"more"}]}]}`,
			want: Summary{Format: "gemini", Model: "gemini-2.5-flash", LastUserText: "more", Messages: 3},
		},
		{
			name:   "gemini snake_case names are read too",
			format: protocol.Gemini,
			model:  "gemini-2.5-flash",
			body: `{"generation_config":{"thinking_config":{"include_thoughts":true}},
				"contents":[{"parts":[{"inline_data":{"mime_type":"image/webp","data":"AAAA"}}]}]}`,
			want: Summary{Format: "gemini", Model: "gemini-2.5-flash", Thinking: true, HasImage: true, Messages: 1},
		},
		{
			name:   "malformed JSON gives a zero summary",
			format: protocol.Anthropic,
			body:   `{"model":"claude","messages":[{"role":"user","content":"hi"}`,
			want:   Summary{Format: "anthropic"},
		},
		{
			name:   "a JSON array is not a request",
			format: protocol.OpenAI,
			body:   `[{"model":"x"}]`,
			want:   Summary{Format: "openai"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Summarize(tt.format, tt.model, []byte(tt.body), nil)
			if strings.HasPrefix(tt.name, "malformed") || strings.HasPrefix(tt.name, "a JSON array") {
				if got.Tokens != 0 || got.FirstTurnHash != "" {
					t.Errorf("Tokens %d, FirstTurnHash %q: want zero", got.Tokens, got.FirstTurnHash)
				}
			} else if got.Tokens <= 0 {
				t.Errorf("Tokens = %d, want > 0", got.Tokens)
			}
			got.Tokens, got.Headers, got.FirstTurnHash = 0, nil, ""
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Summarize:\n got  %+v\n want %+v", got, tt.want)
			}
		})
	}
}

func TestSummarizeTokens(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("word ", 4000) // 20000 ASCII bytes: about 5000 tokens
	image := `{"type":"image","source":{"type":"base64","media_type":"image/png","data":"` + strings.Repeat("A", 100000) + `"}}`
	tests := []struct {
		name     string
		format   protocol.Format
		body     string
		min, max int
	}{
		{"anthropic text counts about four bytes a token", protocol.Anthropic,
			`{"model":"m","system":"` + text + `","messages":[{"role":"user","content":"` + text + `"}]}`, 9500, 10500},
		{"an image counts about 1600 tokens whatever its size", protocol.Anthropic,
			`{"model":"m","messages":[{"role":"user","content":[` + image + `]}]}`, 1600, 1700},
		{"openai text and tool calls count", protocol.OpenAI,
			`{"model":"m","messages":[{"role":"user","content":"` + text + `"},{"role":"assistant","tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"` + text + `"}}]}]}`, 9500, 10500},
		{"gemini text counts", protocol.Gemini,
			`{"contents":[{"role":"user","parts":[{"text":"` + text + `"}]}]}`, 4900, 5100},
		{"responses instructions, messages, calls and outputs count", protocol.Responses,
			`{"model":"m","instructions":"` + text + `","input":[{"role":"user","content":"` + text + `"},{"type":"function_call","call_id":"c","name":"f","arguments":"` + text + `"},{"type":"function_call_output","call_id":"c","output":"` + text + `"}]}`, 19500, 20500},
		{"cjk text counts a token a character", protocol.OpenAI,
			`{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("路由", 1000) + `"}]}`, 2000, 2100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Summarize(tt.format, "m", []byte(tt.body), nil).Tokens
			if got < tt.min || got > tt.max {
				t.Errorf("Tokens = %d, want %d..%d", got, tt.min, tt.max)
			}
		})
	}
}

func TestSummarizeLastUserTextIsCutAt4KiB(t *testing.T) {
	t.Parallel()
	body := `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("é", 3000) + `"}]}`
	got := Summarize(protocol.Anthropic, "", []byte(body), nil).LastUserText
	if len(got) != 4096 || !strings.HasPrefix(strings.Repeat("é", 3000), got) {
		t.Errorf("LastUserText is %d bytes, want 4096 bytes of whole runes", len(got))
	}
}

func TestSessionKey(t *testing.T) {
	t.Parallel()
	const turn = `{"model":"m","messages":[{"role":"user","content":"fix the bug"},{"role":"assistant","content":"ok"},{"role":"user","content":"now"}]}`
	h := func(k, v string) http.Header { return http.Header{k: []string{v}} }
	hashed := Summarize(protocol.Anthropic, "", []byte(turn), nil)
	tests := []struct {
		name    string
		format  protocol.Format
		body    string
		headers http.Header
		want    string
	}{
		{"metadata.user_id comes first", protocol.Anthropic,
			`{"model":"m","metadata":{"user_id":"u1"},"messages":[{"role":"user","content":"a"}]}`, h("X-Session-Id", "s1"), "u1"},
		{"openai user comes first", protocol.OpenAI,
			`{"model":"m","user":"u2","messages":[{"role":"user","content":"a"}]}`, nil, "u2"},
		{"x-session-id without a user", protocol.Anthropic, turn, h("X-Session-Id", "s1"), "s1"},
		{"x-claude-code-session-id without a user", protocol.Anthropic, turn, h("X-Claude-Code-Session-Id", "s2"), "s2"},
		{"a hash of the first user turn and the model otherwise", protocol.Anthropic, turn, nil, hashed.FirstTurnHash},
		{"later turns do not change the hash", protocol.Anthropic,
			`{"model":"m","messages":[{"role":"user","content":"fix the bug"}]}`, nil, hashed.FirstTurnHash},
		{"nothing to go by gives no key", protocol.Anthropic, `{"model":"m","messages":[]}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Summarize(tt.format, "", []byte(tt.body), tt.headers)
			if got := SessionKey(&s); got != tt.want {
				t.Errorf("SessionKey = %q, want %q", got, tt.want)
			}
		})
	}
	if len(hashed.FirstTurnHash) != 16 {
		t.Errorf("FirstTurnHash = %q, want 16 hex digits", hashed.FirstTurnHash)
	}
	other := Summarize(protocol.Anthropic, "", []byte(strings.Replace(turn, `"m"`, `"n"`, 1)), nil)
	if other.FirstTurnHash == hashed.FirstTurnHash {
		t.Error("another model gives the same hash; want a different one")
	}
}

func TestSummarizeLightSkipsOnlyTheCostlyParts(t *testing.T) {
	t.Parallel()
	body := []byte(`{"model":"claude-sonnet-4-5","metadata":{"user_id":"u1"},"thinking":{"type":"enabled","budget_tokens":2000},
		"system":"<routex-model>fast,m2</routex-model> be brief","tools":[{"type":"web_search_20250305","name":"web_search"}],
		"messages":[{"role":"user","content":[{"type":"text","text":"look at this"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]}`)
	full := SummarizeValid(protocol.Anthropic, "", body, nil)
	light := SummarizeLight(protocol.Anthropic, "", body, nil)
	if light.Tokens != 0 || light.LastUserText != "" || light.HasImage {
		t.Fatalf("light summary counted what it should skip: %+v", light)
	}
	if full.Tokens == 0 || !full.HasImage {
		t.Fatalf("full summary lacks detail: %+v", full)
	}
	if light.Model != full.Model || light.SystemTag != "fast,m2" || light.UserID != "u1" || !light.Thinking || !light.WebSearch || !light.HasTools {
		t.Fatalf("light summary lost what routing always needs: %+v", light)
	}
}

func TestNeedsDetail(t *testing.T) {
	t.Parallel()
	plain, err := Compile(Config{Routes: map[string][]string{"default": {"a"}, "think": {"b"}}})
	if err != nil {
		t.Fatal(err)
	}
	if plain.NeedsDetail() {
		t.Fatal("default and think routes read no token counts")
	}
	long, _ := Compile(Config{Routes: map[string][]string{"default": {"a"}, "long_context": {"b"}}})
	rules, _ := Compile(Config{Routes: map[string][]string{"default": {"a"}}, Rules: []byte(`[{"name":"k","keyword":"x","targets":["a"]}]`)})
	if !long.NeedsDetail() || !rules.NeedsDetail() {
		t.Fatal("long-context routes and rules need the full summary")
	}
}

func TestSummarizeLightAgreesOnTagsAndSessions(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"model":"m","messages":[{"role":"user","content":"first"},{"role":"system","content":"<routex-model>b,m2</routex-model>"}],"tools":[{"name":"Bash","input_schema":{"type":"object"}}]}`,
		`{"model":"m","metadata":{"user_id":"u"},"messages":[{"role":"user","content":"first"}],"tools":[{"type":"web_search_20250305","name":"web_search"}]}`,
		`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"first"}]},{"role":"assistant","content":"ok"}]}`,
	} {
		full := SummarizeValid(protocol.Anthropic, "", []byte(body), nil)
		light := SummarizeLight(protocol.Anthropic, "", []byte(body), nil)
		if light.SystemTag != full.SystemTag || SessionKey(&light) != SessionKey(&full) ||
			light.HasTools != full.HasTools || light.WebSearch != full.WebSearch || light.Messages != full.Messages {
			t.Errorf("light and full summaries disagree on %s:\nlight %+v\nfull  %+v", body, light, full)
		}
	}
}

// The explain API shows a Summary as JSON: every exported field has a
// snake_case name there, while rule expressions keep the Go names.
func TestSummaryJSONIsSnakeCase(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeOf(Summary{})
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !snake.MatchString(name) {
			t.Errorf("Summary.%s has JSON name %q, want snake_case", f.Name, name)
		}
	}
	b, err := json.Marshal(Summary{HasTools: true, LastUserText: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"has_tools":true`) || !strings.Contains(string(b), `"last_user_text":"hi"`) {
		t.Fatalf("JSON = %s", b)
	}
}
