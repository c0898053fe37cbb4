package proxy_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/store"
)

// What Routex carries for one provider inside a client's ids must not
// trip another provider when the conversation moves: a Gemini signature in
// a tool call's id makes it longer than OpenAI takes, and OpenAI's
// encrypted reasoning is bound to its reasoning item's id.

// longSignature is as long as Gemini's real thought signatures, whose
// base64 runs to hundreds of characters.
var longSignature = base64.StdEncoding.EncodeToString([]byte(strings.Repeat("gemini thought ", 12)))

// geminiSignedCall is a Gemini 3 turn calling Bash with its signature.
var geminiSignedCall = `{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"Bash","args":{"command":"ls"}},"thoughtSignature":"` +
	longSignature + `"}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3,"totalTokenCount":12},` +
	`"modelVersion":"gemini-3-pro-preview","responseId":"r1"}`

// strictChatIDs answers 400, as OpenAI does, to a tool call id over 40
// characters, and next to the rest.
func strictChatIDs(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		for i, m := range gjson.GetBytes(body, "messages").Array() {
			ids := []string{m.Get("tool_call_id").Str}
			for _, c := range m.Get("tool_calls").Array() {
				ids = append(ids, c.Get("id").Str)
			}
			for _, id := range ids {
				if len(id) > 40 {
					msg := fmt.Sprintf("Invalid 'messages[%d].tool_calls[0].id': string too long. Expected a string with maximum length 40, but got a string with length %d instead.", i, len(id))
					replyJSON(http.StatusBadRequest, `{"error":{"message":`+jsonString(msg)+`,"type":"invalid_request_error","param":null,"code":"string_above_max_length"}}`)(w, r)
					return
				}
			}
		}
		next(w, r)
	}
}

// TestSignedToolIDsNeverReachOpenAI: a Chat or Responses client's
// conversation begins on a Gemini 3 channel, whose call reaches the client
// with its signature in the id, and moves to an OpenAI channel of the
// client's own format. The request is re-encoded rather than passed
// through: the call and its result go with the call's own id, paired, and
// the signature stays behind.
func TestSignedToolIDsNeverReachOpenAI(t *testing.T) {
	t.Parallel()
	for _, client := range []string{"chat", "responses"} {
		t.Run(client, func(t *testing.T) {
			t.Parallel()
			gem := newUpstream(t, replyJSON(http.StatusOK, geminiSignedCall))
			te := newTestEngine(t)
			te.addChannel(t, store.Channel{Name: "google", Type: "gemini", BaseURL: gem.URL, ModelMap: map[string]string{"gpt-5": "gemini-3-pro-preview"}})

			var path, id string
			var req []byte
			var oai *upstream
			var next store.Channel
			if client == "chat" {
				path = "/v1/chat/completions"
				req = []byte(`{"model":"gpt-5","tools":[{"type":"function","function":{"name":"Bash","parameters":{"type":"object","properties":{"command":{"type":"string"}}}}}],` +
					`"messages":[{"role":"user","content":"list files"}]}`)
				id = gjson.GetBytes(readOK(t, te.post(t, path, req)), "choices.0.message.tool_calls.0.id").Str
				req, _ = sjson.SetBytes(req, "messages.-1", map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{
					map[string]any{"id": id, "type": "function", "function": map[string]any{"name": "Bash", "arguments": `{"command":"ls"}`}}}})
				req, _ = sjson.SetBytes(req, "messages.-1", map[string]any{"role": "tool", "tool_call_id": id, "content": "a.txt"})
				oai = newUpstream(t, strictChatIDs(replyJSON(http.StatusOK, openAICompletion)))
				next = store.Channel{Name: "oai", Type: "openai", BaseURL: oai.URL + "/v1"}
			} else {
				path = "/v1/responses"
				req = []byte(`{"model":"gpt-5","store":false,"tools":[{"type":"function","name":"Bash","strict":false,` +
					`"parameters":{"type":"object","properties":{"command":{"type":"string"}}}}],"input":[{"role":"user","content":"list files"}]}`)
				r1 := readResponses(t, readOK(t, te.post(t, path, req)))
				if len(r1.Items) != 1 {
					t.Fatalf("turn 1: %+v", r1)
				}
				id = r1.Items[0].CallID
				req, _ = sjson.SetBytes(req, "input.-1", map[string]any{"type": "function_call", "id": r1.Items[0].ID, "call_id": id, "name": "Bash", "arguments": r1.Items[0].Arguments})
				req, _ = sjson.SetBytes(req, "input.-1", map[string]any{"type": "function_call_output", "call_id": id, "output": "a.txt"})
				oai = newUpstream(t, textReply("openai-responses", false))
				next = store.Channel{Name: "oai", Type: "openai-responses", BaseURL: oai.URL + "/v1"}
			}
			if !strings.Contains(id, "__sig_") || len(id) < 200 {
				t.Fatalf("turn 1 call id %q, want Gemini's signature carried in it", id)
			}

			te.addChannel(t, next)
			te.setActive(t, next.Name)
			readOK(t, te.post(t, path, req))
			sent := oai.only(t).Body
			if strings.Contains(string(sent), "__sig") || strings.Contains(string(sent), longSignature[:40]) {
				t.Errorf("the Gemini signature reached OpenAI: %s", sent)
			}
			var call, result string
			if client == "chat" {
				msgs := gjson.GetBytes(sent, "messages").Array()
				call, result = msgs[1].Get("tool_calls.0.id").Str, msgs[2].Get("tool_call_id").Str
			} else {
				items := gjson.GetBytes(sent, "input").Array()
				call, result = items[1].Get("call_id").Str, items[2].Get("call_id").Str
			}
			if call == "" || call != result || !strings.HasPrefix(id, call) {
				t.Errorf("upstream call %q answered by %q; the client's id was %q", call, result, id)
			}
		})
	}
}

