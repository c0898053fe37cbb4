package responses

import (
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// Ids that must survive a round trip through a client: a reasoning item's
// id, which its encrypted content is bound to.

func TestReasoningItemID(t *testing.T) {
	t.Parallel()
	t.Run("handed back, OpenAI's reasoning keeps the id its content is bound to", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"model":"m","store":false,"input":[{"role":"user","content":"go"},
			{"type":"reasoning","id":"rs_abc","summary":[],"content":null,"encrypted_content":"gAAAA1"},
			{"type":"function_call","id":"fc_1","call_id":"c1","name":"A","arguments":"{}"},
			{"type":"function_call_output","call_id":"c1","output":"ok"}]}`)
		if b := req.Messages[1].Content[0]; b.Type != protocol.BlockThinking || b.ID != "rs_abc" || b.Encrypted != "gAAAA1" {
			t.Fatalf("block %+v", b)
		}
		input := encode(t, req, "gpt-5-codex")["input"].([]any)
		rs := input[1].(map[string]any)
		if rs["type"] != "reasoning" || rs["id"] != "rs_abc" || rs["encrypted_content"] != "gAAAA1" {
			t.Errorf("reasoning item upstream %v, want its id with its encrypted content", rs)
		}
	})
	t.Run("reasoning whose id is unknown goes without one: an id is never made up", func(t *testing.T) {
		t.Parallel()
		req := &protocol.Request{Messages: []protocol.Message{
			{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockText, Text: "go"}}},
			{Role: protocol.RoleAssistant, Content: []protocol.Block{{Type: protocol.BlockThinking, Encrypted: "gAAAA1"}, {Type: protocol.BlockText, Text: "hi"}}},
			{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockText, Text: "more"}}},
		}}
		rs := encode(t, req, "gpt-5-codex")["input"].([]any)[1].(map[string]any)
		if _, has := rs["id"]; has || rs["encrypted_content"] != "gAAAA1" {
			t.Errorf("reasoning item %v", rs)
		}
	})
	t.Run("an id Routex gave a carried signature is not kept", func(t *testing.T) {
		t.Parallel()
		req := decode(t, `{"model":"m","input":[{"role":"user","content":"go"},
			{"type":"reasoning","id":"rs_routex","summary":[],"encrypted_content":"routex:signature:EqQB"},{"role":"assistant","content":"a"}]}`)
		if b := req.Messages[1].Content[0]; b.ID != "" || b.Signature != "EqQB" || b.Encrypted != "" {
			t.Errorf("block %+v", b)
		}
	})
	t.Run("a client gets the upstream's reasoning item id back, whole and streamed", func(t *testing.T) {
		t.Parallel()
		resp := &protocol.Response{ID: "resp_1", Content: []protocol.Block{
			{Type: protocol.BlockThinking, ID: "rs_up", Thinking: "plan", Encrypted: "gAAAA1"},
			{Type: protocol.BlockThinking, Thinking: "no id"},
		}}
		out, err := Codec{}.EncodeResponse(resp, protocol.EncodeOptions{Model: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), `"id":"rs_up","type":"reasoning"`) || !strings.Contains(string(out), `"id":"`+itemID("rs_", "resp_1", 1)+`"`) {
			t.Errorf("reply %s", out)
		}
		var stream []byte
		enc := Codec{}.NewStreamEncoder(protocol.EncodeOptions{Model: "m"})
		for _, ev := range []protocol.Event{{Type: protocol.EventStart, ID: "resp_1"},
			{Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockThinking, ID: "rs_up"}},
			{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaEncrypted, Text: "gAAAA1"},
			{Type: protocol.EventBlockStop, Index: 0}, {Type: protocol.EventEnd}} {
			stream = enc.Encode(stream, ev)
		}
		if !strings.Contains(string(stream), `"item":{"id":"rs_up","type":"reasoning","summary":[],"encrypted_content":"gAAAA1"}`) {
			t.Errorf("stream %s", stream)
		}
	})
	t.Run("an upstream's reasoning item keeps its id in the neutral model, whole and streamed", func(t *testing.T) {
		t.Parallel()
		resp, err := Codec{}.DecodeResponse([]byte(`{"id":"resp_1","object":"response","status":"completed","output":[
			{"id":"rs_up","type":"reasoning","summary":[],"encrypted_content":"gAAAA1"}]}`))
		if err != nil || len(resp.Content) != 1 || resp.Content[0].ID != "rs_up" {
			t.Errorf("reply %+v, %v", resp, err)
		}
		d := Codec{}.NewStreamDecoder()
		var starts []protocol.Block
		for _, data := range []string{
			`{"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}}`,
			`{"type":"response.output_item.added","output_index":0,"item":{"id":"rs_up","type":"reasoning","summary":[]}}`,
			`{"type":"response.output_item.done","output_index":0,"item":{"id":"rs_up","type":"reasoning","summary":[],"encrypted_content":"gAAAA1"}}`,
		} {
			evs, err := d.Decode(protocol.SSEEvent{Data: []byte(data)})
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				if ev.Type == protocol.EventBlockStart {
					starts = append(starts, *ev.Block)
				}
			}
		}
		if len(starts) != 1 || starts[0].Type != protocol.BlockThinking || starts[0].ID != "rs_up" {
			t.Errorf("blocks opened %+v", starts)
		}
	})
}
