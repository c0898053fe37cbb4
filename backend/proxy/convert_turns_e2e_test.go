package proxy_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/store"
)

const turnTools = `[{"name":"Read","description":"Read a file","input_schema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}},` +
	`{"name":"Bash","description":"Run a command","input_schema":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}]`

// openAITwoReads asks for two parallel Read calls after some text.
var openAITwoReads = []string{
	oaChunk(`{"role":"assistant","content":""}`, ""),
	oaChunk(`{"content":"I'll read both."}`, ""),
	oaChunk(`{"tool_calls":[{"index":0,"id":"call_A","type":"function","function":{"name":"Read","arguments":""}}]}`, ""),
	oaChunk(`{"tool_calls":[{"index":0,"function":{"arguments":"{\"path\":"}}]}`, ""),
	oaChunk(`{"tool_calls":[{"index":0,"function":{"arguments":"\"a.txt\"}"}}]}`, ""),
	oaChunk(`{"tool_calls":[{"index":1,"id":"call_B","type":"function","function":{"name":"Read","arguments":""}}]}`, ""),
	oaChunk(`{"tool_calls":[{"index":1,"function":{"arguments":"{\"path\":\"b.txt\"}"}}]}`, ""),
	oaChunk(`{}`, `"tool_calls"`),
	"data: [DONE]\n\n",
}

const openAILsCall = `{"id":"chatcmpl-T2","object":"chat.completion","created":1764000000,"model":"gpt-4.1","choices":[{"index":0,` +
	`"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_C","type":"function","function":{"name":"Bash",` +
	`"arguments":"{\"command\":\"ls\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":300,"completion_tokens":9,"total_tokens":309}}`

func TestMultiTurnToolConversationThroughOpenAI(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, replySequence(
		replySSESplit(openAITwoReads),
		replyJSON(http.StatusOK, openAILsCall),
		replySSESplit(openAITextStream("Only a.txt exists.", true)),
	))
	te := newTestEngine(t)
	te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1",
		ModelMap: map[string]string{"claude-sonnet-4-5": "gpt-4.1"}})

	req := []byte(`{"model":"claude-sonnet-4-5","max_tokens":2048,"system":"You are careful.","tools":` + turnTools +
		`,"messages":[{"role":"user","content":"Compare a.txt and b.txt"}]}`)
	send := func(stream bool) anthropicResult {
		t.Helper()
		body, _ := sjson.SetBytes(req, "stream", stream)
		raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", body, nil))
		if stream {
			return readAnthropicStream(t, raw)
		}
		return readAnthropicMessage(t, raw)
	}
	appendMsg := func(role string, content any) {
		t.Helper()
		var err error
		if req, err = sjson.SetBytes(req, "messages.-1", map[string]any{"role": role, "content": content}); err != nil {
			t.Fatal(err)
		}
	}
	asContent := func(res anthropicResult) []map[string]any {
		var out []map[string]any
		for _, b := range res.Content {
			switch b.Type {
			case "text":
				out = append(out, map[string]any{"type": "text", "text": b.Text})
			case "tool_use":
				out = append(out, map[string]any{"type": "tool_use", "id": b.ID, "name": b.Name, "input": b.Input})
			}
		}
		return out
	}

	// Turn 1: two parallel reads, streamed.
	r1 := send(true)
	if len(r1.Content) != 3 || r1.Content[1].Type != "tool_use" || r1.Content[2].Type != "tool_use" || r1.StopReason != "tool_use" {
		t.Fatalf("turn 1 = %+v, want text and two tool_use blocks", r1)
	}
	id1, id2 := r1.Content[1].ID, r1.Content[2].ID
	if r1.Content[1].Input["path"] != "a.txt" || r1.Content[2].Input["path"] != "b.txt" {
		t.Errorf("turn 1 inputs %v, %v", r1.Content[1].Input, r1.Content[2].Input)
	}
	appendMsg("assistant", asContent(r1))
	appendMsg("user", []map[string]any{
		{"type": "tool_result", "tool_use_id": id1, "content": "alpha"},
		{"type": "tool_result", "tool_use_id": id2, "content": "ENOENT b.txt", "is_error": true},
		{"type": "text", "text": "b may be missing"},
	})

	// Turn 2: one more call, not streamed.
	r2 := send(false)
	if len(r2.Content) != 1 || r2.Content[0].Type != "tool_use" || r2.Content[0].Input["command"] != "ls" || r2.StopReason != "tool_use" {
		t.Fatalf("turn 2 = %+v, want one Bash tool_use", r2)
	}
	id3 := r2.Content[0].ID
	appendMsg("assistant", asContent(r2))
	appendMsg("user", []map[string]any{
		{"type": "tool_result", "tool_use_id": id3, "content": []map[string]any{{"type": "text", "text": "a.txt"}, {"type": "text", "text": "notes.md"}}},
	})

	// Turn 3: the answer, streamed.
	r3 := send(true)
	if len(r3.Content) != 1 || r3.Content[0].Text != "Only a.txt exists." || r3.StopReason != "end_turn" {
		t.Fatalf("turn 3 = %+v", r3)
	}

	if id1 == "" || id1 == id2 || id3 == id1 || id3 == id2 {
		t.Errorf("tool ids are not unique through the conversation: %q %q %q", id1, id2, id3)
	}
	got := up.requests()
	if len(got) != 3 {
		t.Fatalf("upstream got %d requests, want 3", len(got))
	}
	for turn, in := range got[1:] {
		msgs := gjson.GetBytes(in.Body, "messages").Array()
		checkToolPairing(t, turn+2, msgs)
		roles := make([]string, len(msgs))
		for i, m := range msgs {
			roles[i] = m.Get("role").Str
		}
		want := "system user assistant tool tool user"
		if turn == 1 {
			want += " assistant tool"
		}
		if strings.Join(roles, " ") != want {
			t.Errorf("request %d roles %q, want %q", turn+2, strings.Join(roles, " "), want)
		}
	}
	msgs := gjson.GetBytes(got[2].Body, "messages").Array()
	if len(msgs) == 8 {
		if ids := msgs[2].Get("tool_calls.#.id").Array(); len(ids) != 2 || msgs[6].Get("tool_calls.0.id").Str == ids[0].Str {
			t.Errorf("upstream tool call ids are not unique: %s %s", msgs[2].Get("tool_calls").Raw, msgs[6].Get("tool_calls").Raw)
		}
		if c := msgs[3].Get("content").String(); c != "alpha" {
			t.Errorf("tool result 1 content %q, want alpha", c)
		}
		if c := msgs[4].Get("content").String(); !strings.Contains(c, "ENOENT b.txt") || !strings.Contains(strings.ToLower(c), "error") {
			t.Errorf("tool result with is_error content %q, want the text marked as an error", c)
		}
		if c := msgs[5].Get("content").String(); !strings.Contains(c, "b may be missing") {
			t.Errorf("user text after the tool results %q", c)
		}
		if c := msgs[7].Get("content").String(); !strings.Contains(c, "a.txt") || !strings.Contains(c, "notes.md") || strings.Contains(c, `"type"`) {
			t.Errorf("tool result text blocks %q, want their text joined, not JSON", c)
		}
		if args := msgs[2].Get("tool_calls.1.function.arguments"); args.Type != gjson.String || gjson.Get(args.Str, "path").Str != "b.txt" {
			t.Errorf("replayed tool call arguments %s, want a JSON string", args.Raw)
		}
	}
}

