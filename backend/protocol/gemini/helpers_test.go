package gemini

import (
	"encoding/json"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/internal/fixture"
	goldenfile "github.com/routex-app/routex/backend/internal/golden"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) { t.Helper(); goldenfile.Check(t, name, got) }

// pruner renders neutral values for this package's golden files, which
// leave out an Index of 0 and empty objects.
var pruner = codectest.Pruner{DropIndex0: true, DropEmptyObjects: true}

// decodeStream feeds SSE text through a fresh stream decoder and Finish.
func decodeStream(t *testing.T, sse string) []protocol.Event {
	t.Helper()
	return codectest.DecodeStream(t, Codec{}, sse)
}

// encodeStream writes events through a fresh stream encoder.
func encodeStream(evs []protocol.Event, model string) []byte {
	return codectest.EncodeStream(Codec{}, protocol.EncodeOptions{Model: model}, evs)
}

// claudeCodeRequest builds the neutral form of the captured Claude Code
// request. It is a small stand-in for the Anthropic decoder (written in
// another package at the same time), reading only what the fixture holds.
func claudeCodeRequest(t testing.TB) *protocol.Request {
	t.Helper()
	raw := fixture.Read(t, fixture.ClaudeCodeName)
	body := gjson.GetBytes(raw, "body")
	req := &protocol.Request{Model: body.Get("model").String(), MaxTokens: int(body.Get("max_tokens").Int())}
	for _, s := range body.Get("system").Array() {
		req.System = append(req.System, protocol.Block{Type: protocol.BlockText, Text: s.Get("text").String(),
			CacheControl: json.RawMessage(s.Get("cache_control").Raw)})
	}
	for _, m := range body.Get("messages").Array() {
		role := protocol.Role(m.Get("role").String())
		if role != protocol.RoleAssistant {
			role = protocol.RoleUser
		}
		msg := protocol.Message{Role: role}
		if c := m.Get("content"); c.Type == gjson.String {
			msg.Content = append(msg.Content, protocol.Block{Type: protocol.BlockText, Text: c.Str})
		} else {
			for _, b := range c.Array() {
				msg.Content = append(msg.Content, protocol.Block{Type: protocol.BlockType(b.Get("type").String()),
					Text: b.Get("text").String(), CacheControl: json.RawMessage(b.Get("cache_control").Raw)})
			}
		}
		req.Messages = append(req.Messages, msg)
	}
	for _, tl := range body.Get("tools").Array() {
		req.Tools = append(req.Tools, protocol.Tool{Name: tl.Get("name").String(), Type: tl.Get("type").String(),
			Description: tl.Get("description").String(), Schema: json.RawMessage(tl.Get("input_schema").Raw)})
	}
	req.Thinking = &protocol.Thinking{Enabled: true, Effort: body.Get("output_config.effort").String()}
	req.UserID = body.Get("metadata.user_id").String()
	req.Stream = true
	return req
}
