package proxy_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/store"
)

// claudeCodeRequest is the captured Claude Code request (system blocks with
// cache_control, 24 tools with $schema and additionalProperties,
// metadata.user_id, thinking, context_management) and its headers
// (anthropic-beta, x-stainless-…), with stream set as asked.
func claudeCodeRequest(t testing.TB, stream bool) ([]byte, map[string]string) {
	t.Helper()
	fx := loadFixture(t, "claude-code-2.1.197-messages.json")
	body, err := sjson.SetBytes(fx.Body, "stream", stream)
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{}
	for k, v := range fx.Headers {
		if k != "connection" && k != "accept-encoding" && k != "content-type" {
			hdr[k] = v
		}
	}
	return body, hdr
}

func TestAnthropicClientOnOpenAIChannel(t *testing.T) {
	t.Parallel()
	for _, stream := range []bool{false, true} {
		name := "a Claude Code request gets a tool call back from an OpenAI channel, not streamed"
		reply := replyJSON(http.StatusOK, openAIToolCompletion)
		if stream {
			name = "a Claude Code request gets a tool call back from an OpenAI channel, streamed"
			reply = replySSESplit(openAIToolStream(true))
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, reply)
			te := newTestEngine(t)
			te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1",
				ModelMap: map[string]string{"claude-opus-4-8": "gpt-4.1"}})
			body, hdr := claudeCodeRequest(t, stream)
			raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", body, hdr))

			var res anthropicResult
			if stream {
				res = readAnthropicStream(t, raw)
			} else {
				res = readAnthropicMessage(t, raw)
			}
			checkToolTurn(t, res)
			// A stream's message_start can only carry Routex's estimate: the
			// OpenAI usage chunk comes last. message_delta carries the real
			// counts.
			if res.OutputTokens != 56 {
				t.Errorf("output_tokens %d, want the upstream's 56", res.OutputTokens)
			}
			if res.Final.Get("input_tokens").Int() != 1034 || res.Final.Get("cache_read_input_tokens").Int() != 200 {
				t.Errorf("final usage %s, want the upstream's input_tokens 1034 (1234 less 200 cached) and cache_read_input_tokens 200", res.Final.Raw)
			}

			in := up.only(t)
			if in.Path != "/v1/chat/completions" {
				t.Errorf("upstream path %s, want /v1/chat/completions", in.Path)
			}
			if got := in.Header.Get("Authorization"); got != "Bearer "+testChannelKey {
				t.Errorf("upstream Authorization = %q, want the channel key", got)
			}
			noLeaks(t, in)
			b := gjson.ParseBytes(in.Body)
			if b.Get("model").Str != "gpt-4.1" {
				t.Errorf("upstream model %q, want the mapped gpt-4.1", b.Get("model").Str)
			}
			msgs := b.Get("messages").Array()
			if len(msgs) == 0 || msgs[0].Get("role").Str != "system" ||
				!strings.Contains(msgs[0].Get("content").String(), "You are a Claude agent") {
				t.Errorf("first message is not the system prompt: %.300s", b.Get("messages").Raw)
			}
			if len(msgs) > 1 && msgs[1].Get("role").Str != "user" {
				t.Errorf("the system prompt was folded or the user turn lost: %.300s", b.Get("messages").Raw)
			}
			tools := b.Get("tools").Array()
			if len(tools) != 24 {
				t.Errorf("%d tools upstream, want 24", len(tools))
			}
			for _, tool := range tools {
				f := tool.Get("function")
				if tool.Get("type").Str != "function" || f.Get("name").Str == "" || f.Get("description").Str == "" ||
					!f.Get("parameters").IsObject() || f.Get("parameters.type").Str != "object" {
					t.Errorf("tool is not {type:function,function:{name,description,parameters}}: %.200s", tool.Raw)
				}
			}
			if !b.Get("max_tokens").Exists() && !b.Get("max_completion_tokens").Exists() {
				t.Error("no max_tokens or max_completion_tokens upstream")
			}
			if b.Get("stream").Bool() != stream {
				t.Errorf("upstream stream = %s, want %v", b.Get("stream").Raw, stream)
			}
			if stream != b.Get("stream_options.include_usage").Bool() {
				t.Errorf("stream_options = %s; a stream must ask for usage, a plain request must not send stream_options", b.Get("stream_options").Raw)
			}
		})
	}
}