// checkToolPairing asserts docs/CONVERSION.md, rule 5 on an OpenAI message list: after every
// assistant message with tool_calls come role:"tool" messages answering them,
// in call order, before anything else; and every tool message answers the
// call right before it.
func checkToolPairing(t testing.TB, n int, msgs []gjson.Result) {
	t.Helper()
	for i := 0; i < len(msgs); i++ {
		m := msgs[i]
		if m.Get("role").Str == "tool" {
			t.Errorf("request %d: tool message %d (%s) does not follow its call", n, i, m.Get("tool_call_id").Str)
			continue
		}
		calls := m.Get("tool_calls").Array()
		if m.Get("role").Str != "assistant" || len(calls) == 0 {
			continue
		}
		for j, c := range calls {
			if c.Get("type").Str != "function" || c.Get("id").Str == "" {
				t.Errorf("request %d: call %s", n, c.Raw)
			}
			k := i + 1 + j
			if k >= len(msgs) || msgs[k].Get("role").Str != "tool" || msgs[k].Get("tool_call_id").Str != c.Get("id").Str {
				got := ""
				if k < len(msgs) {
					got = msgs[k].Raw
				}
				t.Errorf("request %d: call %s (%s) is answered by %.200s", n, c.Get("id").Str, c.Get("function.name").Str, got)
			}
		}
		i += len(calls)
	}
}

