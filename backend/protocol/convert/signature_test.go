package convert

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// Gemini 3 thought signatures through an Anthropic, OpenAI Chat or
// Responses client: the real signature of a function call comes back on the
// next turn (inside the call's id, which every kind of client echoes), instead of the skip
// value Google warns degrades the model; a thinking signature Gemini made
// never reaches an Anthropic client, which could hand it to Anthropic.

const (
	callSignature    = "CiQBcsjafE+/9Xk2hw1k+Q/+" // base64 with both of the characters ids cannot hold
	thoughtSignature = "EnoKeAHR7aJ9tv+/4A=="
)

// geminiSignedReply is a Gemini 3 turn: a thought summary with a signature
// of its own, then a call with the step's signature and a second, parallel
// call without one.
const geminiSignedReply = `{"candidates":[{"content":{"role":"model","parts":[` +
	`{"text":"I should list the files.","thought":true,"thoughtSignature":"` + thoughtSignature + `"},` +
	`{"functionCall":{"name":"Bash","args":{"command":"ls"}},"thoughtSignature":"` + callSignature + `"},` +
	`{"functionCall":{"name":"Read","args":{"path":"a.txt"}}}]},"finishReason":"STOP","index":0}],` +
	`"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"totalTokenCount":15},"modelVersion":"gemini-3-pro-preview","responseId":"r1"}`

// clientCalls converts the Gemini reply for a client (whole or streamed)
// and returns the ids of the calls the client got, and the client's bytes.
func clientCalls(t *testing.T, to protocol.Format, stream bool) ([]string, string) {
	t.Helper()
	req := &protocol.Request{Messages: []protocol.Message{{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockText, Text: "ls"}}}}}
	opts := protocol.EncodeOptions{Model: "client-model"}
	var out []byte
	if stream {
		s, err := NewStream(protocol.Gemini, to, req, opts)
		if err != nil {
			t.Fatal(err)
		}
		if out, err = s.Event(nil, protocol.SSEEvent{Data: []byte(geminiSignedReply)}); err != nil {
			t.Fatal(err)
		}
		out = s.Finish(out)
	} else {
		var err error
		if out, _, err = Response([]byte(geminiSignedReply), protocol.Gemini, to, req, opts, nil); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	collect := func(doc gjson.Result) {
		if doc.Get("type").Str == "response.output_item.done" {
			doc = gjson.Parse(`{"output":[` + doc.Get("item").Raw + `]}`)
		} else if doc.Get("response").Exists() {
			return // a Responses stream's created and completed events repeat the items
		}
		for _, path := range []string{"content.#(type==tool_use)#.id", "content_block.id", "choices.0.message.tool_calls.#.id",
			"choices.0.delta.tool_calls.#.id", `output.#(type=="function_call")#.call_id`} {
			for _, id := range doc.Get(path).Array() {
				if id.Str != "" {
					ids = append(ids, id.Str)
				}
			}
		}
	}
	if stream {
		for _, ev := range codectest.ReadSSE(t, string(out)) {
			collect(gjson.ParseBytes(ev.Data))
		}
	} else {
		collect(gjson.ParseBytes(out))
	}
	return ids, string(out)
}

