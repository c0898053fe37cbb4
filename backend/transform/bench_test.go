package transform

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// BenchmarkEmptyChain is what every request pays for a channel without
// transformers: it must allocate nothing.
func BenchmarkEmptyChain(b *testing.B) {
	var p *Pipeline
	req := &protocol.Request{MaxTokens: 100}
	resp := &protocol.Response{}
	body := []byte(`{"model":"m","stream":true}`)
	h := http.Header{"A": {"b"}}
	st := p.For("m").NewStream()
	ev := protocol.Event{Type: protocol.EventDelta, Delta: protocol.DeltaText, Text: "x"}
	b.ReportAllocs()
	for b.Loop() {
		c := p.For("m")
		if !c.Empty() {
			b.Fatal("not empty")
		}
		c.Request(req)
		_, _ = c.Body(protocol.OpenAI, body)
		c.Headers(h)
		c.Response(resp)
		_ = st.Event(ev)
	}
}

// BenchmarkChainRequest runs three request steps on a Claude Code-sized
// request.
func BenchmarkChainRequest(b *testing.B) {
	p, err := Parse(json.RawMessage(`[["maxtoken", {"max_tokens": 8192}], ["sampling", {"temperature": 0.6}], "cleancache"]`))
	if err != nil {
		b.Fatal(err)
	}
	cache := json.RawMessage(`{"type":"ephemeral"}`)
	req := &protocol.Request{
		MaxTokens: 32000,
		System:    []protocol.Block{{Type: protocol.BlockText, Text: "system", CacheControl: cache}},
		Tools:     make([]protocol.Tool, 20),
	}
	for i := 0; i < 40; i++ {
		req.Messages = append(req.Messages, protocol.Message{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockText, Text: "hi", CacheControl: cache}}})
	}
	b.ReportAllocs()
	for b.Loop() {
		p.For("deepseek-chat").Request(req)
	}
}

// BenchmarkReasoningStream splits a <think> reply of 200 small deltas.
func BenchmarkReasoningStream(b *testing.B) {
	c := mustChain(b, `["reasoning", "toolrepair"]`, "m")
	deltas := []string{"<th", "ink>"}
	for i := 0; i < 100; i++ {
		deltas = append(deltas, "thinking ")
	}
	deltas = append(deltas, "</think>")
	for i := 0; i < 100; i++ {
		deltas = append(deltas, "answer ")
	}
	in := textStream(deltas...)
	b.ReportAllocs()
	for b.Loop() {
		st := c.NewStream()
		for _, ev := range in {
			_ = st.Event(ev)
		}
	}
}
