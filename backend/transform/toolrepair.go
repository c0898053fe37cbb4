package transform

import (
	"bytes"
	"encoding/json"

	"github.com/routex-app/routex/backend/protocol"
)

// toolRepair repairs tool-call arguments that are not a JSON object
// (trailing commas, single quotes, Python literals, JSON cut off by
// max_tokens), which clients otherwise reject along with the whole reply.
//
// In a stream it holds a tool block's input_json deltas and sends them as
// one delta, repaired if need be, just before the block's stop. The
// trade-off: the client sees a call's arguments arrive at once instead of
// piece by piece. Clients act on a call only at its block stop, so no work
// is delayed; only the live display of the arguments is. Passing deltas
// through and correcting at the end is not possible: what was sent cannot
// be taken back, and a repair may change any part of it.
type toolRepair struct{}

func (toolRepair) name() string { return "toolrepair" }

func (toolRepair) response(resp *protocol.Response) {
	for i := range resp.Content {
		b := &resp.Content[i]
		if b.Type == protocol.BlockToolUse && !validObject(b.Input) {
			b.Input, _ = protocol.RepairJSON(string(b.Input))
		}
	}
}

func (toolRepair) newStreamer() streamer { return &repairStream{} }

// repairStream holds one tool block's arguments at a time; neutral blocks
// do not interleave.
type repairStream struct {
	holding bool
	index   int
	held    []byte
}

func (s *repairStream) push(ev protocol.Event, out []protocol.Event) []protocol.Event {
	switch ev.Type {
	case protocol.EventBlockStart:
		if ev.Block != nil && ev.Block.Type == protocol.BlockToolUse {
			s.holding, s.index, s.held = true, ev.Index, s.held[:0]
			if len(ev.Block.Input) > 0 && !validObject(ev.Block.Input) {
				// Arguments given whole on the start (as Gemini does).
				b := *ev.Block
				b.Input, _ = protocol.RepairJSON(string(b.Input))
				ev.Block = &b
			}
		}
	case protocol.EventDelta:
		if s.holding && ev.Index == s.index && ev.Delta == protocol.DeltaJSON {
			s.held = append(s.held, ev.Text...)
			return out
		}
	case protocol.EventBlockStop:
		if s.holding && ev.Index == s.index {
			s.holding = false
			if len(s.held) > 0 {
				out = append(out, protocol.Event{Type: protocol.EventDelta, Index: s.index, Delta: protocol.DeltaJSON, Text: repairedArgs(s.held)})
			}
		}
	case protocol.EventError, protocol.EventStop, protocol.EventEnd:
		if s.holding { // the block was cut off: send what came, repaired
			s.holding = false
			if len(s.held) > 0 {
				out = append(out, protocol.Event{Type: protocol.EventDelta, Index: s.index, Delta: protocol.DeltaJSON, Text: repairedArgs(s.held)})
			}
		}
	}
	return append(out, ev)
}

// repairedArgs returns the arguments unchanged when they are already a
// JSON object, and repaired otherwise ({} when nothing can be saved).
func repairedArgs(b []byte) string {
	if validObject(b) {
		return string(b)
	}
	r, _ := protocol.RepairJSON(string(b))
	return string(r)
}

// validObject reports whether b is a well-formed JSON object.
func validObject(b []byte) bool {
	t := bytes.TrimSpace(b)
	return len(t) > 0 && t[0] == '{' && json.Valid(t)
}
