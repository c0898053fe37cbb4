package anthropic

import (
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// OpenAI's encrypted reasoning (from a Responses upstream) rides to an
// Anthropic client as the thinking block's signature, marked, and comes back
// as Encrypted: never as a signature an Anthropic upstream would refuse.
func TestEncryptedReasoningRidesAsAMarkedSignature(t *testing.T) {
	t.Parallel()
	t.Run("a stream gives it as a signature_delta", func(t *testing.T) {
		t.Parallel()
		enc := Codec{}.NewStreamEncoder(protocol.EncodeOptions{Model: "m"})
		var out []byte
		for _, ev := range []protocol.Event{
			{Type: protocol.EventStart, ID: "msg_1"},
			{Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockThinking}},
			{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaThinking, Text: "plan"},
			{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaEncrypted, Text: "gAAAA"},
			{Type: protocol.EventBlockStop, Index: 0},
		} {
			out = enc.Encode(out, ev)
		}
		if !strings.Contains(string(out), `"delta":{"type":"signature_delta","signature":"routex:encrypted:gAAAA"}`) {
			t.Errorf("stream:\n%s", out)
		}
	})
	t.Run("a reply gives it as the signature", func(t *testing.T) {
		t.Parallel()
		out, err := Codec{}.EncodeResponse(&protocol.Response{ID: "msg_1", Content: []protocol.Block{
			{Type: protocol.BlockThinking, Thinking: "plan", Encrypted: "gAAAA"}, {Type: protocol.BlockText, Text: "hi"}}}, protocol.EncodeOptions{Model: "m"})
		if err != nil || !strings.Contains(string(out), `"signature":"routex:encrypted:gAAAA"`) {
			t.Errorf("reply %s, %v", out, err)
		}
	})
	t.Run("handed back, it is Encrypted again and never sent to Anthropic", func(t *testing.T) {
		t.Parallel()
		req, err := Codec{}.DecodeRequest([]byte(`{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"q"},
			{"role":"assistant","content":[{"type":"thinking","thinking":"plan","signature":"routex:encrypted:gAAAA"},{"type":"text","text":"a"}]},
			{"role":"user","content":"more"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if b := req.Messages[1].Content[0]; b.Signature != "" || b.Encrypted != "gAAAA" {
			t.Fatalf("block %+v", b)
		}
		body, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: "claude-sonnet-4-5"})
		if err != nil || strings.Contains(string(body), "gAAAA") || strings.Contains(string(body), "routex:") {
			t.Errorf("upstream body %s, %v", body, err)
		}
	})
}

// The reasoning item's id rides with its encrypted content, since the
// content is bound to it: the next turn must hand both back to OpenAI.
func TestEncryptedReasoningCarriesItsItemID(t *testing.T) {
	t.Parallel()
	const want = "routex:reasoning:rs_68b1:gAAAA"
	t.Run("streamed, the id comes from the block's start", func(t *testing.T) {
		t.Parallel()
		enc := Codec{}.NewStreamEncoder(protocol.EncodeOptions{Model: "m"})
		var out []byte
		for _, ev := range []protocol.Event{
			{Type: protocol.EventStart, ID: "msg_1"},
			{Type: protocol.EventBlockStart, Index: 0, Block: &protocol.Block{Type: protocol.BlockThinking, ID: "rs_68b1"}},
			{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaThinking, Text: "plan"},
			{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaEncrypted, Text: "gAAAA"},
			{Type: protocol.EventBlockStop, Index: 0},
		} {
			out = enc.Encode(out, ev)
		}
		if !strings.Contains(string(out), `"delta":{"type":"signature_delta","signature":"`+want+`"}`) {
			t.Errorf("stream:\n%s", out)
		}
	})
	t.Run("in a reply", func(t *testing.T) {
		t.Parallel()
		out, err := Codec{}.EncodeResponse(&protocol.Response{ID: "msg_1", Content: []protocol.Block{
			{Type: protocol.BlockThinking, ID: "rs_68b1", Thinking: "plan", Encrypted: "gAAAA"}}}, protocol.EncodeOptions{Model: "m"})
		if err != nil || !strings.Contains(string(out), `"signature":"`+want+`"`) {
			t.Errorf("reply %s, %v", out, err)
		}
	})
	for _, c := range []struct{ name, signature, id, encrypted string }{
		{"handed back, it is the block's id and Encrypted again", want, "rs_68b1", "gAAAA"},
		{"a signature carried before ids were is still read", "routex:encrypted:gAAAA", "", "gAAAA"},
		{"a malformed carried signature goes nowhere as a signature", "routex:reasoning:rs_x", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req, err := Codec{}.DecodeRequest([]byte(`{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"q"},
				{"role":"assistant","content":[{"type":"thinking","thinking":"plan","signature":"` + c.signature + `"},{"type":"text","text":"a"}]},
				{"role":"user","content":"more"}]}`))
			if err != nil {
				t.Fatal(err)
			}
			if b := req.Messages[1].Content[0]; b.Signature != "" || b.ID != c.id || b.Encrypted != c.encrypted {
				t.Fatalf("block %+v", b)
			}
			body, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: "claude-sonnet-4-5"})
			if err != nil || strings.Contains(string(body), "routex:") || strings.Contains(string(body), "rs_") {
				t.Errorf("upstream body %s, %v", body, err)
			}
		})
	}
}
