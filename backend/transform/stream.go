package transform

import "github.com/routex-app/routex/backend/protocol"

// StreamTransform changes one stream's events. Event takes the next
// upstream event and returns the events to send on, which may be none (an
// event held back) or several (held events released, a block split in
// two). The output keeps Anthropic-style ordering valid: blocks open one at
// a time with indexes 0, 1, 2, …, renumbered when a step inserts a block.
//
// The returned slice is reused by the next call: consume it before calling
// Event again. Events are held only within a block, so the proxy must pass
// every event through, including the closing events a stream decoder's
// Finish returns, to get everything released. Not safe for concurrent use.
type StreamTransform interface {
	Event(ev protocol.Event) []protocol.Event
}

// NewStream returns the state for one stream through the chain's stream
// steps, in reverse order. On an empty chain it passes events through; it
// then allocates once per stream and never per event.
func (c *Chain) NewStream() StreamTransform {
	s := &chainStream{}
	if c != nil && len(c.streams) > 0 {
		s.steps = make([]streamer, len(c.streams))
		for i, st := range c.streams {
			s.steps[i] = st.newStreamer()
		}
	}
	return s
}

// chainStream runs events through each step's streamer, ping-ponging
// between two buffers it keeps, so that a steady stream allocates nothing.
type chainStream struct {
	steps []streamer
	cur   []protocol.Event
	next  []protocol.Event
	one   [1]protocol.Event
}

func (s *chainStream) Event(ev protocol.Event) []protocol.Event {
	if len(s.steps) == 0 {
		s.one[0] = ev
		return s.one[:]
	}
	s.cur = append(s.cur[:0], ev)
	for _, st := range s.steps {
		s.next = s.next[:0]
		for _, e := range s.cur {
			s.next = st.push(e, s.next)
		}
		s.cur, s.next = s.next, s.cur
	}
	return s.cur
}

// isBlockEvent reports whether ev carries a block index.
func isBlockEvent(ev protocol.Event) bool {
	return ev.Type == protocol.EventBlockStart || ev.Type == protocol.EventDelta || ev.Type == protocol.EventBlockStop
}