func TestUsageThroughConversion(t *testing.T) {
	t.Parallel()
	req := []byte(`{"model":"claude-sonnet-4-5","max_tokens":512,"stream":true,"system":"You are terse.",` +
		`"messages":[{"role":"user","content":"Write a haiku about routers and the packets that travel through them."}]}`)

	t.Run("an upstream that reports no usage gets estimated tokens, logged as estimated", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replySSESplit(openAITextStream("Packets hop along, quiet routers count the hops, dawn finds them home.", false)))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1"})
		res := readAnthropicStream(t, readOK(t, te.postAs(t, "anthropic", "/v1/messages", req, nil)))
		if res.InputTokens <= 0 || res.OutputTokens <= 0 {
			t.Errorf("message_start input_tokens %d, message_delta output_tokens %d; want both > 0 (Claude Code compacts on them)", res.InputTokens, res.OutputTokens)
		}
		logs := reopenLogs(t, te)
		if len(logs) != 1 {
			t.Fatalf("%d logs", len(logs))
		}
		l := logs[0]
		if !l.UsageEstimated || l.UpstreamFormat != "openai" || l.Format != "anthropic" || l.InputTokens <= 0 || l.OutputTokens <= 0 || l.Status != 200 || !l.Stream {
			t.Errorf("log %+v, want estimated usage > 0 from an openai upstream", l)
		}
	})

	t.Run("an upstream's own usage is logged exactly, not estimated", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replySSESplit(openAIToolStream(true)))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1"})
		res := readAnthropicStream(t, readOK(t, te.postAs(t, "anthropic", "/v1/messages", req, nil)))
		if res.OutputTokens != 56 {
			t.Errorf("output_tokens %d, want 56", res.OutputTokens)
		}
		logs := reopenLogs(t, te)
		if len(logs) != 1 {
			t.Fatalf("%d logs", len(logs))
		}
		l := logs[0]
		if l.UsageEstimated || l.InputTokens != 1034 || l.CacheReadTokens != 200 || l.OutputTokens != 56 || l.UpstreamFormat != "openai" {
			t.Errorf("log %+v, want input 1034 + 200 cached, output 56, not estimated", l)
		}
		if got := gjson.GetBytes(up.only(t).Body, "stream_options.include_usage"); !got.Bool() {
			t.Errorf("stream_options.include_usage = %s", got.Raw)
		}
	})
}

// readAnthropicStreamError checks that a stream ends with one error event
// in Anthropic's shape and returns its error object.
func readAnthropicStreamError(t testing.TB, raw []byte) gjson.Result {
	t.Helper()
	events := parseSSE(t, raw)
	if len(events) < 2 || events[0].Name != "message_start" {
		t.Fatalf("stream does not start with message_start:\n%s", raw)
	}
	last := events[len(events)-1]
	for _, ev := range events[:len(events)-1] {
		if ev.Name == "error" || ev.Name == "message_stop" {
			t.Errorf("%s before the end:\n%s", ev.Name, raw)
		}
	}
	d := gjson.Parse(last.Data)
	if last.Name != "error" || d.Get("type").Str != "error" || d.Get("error.message").Str == "" {
		t.Fatalf("stream does not end with an Anthropic error event:\n%s", raw)
	}
	if k := d.Get("error.type").Str; k != "api_error" && k != "overloaded_error" {
		t.Errorf("error type %q, want api_error or overloaded_error", k)
	}
	return d.Get("error")
}

func TestUpstreamFailsMidStreamThroughConversion(t *testing.T) {
	t.Parallel()
	req := []byte(`{"model":"claude-sonnet-4-5","max_tokens":512,"stream":true,"messages":[{"role":"user","content":"hi"}]}`)

	t.Run("an OpenAI error chunk after some text ends the client stream with an error event", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replySSE([]string{
			oaChunk(`{"role":"assistant","content":""}`, ""),
			oaChunk(`{"content":"Hello, "}`, ""),
			`data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}` + "\n\n",
		}))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1"})
		e := readAnthropicStreamError(t, readOK(t, te.postAs(t, "anthropic", "/v1/messages", req, nil)))
		if !strings.Contains(e.Get("message").Str, "The server had an error") {
			t.Errorf("error message %q, want the upstream's", e.Get("message").Str)
		}
		logs := reopenLogs(t, te)
		if len(logs) != 1 || logs[0].Error == "" {
			t.Errorf("log %+v, want the stream error recorded", logs)
		}
	})

	t.Run("a connection dropped mid-stream ends the client stream with an error event", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
			for _, ev := range []string{oaChunk(`{"role":"assistant","content":""}`, ""), oaChunk(`{"content":"Hello, "}`, "")} {
				fmt.Fprintf(buf, "%x\r\n%s\r\n", len(ev), ev)
			}
			// Half of a chunk, then the connection goes away.
			fmt.Fprintf(buf, "%x\r\n%s", 200, "data: {\"id\":\"chatcmpl")
			buf.Flush()
		})
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1"})
		e := readAnthropicStreamError(t, readOK(t, te.postAs(t, "anthropic", "/v1/messages", req, nil)))
		if !strings.Contains(e.Get("message").Str, "oai") {
			t.Errorf("error message %q does not name the channel", e.Get("message").Str)
		}
	})
}

