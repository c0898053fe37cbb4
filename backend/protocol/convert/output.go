package convert

import (
	"encoding/json"

	"github.com/routex-app/routex/backend/protocol"
)

// A target without structured output was given the output tool (see
// protocol.OutputTool); its call is the answer. These turn it back into
// text before the client's encoder sees it, so the client gets the JSON it
// asked for in a turn that ended on its own.

// unwrapOutput rewrites a whole reply: the output call becomes the answer's
// text, and any text the model wrote around it goes, since the answer must
// parse. A reply without the call is left as it is (a model that answered
// in text, or only called the client's own tools).
func unwrapOutput(req *protocol.Request, resp *protocol.Response) {
	found := -1
	for i, b := range resp.Content {
		if b.Type == protocol.BlockToolUse && protocol.IsOutputCall(req, b.Name) {
			found = i
			break
		}
	}
	if found < 0 {
		return
	}
	out := resp.Content[:0]
	otherCalls := false
	for i, b := range resp.Content {
		switch {
		case i == found:
			out = append(out, protocol.Block{Type: protocol.BlockText, Text: protocol.OutputText(req.Output, b.Input)})
		case b.Type == protocol.BlockText:
		case b.Type == protocol.BlockToolUse && protocol.IsOutputCall(req, b.Name):
		default:
			otherCalls = otherCalls || b.Type == protocol.BlockToolUse
			out = append(out, b)
		}
	}
	resp.Content = out
	if !otherCalls && resp.StopReason == protocol.StopToolUse {
		resp.StopReason = protocol.StopEndTurn
	}
}

// outputStream does the same to a stream, event by event: the output
// call's block opens as a text block and its argument deltas go on as text
// deltas, so the answer streams as the model writes it. An answer wrapped
// in a "value" property (a schema that is not an object) is held until
// its block ends, then sent as one text delta. Not safe for concurrent use.
type outputStream struct {
	req        *protocol.Request
	wrapped    bool
	open       int // neutral index of the output call's block, -1 when none is open
	held       []byte
	answered   bool
	otherCalls bool
}

func newOutputStream(req *protocol.Request) *outputStream {
	if req == nil || req.Output == nil {
		return nil
	}
	_, wrapped := protocol.OutputTool(req.Output)
	return &outputStream{req: req, wrapped: wrapped, open: -1}
}

// event rewrites one neutral event into the events to send in its place.
func (o *outputStream) event(ev protocol.Event, out []protocol.Event) []protocol.Event {
	switch ev.Type {
	case protocol.EventBlockStart:
		if ev.Block == nil || ev.Block.Type != protocol.BlockToolUse {
			break
		}
		if !protocol.IsOutputCall(o.req, ev.Block.Name) || o.answered {
			o.otherCalls = o.otherCalls || !protocol.IsOutputCall(o.req, ev.Block.Name)
			break
		}
		o.open, o.answered, o.held = ev.Index, true, o.held[:0]
		if o.wrapped {
			return out
		}
		return append(out, protocol.Event{Type: protocol.EventBlockStart, Index: ev.Index, Block: &protocol.Block{Type: protocol.BlockText}})
	case protocol.EventDelta:
		if ev.Index != o.open || ev.Delta != protocol.DeltaJSON {
			break
		}
		if o.wrapped {
			o.held = append(o.held, ev.Text...)
			return out
		}
		return append(out, protocol.Event{Type: protocol.EventDelta, Index: ev.Index, Delta: protocol.DeltaText, Text: ev.Text})
	case protocol.EventBlockStop:
		if ev.Index != o.open {
			break
		}
		o.open = -1
		if o.wrapped {
			out = append(out,
				protocol.Event{Type: protocol.EventBlockStart, Index: ev.Index, Block: &protocol.Block{Type: protocol.BlockText}},
				protocol.Event{Type: protocol.EventDelta, Index: ev.Index, Delta: protocol.DeltaText, Text: protocol.OutputText(o.req.Output, json.RawMessage(o.held))})
		}
	case protocol.EventStop:
		if o.answered && !o.otherCalls && ev.StopReason == protocol.StopToolUse {
			ev.StopReason = protocol.StopEndTurn
		}
	}
	return append(out, ev)
}