func TestAnthropicClientOnGeminiChannel(t *testing.T) {
	t.Parallel()
	for _, stream := range []bool{false, true} {
		name := "a Claude Code request gets a tool call back from a Gemini channel, not streamed"
		reply := replyJSON(http.StatusOK, geminiToolResponse)
		if stream {
			name = "a Claude Code request gets a tool call back from a Gemini channel, streamed"
			reply = replySSESplit(geminiToolEvents)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, reply)
			te := newTestEngine(t)
			te.addChannel(t, store.Channel{Name: "google", Type: "gemini", BaseURL: up.URL,
				ModelMap: map[string]string{"claude-opus-4-8": "gemini-2.5-pro"}})
			body, hdr := claudeCodeRequest(t, stream)
			raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", body, hdr))

			var res anthropicResult
			if stream {
				res = readAnthropicStream(t, raw)
			} else {
				res = readAnthropicMessage(t, raw)
			}
			checkToolTurn(t, res)
			if res.InputTokens != 1234 || res.Final.Get("input_tokens").Int() != 1234 {
				t.Errorf("input_tokens %d, final usage %s, want the upstream's 1234", res.InputTokens, res.Final.Raw)
			}
			if res.OutputTokens != 56 {
				t.Errorf("output_tokens %d, want the upstream's 56", res.OutputTokens)
			}

			in := up.only(t)
			wantPath, wantQuery := "/v1beta/models/gemini-2.5-pro:generateContent", ""
			if stream {
				wantPath, wantQuery = "/v1beta/models/gemini-2.5-pro:streamGenerateContent", "alt=sse"
			}
			if in.Path != wantPath || in.Query != wantQuery {
				t.Errorf("upstream got %s?%s, want %s?%s", in.Path, in.Query, wantPath, wantQuery)
			}
			if in.Header.Get("X-Goog-Api-Key") != testChannelKey || in.Header.Get("Authorization") != "" {
				t.Errorf("upstream auth: x-goog-api-key %q, authorization %q", in.Header.Get("X-Goog-Api-Key"), in.Header.Get("Authorization"))
			}
			if strings.Contains(in.Query, "key=") {
				t.Error("the channel key went into the URL")
			}
			noLeaks(t, in)
			b := gjson.ParseBytes(in.Body)
			if !strings.Contains(b.Get("systemInstruction.parts.#.text").String(), "You are a Claude agent") {
				t.Errorf("systemInstruction = %.300s", b.Get("systemInstruction").Raw)
			}
			for _, c := range b.Get("contents").Array() {
				if r := c.Get("role").Str; r != "user" && r != "model" {
					t.Errorf("content with role %q: %.200s", r, c.Raw)
				}
			}
			if strings.Contains(b.Get("contents").Raw, "You are a Claude agent") {
				t.Error("the system prompt was folded into a turn")
			}
			decls := b.Get("tools.#.functionDeclarations|@flatten").Array()
			if len(decls) != 24 {
				t.Errorf("%d functionDeclarations, want 24: %.300s", len(decls), b.Get("tools").Raw)
			}
			keys := map[string]bool{}
			jsonKeys(b.Get("tools"), keys)
			for _, k := range []string{"$schema", "additionalProperties"} {
				if keys[k] {
					t.Errorf("tool schemas still carry %s", k)
				}
			}
			// Tools without properties (CronList, TaskList) may go without
			// parameters: Gemini rejects an OBJECT with no properties.
			for _, d := range decls {
				if d.Get("name").Str == "" {
					t.Errorf("declaration without a name: %.200s", d.Raw)
				}
				if d.Get("name").Str == "Bash" && d.Get("parameters.properties.command").Get("type").String() == "" {
					t.Errorf("Bash declaration lost its parameters: %.300s", d.Raw)
				}
			}
			if b.Get("generationConfig.maxOutputTokens").Int() <= 0 {
				t.Errorf("generationConfig = %s, want maxOutputTokens", b.Get("generationConfig").Raw)
			}
		})
	}
}

// anthropicChatRequest is an OpenAI client's request with a tool.
const openAIToolRequest = `{"model":"gpt-4o","messages":[{"role":"system","content":"You are terse."},` +
	`{"role":"user","content":"List /tmp"}],"tools":[{"type":"function","function":{"name":"Bash",` +
	`"description":"Run a shell command","parameters":{"type":"object","properties":{"command":{"type":"string"},` +
	`"description":{"type":"string"}},"required":["command"]}}}],"tool_choice":"auto","temperature":0.3}`

