package anthropic

import (
	"fmt"

	"github.com/routex-app/routex/backend/protocol"
)

// ValidateStream checks that a sequence of neutral events is one a client
// of any format can be given (docs/CONVERSION.md, rule 15): EventStart first; blocks opened
// with indexes 0, 1, 2… in order; each delta's type matching its open
// block; nothing for a block after its stop; every block stopped before
// one EventStop, then EventEnd last. An EventError may end the stream at
// any point instead. Pings may come anywhere before the end. It is
// exported for the tests of the other codec packages.
func ValidateStream(events []protocol.Event) error {
	var (
		started, stopped bool
		blocks           []protocol.BlockType
		open             []bool
	)
	for n, ev := range events {
		last := n == len(events)-1
		at := func(format string, a ...any) error {
			return fmt.Errorf("event %d (%s): %s", n, ev.Type, fmt.Sprintf(format, a...))
		}
		switch ev.Type {
		case protocol.EventError:
			if !last {
				return at("an error must end the stream")
			}
			return nil
		case protocol.EventPing:
			continue
		case protocol.EventStart:
			if started || n != 0 {
				return at("message start must come first, and once")
			}
			started = true
			continue
		}
		if !started {
			return at("comes before the message start")
		}
		switch ev.Type {
		case protocol.EventBlockStart:
			if stopped {
				return at("block opened after the stop")
			}
			if ev.Index != len(blocks) {
				return at("block index %d opened, want %d", ev.Index, len(blocks))
			}
			if ev.Block == nil {
				return at("block start without a block")
			}
			blocks = append(blocks, ev.Block.Type)
			open = append(open, true)
		case protocol.EventDelta:
			if ev.Index < 0 || ev.Index >= len(blocks) {
				return at("delta for index %d, which was never opened", ev.Index)
			}
			if !open[ev.Index] {
				return at("delta for index %d after its stop", ev.Index)
			}
			if !deltaFits(blocks[ev.Index], ev.Delta) {
				return at("%s in a %s block (index %d)", ev.Delta, blocks[ev.Index], ev.Index)
			}
		case protocol.EventBlockStop:
			if ev.Index < 0 || ev.Index >= len(blocks) || !open[ev.Index] {
				return at("stop for index %d, which is not open", ev.Index)
			}
			open[ev.Index] = false
		case protocol.EventStop:
			if stopped {
				return at("a second stop")
			}
			for i, o := range open {
				if o {
					return at("block %d still open at the stop", i)
				}
			}
			stopped = true
		case protocol.EventEnd:
			if !stopped {
				return at("end without a stop before it")
			}
			if !last {
				return at("events after the end")
			}
			return nil
		default:
			return at("unknown event type")
		}
	}
	return fmt.Errorf("stream has no end: want EventEnd or EventError last")
}
