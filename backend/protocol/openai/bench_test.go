package openai

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/fixture"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/tidwall/gjson"
)

// claudeCodeRequest builds the neutral request of the captured Claude Code
// request (its system prompt, 24 tools and first turn), plus a few tool
// rounds so the history looks like a working session. It reads the
// Anthropic body with gjson rather than the anthropic codec, so this
// package's benchmarks do not depend on another codec.
func claudeCodeRequest(tb testing.TB) *protocol.Request {
	tb.Helper()
	raw := fixture.Read(tb, fixture.ClaudeCodeName)
	body := gjson.GetBytes(raw, "body")
	req := &protocol.Request{Model: body.Get("model").String(), MaxTokens: int(body.Get("max_tokens").Int()), Stream: true}
	for _, s := range body.Get("system").Array() {
		req.System = append(req.System, protocol.Block{Type: protocol.BlockText, Text: s.Get("text").String()})
	}
	for _, m := range body.Get("messages").Array() {
		if m.Get("role").String() == "system" {
			req.System = append(req.System, protocol.Block{Type: protocol.BlockText, Text: m.Get("content").String()})
			continue
		}
		msg := protocol.Message{Role: protocol.Role(m.Get("role").String())}
		for _, c := range m.Get("content").Array() {
			msg.Content = append(msg.Content, protocol.Block{Type: protocol.BlockText, Text: c.Get("text").String()})
		}
		req.Messages = append(req.Messages, msg)
	}
	for _, t := range body.Get("tools").Array() {
		req.Tools = append(req.Tools, protocol.Tool{
			Name: t.Get("name").String(), Description: t.Get("description").String(),
			Schema: json.RawMessage(t.Get("input_schema").Raw),
		})
	}
	for i := range 3 {
		id := "toolu_0" + string(rune('1'+i))
		req.Messages = append(req.Messages,
			protocol.Message{Role: protocol.RoleAssistant, Content: []protocol.Block{
				{Type: protocol.BlockText, Text: "Let me read the file."},
				{Type: protocol.BlockToolUse, ID: id, Name: "Read", Input: json.RawMessage(`{"file_path":"/src/main.go"}`)},
			}},
			protocol.Message{Role: protocol.RoleUser, Content: []protocol.Block{
				{Type: protocol.BlockToolResult, ToolUseID: id, Content: []protocol.Block{{Type: protocol.BlockText, Text: strings.Repeat("func main() { fmt.Println(\"hi\") }\n", 80)}}},
			}},
		)
	}
	return req
}

func BenchmarkEncodeRequest(b *testing.B) {
	req := claudeCodeRequest(b)
	opts := protocol.EncodeOptions{Model: "gpt-5"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Codec{}).EncodeRequest(req, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeRequest(b *testing.B) {
	body, err := Codec{}.EncodeRequest(claudeCodeRequest(b), protocol.EncodeOptions{Model: "gpt-5"})
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

// BenchmarkStreamEvent measures one text token through each half: an
// upstream chunk decoded, and a neutral delta encoded for the client.
func BenchmarkStreamEvent(b *testing.B) {
	b.Run("decode", func(b *testing.B) {
		d := Codec{}.NewStreamDecoder()
		chunk := protocol.SSEEvent{Data: []byte(`{"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":" token"},"finish_reason":null}]}`)}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := d.Decode(chunk); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		e := Codec{}.NewStreamEncoder(protocol.EncodeOptions{Model: "gpt-4o"})
		buf := e.Encode(nil, protocol.Event{Type: protocol.EventStart, ID: "msg_01"})
		ev := protocol.Event{Type: protocol.EventDelta, Delta: protocol.DeltaText, Text: " token"}
		b.ReportAllocs()
		for b.Loop() {
			buf = e.Encode(buf[:0], ev)
		}
	})
}