func TestOpenAIClientOnAnthropicChannel(t *testing.T) {
	t.Parallel()
	t.Run("a streamed request gets tool_call deltas, finish_reason, usage and [DONE]", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replySSESplit(anthropicToolEvents))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "claude", Type: "anthropic", BaseURL: up.URL,
			ModelMap: map[string]string{"gpt-4o": "claude-sonnet-4-5"}})
		body, _ := sjson.SetBytes([]byte(openAIToolRequest), "stream", true)
		body, _ = sjson.SetBytes(body, "stream_options.include_usage", true)
		raw := readOK(t, te.postAs(t, "openai", "/v1/chat/completions", body, nil))
		res := readOpenAIStream(t, raw, true)
		if res.Text != "Let me check." {
			t.Errorf("text %q", res.Text)
		}
		if len(res.ToolCalls) != 1 || res.ToolCalls[0].Name != "Bash" {
			t.Fatalf("tool calls %+v", res.ToolCalls)
		}
		if args := gjson.Parse(res.ToolCalls[0].Args); !gjson.Valid(res.ToolCalls[0].Args) || args.Get("command").Str != toolCmd {
			t.Errorf("assembled arguments %q", res.ToolCalls[0].Args)
		}
		if res.Finish != "tool_calls" {
			t.Errorf("finish_reason %q, want tool_calls", res.Finish)
		}
		if res.Usage.Get("prompt_tokens").Int() != 1234 || res.Usage.Get("completion_tokens").Int() != 56 ||
			res.Usage.Get("prompt_tokens_details.cached_tokens").Int() != 200 {
			t.Errorf("usage %s, want prompt 1234 (200 cached), completion 56", res.Usage.Raw)
		}
		checkAnthropicUpstream(t, up.only(t), true)
	})

	t.Run("a plain request gets a chat.completion with tool_calls", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replyJSON(http.StatusOK, anthropicToolMessage))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "claude", Type: "anthropic", BaseURL: up.URL,
			ModelMap: map[string]string{"gpt-4o": "claude-sonnet-4-5"}})
		raw := readOK(t, te.postAs(t, "openai", "/v1/chat/completions", []byte(openAIToolRequest), nil))
		c := gjson.ParseBytes(raw)
		if c.Get("object").Str != "chat.completion" || !strings.HasPrefix(c.Get("id").Str, "chatcmpl-") || c.Get("model").Str != "gpt-4o" {
			t.Errorf("not a chat.completion for gpt-4o: %s", raw)
		}
		m := c.Get("choices.0.message")
		tc := m.Get("tool_calls.0")
		if m.Get("role").Str != "assistant" || m.Get("content").Str != "Let me check." || tc.Get("type").Str != "function" ||
			tc.Get("function.name").Str != "Bash" || tc.Get("id").Str == "" {
			t.Errorf("message %s", m.Raw)
		}
		if args := tc.Get("function.arguments"); args.Type != gjson.String || gjson.Get(args.Str, "command").Str != toolCmd {
			t.Errorf("arguments must be a JSON string: %s", args.Raw)
		}
		if c.Get("choices.0.finish_reason").Str != "tool_calls" {
			t.Errorf("finish_reason %s", c.Get("choices.0.finish_reason").Raw)
		}
		if c.Get("usage.prompt_tokens").Int() != 1234 || c.Get("usage.completion_tokens").Int() != 56 || c.Get("usage.total_tokens").Int() != 1290 {
			t.Errorf("usage %s", c.Get("usage").Raw)
		}
		checkAnthropicUpstream(t, up.only(t), false)
	})
}