func TestUpstreamIgnoringStreamStillStreams(t *testing.T) {
	t.Parallel()

	t.Run("an Anthropic client gets a proper stream from a JSON OpenAI answer", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replyJSON(http.StatusOK, openAIToolCompletion))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1"})
		body, hdr := claudeCodeRequest(t, true)
		resp := te.postAs(t, "anthropic", "/v1/messages", body, hdr)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
			t.Errorf("Content-Type %q, want text/event-stream", ct)
		}
		res := readAnthropicStream(t, readOK(t, resp))
		checkToolTurn(t, res)
		if res.InputTokens != 1034 || res.OutputTokens != 56 {
			t.Errorf("usage input %d output %d, want the upstream's", res.InputTokens, res.OutputTokens)
		}
	})

	t.Run("an OpenAI client gets chunks and [DONE] from a JSON Anthropic answer", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replyJSON(http.StatusOK, anthropicToolMessage))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "claude", Type: "anthropic", BaseURL: up.URL})
		body, _ := sjson.SetBytes([]byte(openAIToolRequest), "stream", true)
		body, _ = sjson.SetBytes(body, "stream_options.include_usage", true)
		res := readOpenAIStream(t, readOK(t, te.postAs(t, "openai", "/v1/chat/completions", body, nil)), true)
		if len(res.ToolCalls) != 1 || gjson.Get(res.ToolCalls[0].Args, "command").Str != toolCmd || res.Finish != "tool_calls" {
			t.Errorf("result %+v", res)
		}
	})
}

func TestConversionEdgeCases(t *testing.T) {
	t.Parallel()
	anthropicReq := func(stream bool) []byte {
		b, _ := sjson.SetBytes([]byte(`{"model":"claude-sonnet-4-5","max_tokens":512,"tools":`+turnTools+
			`,"messages":[{"role":"user","content":"go"}]}`), "stream", stream)
		return b
	}

	t.Run("finish_reason, usage and [DONE] in one read are all processed", func(t *testing.T) {
		t.Parallel()
		ev := openAIToolStream(true)
		n := len(ev)
		joined := append(append([]string(nil), ev[:n-3]...), strings.Join(ev[n-3:], ""))
		up := newUpstream(t, replySSE(joined))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1"})
		res := readAnthropicStream(t, readOK(t, te.postAs(t, "anthropic", "/v1/messages", anthropicReq(true), nil)))
		if res.StopReason != "tool_use" || res.OutputTokens != 56 || res.Final.Get("input_tokens").Int() != 1034 {
			t.Errorf("stop %q, final usage %s; want tool_use and the upstream's usage", res.StopReason, res.Final.Raw)
		}
	})

	t.Run("an OpenAI client that did not ask for usage gets no usage chunk", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replySSE(anthropicToolEvents))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "claude", Type: "anthropic", BaseURL: up.URL})
		body, _ := sjson.SetBytes([]byte(openAIToolRequest), "stream", true)
		res := readOpenAIStream(t, readOK(t, te.postAs(t, "openai", "/v1/chat/completions", body, nil)), false)
		if res.Usage.Exists() {
			t.Errorf("usage chunk %s sent without stream_options.include_usage", res.Usage.Raw)
		}
	})

	t.Run("malformed tool arguments from the upstream are repaired", func(t *testing.T) {
		t.Parallel()
		bad := strings.Replace(openAIToolCompletion, `\"description\":\"List files\"}`, `\"description\":\"List files\",}`, 1)
		up := newUpstream(t, replyJSON(http.StatusOK, bad))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1"})
		checkToolTurn(t, readAnthropicMessage(t, readOK(t, te.postAs(t, "anthropic", "/v1/messages", anthropicReq(false), nil))))
	})

	t.Run("a Gemini chunk with text and two calls becomes three blocks", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replySSE([]string{
			`data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Reading."},{"functionCall":{"name":"Read","args":{"path":"a.txt"}}},` +
				`{"functionCall":{"name":"Read","args":{"path":"b.txt"}}}]},"finishReason":"STOP","index":0}],` +
				`"usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":12,"totalTokenCount":52}}` + "\r\n\r\n",
		}))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "google", Type: "gemini", BaseURL: up.URL})
		res := readAnthropicStream(t, readOK(t, te.postAs(t, "anthropic", "/v1/messages", anthropicReq(true), nil)))
		if len(res.Content) != 3 || res.Content[1].Input["path"] != "a.txt" || res.Content[2].Input["path"] != "b.txt" ||
			res.Content[1].ID == "" || res.Content[1].ID == res.Content[2].ID || res.StopReason != "tool_use" {
			t.Errorf("result %+v, want text and two Read calls with distinct ids, stop tool_use", res)
		}
	})

	t.Run("an OpenAI reply without usage is estimated, not zero, in a plain Anthropic reply", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replyJSON(http.StatusOK, `{"id":"chatcmpl-x","object":"chat.completion","created":1,"model":"m",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, how are you today?"},"finish_reason":"stop"}]}`))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1"})
		res := readAnthropicMessage(t, readOK(t, te.postAs(t, "anthropic", "/v1/messages", anthropicReq(false), nil)))
		if res.InputTokens <= 0 || res.OutputTokens <= 0 || res.StopReason != "end_turn" {
			t.Errorf("usage %s, stop %q", res.Final.Raw, res.StopReason)
		}
	})
}

