package proxy_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/store"
)

// A Gemini 3 channel refuses a replayed function call without its thought
// signature, and degrades on the documented skip value; an Anthropic, Chat
// or Responses client has nowhere to keep the signature but the tool call's
// id (a Responses call_id), which it sends back verbatim. The strict mock
// checks what Gemini checks.
func TestGemini3SignaturesSurviveTheClientsRoundTrip(t *testing.T) {
	t.Parallel()
	const sig = "CiQBcsjafE+/9Xk2hw1k+Q/+"
	turn1 := `data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"Bash","args":{"command":"ls"}},"thoughtSignature":"` + sig + `"}]},` +
		`"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3,"totalTokenCount":12},"modelVersion":"gemini-3-pro-preview","responseId":"r1"}` + "\r\n\r\n"
	turn2 := `data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Done."}]},"finishReason":"STOP","index":0}],` +
		`"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":2,"totalTokenCount":22},"modelVersion":"gemini-3-pro-preview","responseId":"r2"}` + "\r\n\r\n"

	for _, client := range []string{"anthropic", "openai", "responses"} {
		t.Run(client, func(t *testing.T) {
			t.Parallel()
			var up *upstream
			up = newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				seen := up.requests()
				if len(seen) == 1 {
					replySSE([]string{turn1})(w, r)
					return
				}
				// Gemini 3: the model turn's first call must carry its signature.
				got := gjson.GetBytes(seen[len(seen)-1].Body, `contents.#(role=="model").parts.0.thoughtSignature`).Str
				if got != sig {
					replyJSON(http.StatusBadRequest, `{"error":{"code":400,"message":"Function call is missing a thought_signature in functionCall parts.","status":"INVALID_ARGUMENT"}}`)(w, r)
					return
				}
				replySSE([]string{turn2})(w, r)
			})
			te := newTestEngine(t)
			te.addChannel(t, store.Channel{Name: "google", Type: "gemini", BaseURL: up.URL,
				ModelMap: map[string]string{"claude-opus-4-8": "gemini-3-pro-preview", "gpt-5": "gemini-3-pro-preview"}})

			var path string
			var req []byte
			var id string
			if client == "anthropic" {
				path = "/v1/messages"
				req = []byte(`{"model":"claude-opus-4-8","max_tokens":512,"stream":true,"tools":` + turnTools + `,"messages":[{"role":"user","content":"list files"}]}`)
				res := readAnthropicStream(t, readOK(t, te.postAs(t, client, path, req, nil)))
				if len(res.Content) != 1 || res.Content[0].Type != "tool_use" {
					t.Fatalf("turn 1: %+v", res)
				}
				id = res.Content[0].ID
				req, _ = sjson.SetBytes(req, "messages.-1", map[string]any{"role": "assistant", "content": []any{
					map[string]any{"type": "tool_use", "id": id, "name": "Bash", "input": res.Content[0].Input}}})
				req, _ = sjson.SetBytes(req, "messages.-1", map[string]any{"role": "user", "content": []any{
					map[string]any{"type": "tool_result", "tool_use_id": id, "content": "a.txt"}}})
			} else if client == "responses" {
				// Codex and the OpenAI SDK hand the call back by its call_id.
				client, path = "openai", "/v1/responses"
				req = []byte(`{"model":"gpt-5","stream":true,"store":false,"tools":[{"type":"function","name":"Bash","strict":false,` +
					`"parameters":{"type":"object","properties":{"command":{"type":"string"}}}}],"input":[{"role":"user","content":"list files"}]}`)
				res := readResponsesStream(t, readOK(t, te.postAs(t, client, path, req, nil)))
				if len(res.Items) != 1 || res.Items[0].Type != "function_call" {
					t.Fatalf("turn 1: %+v", res)
				}
				id = res.Items[0].CallID
				req, _ = sjson.SetBytes(req, "input.-1", map[string]any{"type": "function_call", "id": res.Items[0].ID, "status": "completed",
					"call_id": id, "name": "Bash", "arguments": res.Items[0].Arguments})
				req, _ = sjson.SetBytes(req, "input.-1", map[string]any{"type": "function_call_output", "call_id": id, "output": "a.txt"})
			} else {
				path = "/v1/chat/completions"
				req = []byte(`{"model":"gpt-5","stream":true,"tools":[{"type":"function","function":{"name":"Bash","parameters":{"type":"object","properties":{"command":{"type":"string"}}}}}],"messages":[{"role":"user","content":"list files"}]}`)
				res := readOpenAIStream(t, readOK(t, te.postAs(t, client, path, req, nil)), false)
				if len(res.ToolCalls) != 1 {
					t.Fatalf("turn 1: %+v", res)
				}
				id = res.ToolCalls[0].ID
				req, _ = sjson.SetBytes(req, "messages.-1", map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{
					map[string]any{"id": id, "type": "function", "function": map[string]any{"name": "Bash", "arguments": res.ToolCalls[0].Args}}}})
				req, _ = sjson.SetBytes(req, "messages.-1", map[string]any{"role": "tool", "tool_call_id": id, "content": "a.txt"})
			}
			if strings.ContainsAny(id, "+/=") {
				t.Errorf("tool id %q has characters a client's id may not", id)
			}
			raw := readOK(t, te.postAs(t, client, path, req, nil))
			if !strings.Contains(string(raw), "Done.") {
				t.Fatalf("turn 2: %s", raw)
			}
			sent := string(up.requests()[1].Body)
			callID := gjson.Get(sent, `contents.#(role=="model").parts.0.functionCall.id`).Str
			respID := gjson.Get(sent, `contents.#(role=="user")#.parts.#(functionResponse).functionResponse.id`).Array()
			if callID == "" || len(respID) == 0 || respID[len(respID)-1].Str != callID {
				t.Errorf("call %q answered by %v", callID, respID)
			}
		})
	}
}