// checkAnthropicUpstream asserts what an Anthropic channel received for
// openAIToolRequest.
func checkAnthropicUpstream(t testing.TB, in received, stream bool) {
	t.Helper()
	if in.Path != "/v1/messages" || in.Header.Get("X-Api-Key") != testChannelKey || in.Header.Get("Authorization") != "" {
		t.Errorf("upstream got %s with x-api-key %q, authorization %q", in.Path, in.Header.Get("X-Api-Key"), in.Header.Get("Authorization"))
	}
	if in.Header.Get("Anthropic-Version") == "" {
		t.Error("no anthropic-version upstream")
	}
	b := gjson.ParseBytes(in.Body)
	if b.Get("model").Str != "claude-sonnet-4-5" || b.Get("max_tokens").Int() <= 0 || b.Get("stream").Bool() != stream {
		t.Errorf("model %s, max_tokens %s, stream %s", b.Get("model").Raw, b.Get("max_tokens").Raw, b.Get("stream").Raw)
	}
	if b.Get("stream_options").Exists() || b.Get("tool_choice.type").Str != "auto" {
		t.Errorf("stream_options %s leaked or tool_choice %s wrong", b.Get("stream_options").Raw, b.Get("tool_choice").Raw)
	}
	if !strings.Contains(b.Get("system").String(), "You are terse.") {
		t.Errorf("system = %s, want the top-level system prompt", b.Get("system").Raw)
	}
	for _, m := range b.Get("messages").Array() {
		if r := m.Get("role").Str; r != "user" && r != "assistant" {
			t.Errorf("message with role %q upstream", r)
		}
	}
	tool := b.Get("tools.0")
	if tool.Get("name").Str != "Bash" || tool.Get("input_schema.type").Str != "object" || tool.Get("function").Exists() {
		t.Errorf("tool %s, want {name, description, input_schema}", tool.Raw)
	}
}

func TestGeminiClientOnOpenAIChannel(t *testing.T) {
	t.Parallel()
	const req = `{"systemInstruction":{"parts":[{"text":"You are terse."}]},"contents":[{"role":"user","parts":[{"text":"List /tmp"}]}],` +
		`"tools":[{"functionDeclarations":[{"name":"Bash","description":"Run a shell command","parameters":{"type":"object",` +
		`"properties":{"command":{"type":"string"},"description":{"type":"string"}},"required":["command"]}}]}],` +
		`"generationConfig":{"maxOutputTokens":1024,"temperature":0.2}}`
	for _, stream := range []bool{false, true} {
		name := "generateContent gets a functionCall from an OpenAI channel"
		path, reply := "/v1beta/models/gemini-x:generateContent", replyJSON(http.StatusOK, openAIToolCompletion)
		if stream {
			name = "streamGenerateContent with alt=sse gets text and a functionCall from an OpenAI channel"
			path, reply = "/v1beta/models/gemini-x:streamGenerateContent?alt=sse", replySSESplit(openAIToolStream(true))
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, reply)
			te := newTestEngine(t)
			te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1",
				ModelMap: map[string]string{"gemini-x": "gpt-4.1"}})
			raw := readOK(t, te.postAs(t, "gemini", path, []byte(req), nil))

			var chunks []gjson.Result
			if stream {
				for _, ev := range parseSSE(t, raw) {
					if ev.Name != "" || !gjson.Valid(ev.Data) {
						t.Fatalf("not a Gemini SSE chunk: %+v", ev)
					}
					chunks = append(chunks, gjson.Parse(ev.Data))
				}
			} else {
				chunks = []gjson.Result{gjson.ParseBytes(raw)}
			}
			var text, finish string
			var calls []gjson.Result
			var usage gjson.Result
			for _, c := range chunks {
				cand := c.Get("candidates.0")
				if len(cand.Get("content.parts").Array()) > 0 && cand.Get("content.role").Str != "model" {
					t.Errorf("candidate role %q, want model: %s", cand.Get("content.role").Str, c.Raw)
				}
				for _, p := range cand.Get("content.parts").Array() {
					text += p.Get("text").Str
					if p.Get("functionCall").Exists() {
						calls = append(calls, p.Get("functionCall"))
					}
				}
				if f := cand.Get("finishReason").Str; f != "" {
					finish = f
				}
				if c.Get("usageMetadata").Exists() {
					usage = c.Get("usageMetadata")
				}
			}
			if text != "Let me check." {
				t.Errorf("text %q", text)
			}
			if len(calls) != 1 || calls[0].Get("name").Str != "Bash" || calls[0].Get("args.command").Str != toolCmd {
				t.Errorf("functionCalls %v, want one Bash call with args as an object", calls)
			}
			if finish != "STOP" {
				t.Errorf("finishReason %q, want STOP", finish)
			}
			if usage.Get("promptTokenCount").Int() != 1234 || usage.Get("candidatesTokenCount").Int() != 56 {
				t.Errorf("usageMetadata %s", usage.Raw)
			}

			in := up.only(t)
			b := gjson.ParseBytes(in.Body)
			if in.Path != "/v1/chat/completions" || in.Header.Get("Authorization") != "Bearer "+testChannelKey || in.Header.Get("X-Goog-Api-Key") != "" {
				t.Errorf("upstream got %s with authorization %q, x-goog-api-key %q", in.Path, in.Header.Get("Authorization"), in.Header.Get("X-Goog-Api-Key"))
			}
			if b.Get("model").Str != "gpt-4.1" || b.Get("stream").Bool() != stream || b.Get("messages.0.role").Str != "system" ||
				b.Get("tools.0.function.name").Str != "Bash" || b.Get("max_tokens").Int()+b.Get("max_completion_tokens").Int() != 1024 {
				t.Errorf("upstream body %s", in.Body)
			}
			if stream && !b.Get("stream_options.include_usage").Bool() {
				t.Error("a stream must ask for usage")
			}
			for _, k := range []string{"contents", "systemInstruction", "generationConfig"} {
				if b.Get(k).Exists() {
					t.Errorf("Gemini field %s leaked upstream", k)
				}
			}
		})
	}
}