func TestToolResultsThroughGemini(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, replySequence(
		replyJSON(http.StatusOK, `{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"Read","args":{"path":"a.txt"}}},`+
			`{"functionCall":{"name":"Bash","args":{"command":"cat b.txt"}}}]},"finishReason":"STOP","index":0}],`+
			`"usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":12,"totalTokenCount":52}}`),
		replyJSON(http.StatusOK, geminiToolResponse),
	))
	te := newTestEngine(t)
	te.addChannel(t, store.Channel{Name: "google", Type: "gemini", BaseURL: up.URL})
	req := []byte(`{"model":"gemini-2.5-pro","max_tokens":512,"tools":` + turnTools + `,"messages":[{"role":"user","content":"go"}]}`)
	r1 := readAnthropicMessage(t, readOK(t, te.postAs(t, "anthropic", "/v1/messages", req, nil)))
	if len(r1.Content) != 2 || r1.Content[0].ID == "" || r1.Content[0].ID == r1.Content[1].ID {
		t.Fatalf("turn 1 %+v, want two tool_use blocks with distinct ids", r1)
	}
	var err error
	req, err = sjson.SetBytes(req, "messages.-1", map[string]any{"role": "assistant", "content": []map[string]any{
		{"type": "tool_use", "id": r1.Content[0].ID, "name": r1.Content[0].Name, "input": r1.Content[0].Input},
		{"type": "tool_use", "id": r1.Content[1].ID, "name": r1.Content[1].Name, "input": r1.Content[1].Input},
	}})
	if err == nil {
		req, err = sjson.SetBytes(req, "messages.-1", map[string]any{"role": "user", "content": []map[string]any{
			{"type": "tool_result", "tool_use_id": r1.Content[0].ID, "content": "alpha"},
			{"type": "tool_result", "tool_use_id": r1.Content[1].ID, "content": "cat: b.txt: No such file", "is_error": true},
		}})
	}
	if err != nil {
		t.Fatal(err)
	}
	checkToolTurn(t, readAnthropicMessage(t, readOK(t, te.postAs(t, "anthropic", "/v1/messages", req, nil))))

	contents := gjson.GetBytes(up.requests()[1].Body, "contents").Array()
	if len(contents) != 3 {
		t.Fatalf("contents %d, want user, model, user: %s", len(contents), up.requests()[1].Body)
	}
	calls := contents[1].Get("parts.#.functionCall").Array()
	resps := contents[2].Get("parts.#.functionResponse").Array()
	if contents[1].Get("role").Str != "model" || contents[2].Get("role").Str != "user" || len(calls) != 2 || len(resps) != 2 {
		t.Fatalf("turns %s / %s", contents[1].Raw, contents[2].Raw)
	}
	for i := range calls {
		if calls[i].Get("name").Str != resps[i].Get("name").Str || calls[i].Get("id").Str != resps[i].Get("id").Str {
			t.Errorf("call %s answered by %s", calls[i].Raw, resps[i].Raw)
		}
	}
	if calls[0].Get("args.path").Str != "a.txt" || !strings.Contains(resps[0].Get("response").Raw, "alpha") {
		t.Errorf("call 0 %s, response %s", calls[0].Raw, resps[0].Raw)
	}
	if r := resps[1].Get("response").Raw; !strings.Contains(r, "No such file") || !strings.Contains(strings.ToLower(r), "error") {
		t.Errorf("is_error result %s, want the text marked as an error", r)
	}
}
