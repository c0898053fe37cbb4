package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

// benchStream is a streamed Anthropic reply of n text deltas in wire form,
// as an upstream sends it.
func benchStream(n int) []byte {
	var b bytes.Buffer
	b.WriteString("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-opus-4-8\",\"content\":[],\"usage\":{\"input_tokens\":12650,\"output_tokens\":1}}}\n\n")
	b.WriteString("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
	for i := range n {
		fmt.Fprintf(&b, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word %d of the answer \"}}\n\n", i)
	}
	b.WriteString("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
	b.WriteString("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":200}}\n\n")
	b.WriteString("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	return b.Bytes()
}

// BenchmarkSSEReader reads a 105-event stream; every converted stream goes
// through the reader once per upstream event. ns/op is per stream; the
// events/s metric is what one core can parse.
func BenchmarkSSEReader(b *testing.B) {
	raw := benchStream(100)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	events := 0
	for b.Loop() {
		r := NewSSEReader(bytes.NewReader(raw))
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			events++
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAppendSSE writes one text delta event into a reused buffer, as
// the converted path does for every event it sends the client.
func BenchmarkAppendSSE(b *testing.B) {
	data := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"word 7 of the answer "}}`)
	buf := make([]byte, 0, 512)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendSSE(buf[:0], "content_block_delta", data)
	}
}
