package anthropic

import (
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// The benchmarks use the Claude Code fixture: 24 tools with full schemas,
// a long system prompt, a mid-conversation system message.

func BenchmarkDecodeRequest(b *testing.B) {
	body := claudeCodeBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Codec{}).DecodeRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeRequest(b *testing.B) {
	req, err := Codec{}.DecodeRequest(claudeCodeBody(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Codec{}).EncodeRequest(req, protocol.EncodeOptions{Model: "claude-opus-4-8"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamEvent is the cost per event of decoding an upstream
// text delta and encoding it for a client.
func BenchmarkStreamEvent(b *testing.B) {
	d := Codec{}.NewStreamDecoder()
	e := Codec{}.NewStreamEncoder(protocol.EncodeOptions{Model: "claude-client", EstimatedInputTokens: 100})
	var buf []byte
	for _, raw := range []string{
		`{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":10,"output_tokens":1}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
	} {
		evs, _ := d.Decode(protocol.SSEEvent{Data: []byte(raw)})
		for _, ev := range evs {
			buf = e.Encode(buf, ev)
		}
	}
	delta := protocol.SSEEvent{Event: "content_block_delta", Data: []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello, \"world\" — a token or two"}}`)}
	b.ReportAllocs()
	for b.Loop() {
		evs, err := d.Decode(delta)
		if err != nil {
			b.Fatal(err)
		}
		buf = buf[:0]
		for _, ev := range evs {
			buf = e.Encode(buf, ev)
		}
	}
}

// BenchmarkStreamEncode is the encoder alone, per text delta.
func BenchmarkStreamEncode(b *testing.B) {
	e := Codec{}.NewStreamEncoder(protocol.EncodeOptions{Model: "claude-client"})
	buf := e.Encode(nil, protocol.Event{Type: protocol.EventStart, ID: "msg_1"})
	buf = e.Encode(buf, protocol.Event{Type: protocol.EventBlockStart, Block: &protocol.Block{Type: protocol.BlockText}})
	ev := protocol.Event{Type: protocol.EventDelta, Delta: protocol.DeltaText, Text: "Hello, \"world\" — a token or two"}
	b.ReportAllocs()
	for b.Loop() {
		buf = e.Encode(buf[:0], ev)
	}
}
