package responses

import (
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// Ids that must survive a round trip through a client: a reasoning item's
// id, which its encrypted content is bound to, and a call_id that carries a
// Gemini thought signature.

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

func TestCallIDCarriesGeminiSignature(t *testing.T) {
	t.Parallel()
	const sig = "CiQBcsjafE+/9Xk2hw1k+Q/+"
	t.Run("a Gemini call's signature rides in its call_id, whole and streamed", func(t *testing.T) {
		t.Parallel()
		call := protocol.Block{Type: protocol.BlockToolUse, ID: "call_g1", Name: "shell", Input: []byte(`{}`), Signature: sig}
		want := `"call_id":"` + protocol.JoinToolID("call_g1", sig) + `"`
		out, err := Codec{}.EncodeResponse(&protocol.Response{ID: "r", Content: []protocol.Block{call}}, protocol.EncodeOptions{Model: "m"})
		if err != nil || !strings.Contains(string(out), want) {
			t.Errorf("reply %s, %v; want %s", out, err, want)
		}
		var stream []byte
		enc := Codec{}.NewStreamEncoder(protocol.EncodeOptions{Model: "m", FreeformTools: []string{"patch"}})
		patch := call
		patch.Name, patch.Input = "patch", []byte(`{"input":"x"}`)
		for _, ev := range []protocol.Event{{Type: protocol.EventStart, ID: "r"},
			{Type: protocol.EventBlockStart, Index: 0, Block: &call}, {Type: protocol.EventBlockStop, Index: 0},
			{Type: protocol.EventBlockStart, Index: 1, Block: &patch}, {Type: protocol.EventBlockStop, Index: 1},
			{Type: protocol.EventEnd}} {
			stream = enc.Encode(stream, ev)
		}
		if n := strings.Count(string(stream), want); n < 5 { // added and done of both calls, the final response
			t.Errorf("the signed call_id appears %d times in %s", n, stream)
		}
	})
	t.Run("handed back, the call_id splits into the call's id and its signature; the output pairs", func(t *testing.T) {
		t.Parallel()
		id := protocol.JoinToolID("call_g1", sig)
		raw := protocol.JoinToolID("lsc_1", "not base64")
		req := decode(t, `{"model":"m","input":[{"role":"user","content":"go"},
			{"type":"function_call","call_id":"`+id+`","name":"shell","arguments":"{}"},
			{"type":"custom_tool_call","call_id":"`+id+`x","name":"patch","input":"p"},
			{"type":"local_shell_call","call_id":"`+raw+`","status":"completed","action":{"type":"exec","command":["ls"]}},
			{"type":"function_call_output","call_id":"`+id+`","output":"ok"},
			{"type":"custom_tool_call_output","call_id":"`+id+`x","output":"done"},
			{"type":"local_shell_call_output","call_id":"`+raw+`","output":"a"}]}`)
		a, u := req.Messages[1].Content, req.Messages[2].Content
		if a[0].ID != "call_g1" || a[0].Signature != sig || u[0].ToolUseID != "call_g1" {
			t.Errorf("function call %+v answered by %+v", a[0], u[0])
		}
		if a[1].ID != id+"x" || a[1].Signature != "" || u[1].ToolUseID != id+"x" {
			t.Errorf("a call_id whose signature does not decode stays whole: %+v, %+v", a[1], u[1])
		}
		if a[2].ID != "lsc_1" || a[2].Signature != "not base64" || u[2].ToolUseID != "lsc_1" {
			t.Errorf("local shell call %+v answered by %+v", a[2], u[2])
		}
		input := encode(t, req, "gpt-5-codex")["input"].([]any)
		for _, it := range input[1:] {
			if c, _ := it.(map[string]any)["call_id"].(string); strings.Contains(c, "__sig") && c != id+"x" {
				t.Errorf("a signature reached the Responses upstream: %v", it)
			}
		}
	})
	t.Run("call ids over OpenAI's 64 characters go upstream as one stand-in on the call and its output", func(t *testing.T) {
		t.Parallel()
		long := strings.Repeat("toolu_", 12)
		req := decode(t, `{"model":"m","input":[{"role":"user","content":"go"},
			{"type":"function_call","call_id":"`+long+`","name":"shell","arguments":"{}"},
			{"type":"function_call_output","call_id":"`+long+`","output":"ok"}]}`)
		input := encode(t, req, "gpt-5-codex")["input"].([]any)
		call, out := input[1].(map[string]any)["call_id"].(string), input[2].(map[string]any)["call_id"].(string)
		if len(call) > 64 || call != out {
			t.Errorf("call_id %q, output's %q", call, out)
		}
	})
}