func TestCountTokensConverted(t *testing.T) {
	t.Parallel()
	body, hdr := claudeCodeRequest(t, false)
	body, _ = sjson.DeleteBytes(body, "max_tokens")
	body, _ = sjson.DeleteBytes(body, "stream")

	t.Run("an OpenAI channel is counted locally without an upstream call", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replyJSON(http.StatusOK, openAICompletion))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1"})
		te.setActive(t, "oai,gpt-4.1")
		raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages/count_tokens", body, hdr))
		r := gjson.ParseBytes(raw)
		if r.Get("input_tokens").Int() <= 1000 || len(r.Map()) != 1 {
			t.Errorf("count reply %s, want {\"input_tokens\": N} with N large for a Claude Code prompt", raw)
		}
		if n := len(up.requests()); n != 0 {
			t.Errorf("the upstream got %d requests, want none", n)
		}
	})

	t.Run("an Anthropic channel gets the count forwarded", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replyJSON(http.StatusOK, `{"input_tokens":4321}`))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "claude", Type: "anthropic", BaseURL: up.URL})
		te.setActive(t, "claude")
		raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages/count_tokens", body, hdr))
		if gjson.GetBytes(raw, "input_tokens").Int() != 4321 {
			t.Errorf("count reply %s, want the upstream's", raw)
		}
		in := up.only(t)
		if in.Path != "/v1/messages/count_tokens" || in.Header.Get("X-Api-Key") != testChannelKey {
			t.Errorf("upstream got %s with x-api-key %q", in.Path, in.Header.Get("X-Api-Key"))
		}
	})
}

func TestMalformedConvertedRequest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, format, path, body string
	}{
		{"Anthropic messages that are not an array", "anthropic", "/v1/messages", `{"model":"m","max_tokens":10,"messages":"hi"}`},
		{"Anthropic content block of an unknown shape", "anthropic", "/v1/messages", `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":42}]}`},
		{"OpenAI messages that are not an array", "openai", "/v1/chat/completions", `{"model":"m","messages":{"role":"user"}}`},
		{"Gemini contents that are not an array", "gemini", "/v1beta/models/m:generateContent", `{"contents":"hi"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is a 400 in the client's format and never reaches the upstream", func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, replyJSON(http.StatusOK, `{}`))
			te := newTestEngine(t)
			typ := "openai"
			if tc.format == "openai" {
				typ = "anthropic"
			}
			te.addChannel(t, store.Channel{Name: "other", Type: typ, BaseURL: up.URL})
			resp := te.postAs(t, tc.format, tc.path, []byte(tc.body), nil)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
			env := readError(t, resp, tc.format)
			if tc.format == "gemini" && (env.Error.Status != "INVALID_ARGUMENT" || env.Error.Code != float64(400)) {
				t.Errorf("not a Gemini error envelope: %+v", env)
			}
			if tc.format == "anthropic" && env.Error.Type != "invalid_request_error" {
				t.Errorf("error type %q", env.Error.Type)
			}
			if n := len(up.requests()); n != 0 {
				t.Errorf("the upstream got %d requests, want none", n)
			}
		})
	}
}

// reopenLogs stops the engine and reads its request log from disk.
func reopenLogs(t testing.TB, te *testEngine) []store.RequestLog {
	t.Helper()
	path := te.e.Store().Path()
	te.stopNow(t)
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs, err := st.RecentRequestLogs(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	return logs
}
