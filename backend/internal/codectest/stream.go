package codectest

import (
	"testing"

	"github.com/routex-app/routex/backend/internal/golden"
	"github.com/routex-app/routex/backend/protocol"
)

// StreamGolden decodes every testdata/streams/*.sse (upstream streams) of
// codec c into neutral events, checks their grammar (WellFormed) and checks
// them against streams/NAME.events.jsonl; it then encodes them back into a
// client stream with opts, masks what changes between runs with stable (if
// not nil), checks that against streams/NAME.out.txt and hands it to
// checkWire (if not nil) for the format's own wire rules.
func StreamGolden(t *testing.T, c protocol.Codec, opts protocol.EncodeOptions, stable func([]byte) []byte, checkWire func(t *testing.T, wire []byte)) {
	t.Helper()
	EachFile(t, "testdata/streams/*.sse", func(t *testing.T, name string, in []byte) {
		evs := DecodeStream(t, c, string(in))
		WellFormed(t, evs)
		golden.Check(t, "streams/"+name+".events.jsonl", EventLines(t, evs))
		out := EncodeStream(c, opts, evs)
		if stable != nil {
			out = stable(out)
		}
		golden.Check(t, "streams/"+name+".out.txt", out)
		if checkWire != nil {
			checkWire(t, out)
		}
	})
}

// deltaBlock is the block type each delta type belongs to.
var deltaBlock = map[protocol.DeltaType]protocol.BlockType{
	protocol.DeltaText:      protocol.BlockText,
	protocol.DeltaThinking:  protocol.BlockThinking,
	protocol.DeltaSignature: protocol.BlockThinking,
	protocol.DeltaEncrypted: protocol.BlockThinking,
	protocol.DeltaJSON:      protocol.BlockToolUse,
}

// WellFormed asserts the neutral stream grammar (docs/CONVERSION.md, rule
// 15): at least one event, start first, blocks opened in index order and
// never interleaved, each delta matching its block, stop (with usage) then
// end, or a single error at the end.
func WellFormed(t testing.TB, evs []protocol.Event) {
	t.Helper()
	if len(evs) == 0 {
		t.Fatal("no events")
	}
	open, next := -1, 0
	var openType protocol.BlockType
	for i, ev := range evs {
		last := i == len(evs)-1
		switch ev.Type {
		case protocol.EventStart:
			if i != 0 {
				t.Errorf("event %d: message_start not first", i)
			}
		case protocol.EventBlockStart:
			if open >= 0 || ev.Index != next || ev.Block == nil {
				t.Errorf("event %d: block %d started while %d open (next %d)", i, ev.Index, open, next)
			}
			open, next, openType = ev.Index, next+1, ev.Block.Type
		case protocol.EventDelta:
			if ev.Index != open || deltaBlock[ev.Delta] != openType {
				t.Errorf("event %d: %s delta for block %d (%s), open %d", i, ev.Delta, ev.Index, openType, open)
			}
		case protocol.EventBlockStop:
			if ev.Index != open {
				t.Errorf("event %d: stop of block %d, open %d", i, ev.Index, open)
			}
			open = -1
		case protocol.EventStop:
			if open >= 0 || ev.Usage == nil || evs[len(evs)-1].Type != protocol.EventEnd {
				t.Errorf("event %d: message_delta with block %d open or no usage or no end after", i, open)
			}
		case protocol.EventEnd, protocol.EventError:
			if !last {
				t.Errorf("event %d: %s not last", i, ev.Type)
			}
		}
	}
}