// nextTurn is the client's next request: its assistant turn with the two
// calls by the ids it got, and their results.
func nextTurn(t *testing.T, from protocol.Format, ids []string) *protocol.Request {
	t.Helper()
	var body string
	var err error
	switch from {
	case protocol.Anthropic:
		body = `{"model":"client-model","max_tokens":100,"messages":[{"role":"user","content":"ls"}]}`
		body, err = sjson.Set(body, "messages.-1", map[string]any{"role": "assistant", "content": []any{
			map[string]any{"type": "thinking", "thinking": "I should list the files.", "signature": ""},
			map[string]any{"type": "tool_use", "id": ids[0], "name": "Bash", "input": map[string]any{"command": "ls"}},
			map[string]any{"type": "tool_use", "id": ids[1], "name": "Read", "input": map[string]any{"path": "a.txt"}},
		}})
		if err == nil {
			body, err = sjson.Set(body, "messages.-1", map[string]any{"role": "user", "content": []any{
				map[string]any{"type": "tool_result", "tool_use_id": ids[0], "content": "a.txt"},
				map[string]any{"type": "tool_result", "tool_use_id": ids[1], "content": "hello"},
			}})
		}
	case protocol.OpenAI:
		body = `{"model":"client-model","messages":[{"role":"user","content":"ls"}]}`
		body, err = sjson.Set(body, "messages.-1", map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{
			map[string]any{"id": ids[0], "type": "function", "function": map[string]any{"name": "Bash", "arguments": `{"command":"ls"}`}},
			map[string]any{"id": ids[1], "type": "function", "function": map[string]any{"name": "Read", "arguments": `{"path":"a.txt"}`}},
		}})
		for i, text := range []string{"a.txt", "hello"} {
			if err == nil {
				body, err = sjson.Set(body, "messages.-1", map[string]any{"role": "tool", "tool_call_id": ids[i], "content": text})
			}
		}
	case protocol.Responses:
		body = `{"model":"client-model","input":[{"role":"user","content":"ls"}]}`
		for _, it := range []map[string]any{
			{"type": "reasoning", "id": "rs_1", "summary": []any{map[string]any{"type": "summary_text", "text": "I should list the files."}}, "content": nil, "encrypted_content": nil},
			{"type": "function_call", "id": "fc_1", "call_id": ids[0], "name": "Bash", "arguments": `{"command":"ls"}`},
			{"type": "function_call", "id": "fc_2", "call_id": ids[1], "name": "Read", "arguments": `{"path":"a.txt"}`},
			{"type": "function_call_output", "call_id": ids[0], "output": "a.txt"},
			{"type": "function_call_output", "call_id": ids[1], "output": "hello"},
		} {
			if err == nil {
				body, err = sjson.Set(body, "input.-1", it)
			}
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	req, err := For(from).DecodeRequest([]byte(body))
	if err != nil {
		t.Fatalf("the client's next turn does not decode: %v\n%s", err, body)
	}
	return req
}

func TestGeminiSignatureRoundTrip(t *testing.T) {
	t.Parallel()
	for _, client := range []protocol.Format{protocol.Anthropic, protocol.OpenAI, protocol.Responses} {
		for _, stream := range []bool{false, true} {
			name := string(client) + " whole"
			if stream {
				name = string(client) + " stream"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				ids, wire := clientCalls(t, client, stream)
				if len(ids) != 2 || ids[0] == ids[1] {
					t.Fatalf("client got call ids %q, want two distinct:\n%s", ids, wire)
				}
				if strings.Contains(wire, "EnoKeAHR7aJ9") {
					t.Errorf("Gemini's thinking signature reached the %s client:\n%s", client, wire)
				}
				req := nextTurn(t, client, ids)

				gem, err := Request(req, protocol.Gemini, "gemini-3-pro-preview")
				if err != nil {
					t.Fatal(err)
				}
				model := gjson.GetBytes(gem, `contents.#(role=="model")`)
				calls := model.Get("parts.#(functionCall)#")
				if len(calls.Array()) != 2 {
					t.Fatalf("model turn %s, want two calls", model.Raw)
				}
				if got := calls.Get("0.thoughtSignature").Str; got != callSignature {
					t.Errorf("first call's signature = %q, want the real one %q", got, callSignature)
				}
				if calls.Get("1.thoughtSignature").Exists() {
					t.Errorf("the parallel call got a signature: %s", calls.Get("1").Raw)
				}
				results := gjson.GetBytes(gem, `contents.#(role=="user")#.parts.#(functionResponse)#.functionResponse`).Get("@flatten")
				for i, call := range calls.Array() {
					if id := call.Get("functionCall.id").Str; id == "" || strings.Contains(id, "__sig") || results.Get(itoa(i)+".id").Str != id {
						t.Errorf("call %d id %q answered by %s", i, id, results.Raw)
					}
				}

				// Another channel on the next turn: the signature goes nowhere
				// but Gemini, and calls still pair with their results.
				for _, to := range []protocol.Format{protocol.Anthropic, protocol.OpenAI, protocol.Responses} {
					body, err := Request(req, to, "other-model")
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(string(body), "__sig") || strings.Contains(string(body), "CiQBcsjafE") {
						t.Errorf("the Gemini signature reached a %s upstream: %s", to, body)
					}
					back, err := For(to).DecodeRequest(body)
					if err != nil {
						t.Fatal(err)
					}
					var callIDs, resultIDs []string
					for _, m := range back.Messages {
						for _, b := range m.Content {
							if b.Type == protocol.BlockToolUse {
								callIDs = append(callIDs, b.ID)
							}
							if b.Type == protocol.BlockToolResult {
								resultIDs = append(resultIDs, b.ToolUseID)
							}
						}
					}
					if strings.Join(callIDs, ",") != strings.Join(resultIDs, ",") || len(callIDs) != 2 {
						t.Errorf("%s upstream: calls %q, results %q", to, callIDs, resultIDs)
					}
				}
			})
		}
	}
}

// A client that lost the signature (or history another model wrote) still
// gets the documented skip value on a Gemini 3 call, and only then.
func TestGeminiSkipSignatureOnlyWhenMissing(t *testing.T) {
	t.Parallel()
	req := nextTurn(t, protocol.Anthropic, []string{"toolu_01", "toolu_02"})
	gem, err := Request(req, protocol.Gemini, "gemini-3-pro-preview")
	if err != nil {
		t.Fatal(err)
	}
	if got := gjson.GetBytes(gem, `contents.1.parts.#(functionCall).thoughtSignature`).Str; got != "skip_thought_signature_validator" {
		t.Fatalf("signature = %q, want the skip value: %s", got, gem)
	}
}

func itoa(i int) string { return string(rune('0' + i)) }