// TestReasoningKeepsItsIDOnADecodedResponsesChannel: a Codex conversation
// that went through an Anthropic channel hands back the signature Routex
// carried, so its request is re-encoded for the Responses channel; OpenAI's
// own reasoning in it goes back with the id its content is bound to, and
// the reply gives Codex the upstream's reasoning item ids, not new ones.
func TestReasoningKeepsItsIDOnADecodedResponsesChannel(t *testing.T) {
	t.Parallel()
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{true: "streamed", false: "not streamed"}[stream], func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, respBashReply(stream))
			te := newTestEngine(t)
			te.addChannel(t, channelFor("openai-responses", up.URL))
			req := codexRequest(stream)
			for _, it := range []map[string]any{
				{"type": "reasoning", "id": "rs_up1", "summary": []any{}, "content": nil, "encrypted_content": "gAAAAABoUpstreamReasoning=="},
				{"type": "function_call", "id": "fc_up1", "call_id": "call_up_shell", "name": "shell", "arguments": `{"command":["ls"]}`},
				{"type": "function_call_output", "call_id": "call_up_shell", "output": "a.txt"},
				{"type": "reasoning", "id": "rs_8f2a", "summary": []any{}, "content": nil, "encrypted_content": "routex:signature:EqQBAnthropic"},
				{"type": "message", "role": "assistant", "content": []any{map[string]any{"type": "output_text", "text": "Listed."}}},
				{"type": "message", "role": "user", "content": []any{map[string]any{"type": "input_text", "text": "And /tmp?"}}},
			} {
				req, _ = sjson.SetBytes(req, "input.-1", it)
			}
			raw := readOK(t, te.postAs(t, "openai", "/v1/responses", req, codexHeaders))
			read := readResponses
			if stream {
				read = readResponsesStream
			}
			r := read(t, raw)
			if len(r.Items) == 0 || r.Items[0].Type != "reasoning" || r.Items[0].ID != "rs_up1" || r.Items[0].Encrypted != "gAAAAABoUpstreamReasoning==" {
				t.Errorf("reply items %+v, want the upstream's reasoning item under its own id", r.Items)
			}
			sent := up.only(t).Body
			if strings.Contains(string(sent), "routex:") {
				t.Errorf("a carried signature reached OpenAI: %s", sent)
			}
			reasoning := reasoningItems(sent)
			if len(reasoning) != 1 || gjson.GetBytes(reasoning[0], "id").Str != "rs_up1" ||
				gjson.GetBytes(reasoning[0], "encrypted_content").Str != "gAAAAABoUpstreamReasoning==" {
				t.Errorf("reasoning upstream %s, want OpenAI's item with its id", reasoning)
			}
		})
	}
}

// reasoningItems lists the reasoning items of a Responses request body.
func reasoningItems(body []byte) []json.RawMessage {
	var out []json.RawMessage
	for _, it := range gjson.GetBytes(body, "input").Array() {
		if it.Get("type").Str == "reasoning" {
			out = append(out, json.RawMessage(it.Raw))
		}
	}
	return out
}
