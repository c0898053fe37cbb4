package gemini

import (
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// BenchmarkEncodeRequest encodes the captured Claude Code request (24
// tools, a 30 KB body) for a Gemini upstream.
func BenchmarkEncodeRequest(b *testing.B) {
	req := claudeCodeRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Codec{}).EncodeRequest(req, protocol.EncodeOptions{Model: "gemini-2.5-pro"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRequest decodes the same request in Gemini form, as a
// Gemini client would send it.
func BenchmarkDecodeRequest(b *testing.B) {
	body, err := Codec{}.EncodeRequest(claudeCodeRequest(b), protocol.EncodeOptions{Model: "gemini-2.5-pro"})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Codec{}).DecodeRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamEvent measures one typical text chunk through the decoder
// and one text delta through the encoder.
func BenchmarkStreamEvent(b *testing.B) {
	b.Run("decode", func(b *testing.B) {
		ev := protocol.SSEEvent{Data: []byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":"Here is the next piece of the answer, "}]},"index":0}],"usageMetadata":{"promptTokenCount":12000,"candidatesTokenCount":40,"totalTokenCount":12040},"modelVersion":"gemini-2.5-pro","responseId":"abc"}`)}
		d := Codec{}.NewStreamDecoder()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := d.Decode(ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		e := Codec{}.NewStreamEncoder(protocol.EncodeOptions{Model: "gemini-2.5-pro"})
		e.Encode(nil, protocol.Event{Type: protocol.EventStart, ID: "msg_01"})
		ev := protocol.Event{Type: protocol.EventDelta, Delta: protocol.DeltaText, Text: "Here is the next piece of the answer, "}
		buf := make([]byte, 0, 512)
		b.ReportAllocs()
		for b.Loop() {
			buf = e.Encode(buf[:0], ev)
		}
	})
}
