package gemini

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/fixture"
	goldenfile "github.com/routex-app/routex/backend/internal/golden"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) { t.Helper(); goldenfile.Check(t, name, got) }

// pretty indents JSON for golden files, so diffs are reviewable.
func pretty(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// neutralJSON shows a neutral value without its zero fields, so golden
// files hold what matters.
func neutralJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(prune(x), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			x = prune(x)
			if x == nil || x == "" || x == false || x == float64(0) {
				delete(v, k)
				continue
			}
			if m, ok := x.(map[string]any); ok && len(m) == 0 {
				delete(v, k)
				continue
			}
			if a, ok := x.([]any); ok && len(a) == 0 {
				delete(v, k)
				continue
			}
			v[k] = x
		}
		return v
	case []any:
		for i := range v {
			v[i] = prune(v[i])
		}
		return v
	}
	return v
}

// eventLines writes events as JSON lines, one compact event a line.
func eventLines(t *testing.T, evs []protocol.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, ev := range evs {
		b, err := json.Marshal(prune(mustAny(t, ev)))
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func mustAny(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	return x
}

// decodeStream feeds SSE text through a fresh stream decoder and Finish.
func decodeStream(t *testing.T, sse string) []protocol.Event {
	t.Helper()
	d := Codec{}.NewStreamDecoder()
	r := protocol.NewSSEReader(strings.NewReader(sse))
	var out []protocol.Event
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		evs, err := d.Decode(ev)
		if err != nil {
			t.Fatalf("Decode(%s): %v", ev.Data, err)
		}
		out = append(out, evs...)
	}
	return append(out, d.Finish()...)
}

// encodeStream writes events through a fresh stream encoder.
func encodeStream(evs []protocol.Event, model string) []byte {
	e := Codec{}.NewStreamEncoder(protocol.EncodeOptions{Model: model})
	var out []byte
	for _, ev := range evs {
		out = e.Encode(out, ev)
	}
	return out
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
