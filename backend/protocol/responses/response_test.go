package responses

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// TestResponseGolden decodes every testdata/responses/*.in.json (upstream
// replies) into the neutral model and encodes that for a Responses client.
func TestResponseGolden(t *testing.T) {
	t.Parallel()
	codectest.Golden(t, "responses", Codec{}.DecodeResponse, func(resp *protocol.Response) ([]byte, error) {
		out, err := Codec{}.EncodeResponse(resp, protocol.EncodeOptions{Model: "client-model", FreeformTools: []string{"apply_patch"}})
		return stable(out), err
	})
}

func TestDecodeResponse(t *testing.T) {
	t.Parallel()
	t.Run("usage splits cached input from fresh input (rule 12)", func(t *testing.T) {
		t.Parallel()
		resp, err := Codec{}.DecodeResponse([]byte(`{"id":"resp_1","object":"response","status":"completed","output":[],
			"usage":{"input_tokens":100,"input_tokens_details":{"cached_tokens":60},"output_tokens":9,"output_tokens_details":{"reasoning_tokens":4},"total_tokens":109}}`))
		if err != nil {
			t.Fatal(err)
		}
		if want := (protocol.Usage{InputTokens: 40, CacheReadTokens: 60, OutputTokens: 9, ReasoningTokens: 4}); resp.Usage != want {
			t.Errorf("usage = %+v, want %+v", resp.Usage, want)
		}
	})
	t.Run("tool calls make the stop reason tool_use, the token limit max_tokens (rule 11)", func(t *testing.T) {
		t.Parallel()
		call := `{"type":"function_call","id":"fc_1","call_id":"c","name":"f","arguments":"{\"a\":1"}`
		resp, err := Codec{}.DecodeResponse([]byte(`{"id":"r","status":"completed","output":[` + call + `]}`))
		if err != nil || resp.StopReason != protocol.StopToolUse || string(resp.Content[0].Input) != `{"a":1}` {
			t.Fatalf("resp = %+v, %v (arguments repaired: rule 13)", resp, err)
		}
		resp, _ = Codec{}.DecodeResponse([]byte(`{"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"output":[` + call + `]}`))
		if resp.StopReason != protocol.StopMaxTokens {
			t.Errorf("incomplete with a call: %s", resp.StopReason)
		}
	})
	t.Run("a failed response is an error with the upstream's message", func(t *testing.T) {
		t.Parallel()
		_, err := Codec{}.DecodeResponse([]byte(`{"id":"r","status":"failed","error":{"code":"server_error","message":"boom"},"output":[]}`))
		if err == nil || !strings.Contains(err.Error(), "boom") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("another object is refused", func(t *testing.T) {
		t.Parallel()
		if _, err := (Codec{}).DecodeResponse([]byte(`{"object":"chat.completion","choices":[]}`)); err == nil {
			t.Error("no error")
		}
	})
}

func TestEncodeResponse(t *testing.T) {
	t.Parallel()
	resp := &protocol.Response{ID: "msg_01", Model: "claude", StopReason: protocol.StopEndTurn,
		Usage: protocol.Usage{InputTokens: 10, CacheReadTokens: 5, OutputTokens: 3},
		Content: []protocol.Block{
			{Type: protocol.BlockThinking, Thinking: "plan", Signature: "EqSig"},
			{Type: protocol.BlockText, Text: "Hi"},
			{Type: protocol.BlockToolUse, ID: "toolu_1", Name: "apply_patch", Input: json.RawMessage(`{"input":"*** Begin Patch"}`)},
			{Type: protocol.BlockToolUse, ID: "toolu_2", Name: "Read", Input: json.RawMessage(`{"path":"a"}`)},
		}}
	out, err := Codec{}.EncodeResponse(resp, protocol.EncodeOptions{Model: "gpt-5-codex", FreeformTools: []string{"apply_patch"}})
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Model  string `json:"model"`
		Output []Item `json:"output"`
		Usage  Usage  `json:"usage"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.ID, "resp_") || r.Status != "completed" || r.Model != "gpt-5-codex" || len(r.Output) != 4 {
		t.Fatalf("reply = %s", out)
	}
	if o := r.Output[0]; o.Type != "reasoning" || *o.EncryptedContent != "routex:signature:EqSig" || o.Summary[0].Text != "plan" {
		t.Errorf("reasoning = %+v: the signature must ride in encrypted_content, marked", o)
	}
	if o := r.Output[2]; o.Type != "custom_tool_call" || o.Input != "*** Begin Patch" || o.CallID != "toolu_1" {
		t.Errorf("custom call = %+v", o)
	}
	if o := r.Output[3]; o.Type != "function_call" || o.Arguments != `{"path":"a"}` || o.CallID != "toolu_2" || !strings.HasPrefix(o.ID, "fc_") {
		t.Errorf("function call = %+v", o)
	}
	if u := r.Usage; u.InputTokens != 15 || u.InputTokensDetails.CachedTokens != 5 || u.OutputTokens != 3 || u.TotalTokens != 18 {
		t.Errorf("usage = %+v", u)
	}
	again, _ := Codec{}.EncodeResponse(resp, protocol.EncodeOptions{Model: "gpt-5-codex"})
	var r2 struct{ Output []Item }
	json.Unmarshal(again, &r2)
	if r2.Output[1].ID != r.Output[1].ID {
		t.Errorf("item ids differ between two encodings of the same reply: %s, %s", r.Output[1].ID, r2.Output[1].ID)
	}
}
