package transform

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/anthropic"
)

// mustChain parses config and returns its chain for model.
func mustChain(t testing.TB, config, model string) *Chain {
	t.Helper()
	p, err := Parse(json.RawMessage(config))
	if err != nil {
		t.Fatalf("Parse(%s): %v", config, err)
	}
	return p.For(model)
}

func ptr[T any](v T) *T { return &v }

// textStream is an upstream stream of one text block made of deltas,
// followed by a tool_use block, so that renumbering shows.
func textStream(deltas ...string) []protocol.Event {
	evs := []protocol.Event{
		{Type: protocol.EventStart, ID: "msg_1", Model: "m"},
		blockStart(0, protocol.BlockText),
	}
	for _, d := range deltas {
		evs = append(evs, protocol.Event{Type: protocol.EventDelta, Index: 0, Delta: protocol.DeltaText, Text: d})
	}
	return append(evs,
		blockStop(0),
		protocol.Event{Type: protocol.EventBlockStart, Index: 1, Block: &protocol.Block{Type: protocol.BlockToolUse, ID: "toolu_1", Name: "Read"}},
		protocol.Event{Type: protocol.EventDelta, Index: 1, Delta: protocol.DeltaJSON, Text: `{"path":"a"}`},
		blockStop(1),
		protocol.Event{Type: protocol.EventStop, StopReason: protocol.StopToolUse},
		protocol.Event{Type: protocol.EventEnd},
	)
}

// run passes events through a new stream of c, checks that the output is a
// valid Anthropic-style sequence, and returns it.
func run(t *testing.T, c *Chain, in []protocol.Event) []protocol.Event {
	t.Helper()
	st := c.NewStream()
	var out []protocol.Event
	for _, ev := range in {
		out = append(out, st.Event(ev)...)
	}
	if err := anthropic.ValidateStream(out); err != nil {
		t.Fatalf("invalid stream: %v\n%s", err, summary(out))
	}
	return out
}

// summary writes a stream's blocks as "type:content" in index order, the
// content being the block's deltas joined, e.g. "thinking:abc|text:answer".
func summary(evs []protocol.Event) string {
	var blocks []string
	var texts []strings.Builder
	for _, ev := range evs {
		switch ev.Type {
		case protocol.EventBlockStart:
			for len(blocks) <= ev.Index {
				blocks = append(blocks, "?")
				texts = append(texts, strings.Builder{})
			}
			blocks[ev.Index] = string(ev.Block.Type)
			if ev.Block.Type == protocol.BlockToolUse {
				blocks[ev.Index] += "(" + ev.Block.Name + ")"
			}
		case protocol.EventDelta:
			if ev.Index < len(texts) {
				texts[ev.Index].WriteString(ev.Text)
			}
		}
	}
	parts := make([]string, len(blocks))
	for i := range blocks {
		parts[i] = blocks[i] + ":" + texts[i].String()
	}
	return strings.Join(parts, "|")
}
