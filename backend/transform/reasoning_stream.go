package transform

import (
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// thinkState is where a thinkStream is in the first text block.
type thinkState int

const (
	thinkWaiting   thinkState = iota // no text block yet
	thinkDetecting                   // text block open; its text so far may still start a tag
	thinkInside                      // inside the tag: text becomes thinking
	thinkAfter                       // tag closed; skipping white space before the answer
	thinkDone                        // decided: pass through, renumbering later blocks
)

// maxLead bounds the white space held before deciding that the text does
// not start with a tag.
const maxLead = 64

// thinkStream moves a leading <think>…</think> of the stream's first text
// block into a thinking block, as the text arrives. It holds back at most
// the start of the text until it is known whether a tag opens it (white
// space and "<thi…"), and inside the tag only the bytes that may begin the
// closing tag. The text block at index k becomes a thinking block at k and,
// if an answer follows, a text block at k+1; every later block moves up by
// one.
type thinkStream struct {
	state     thinkState
	index     int            // upstream index of the first text block
	shift     int            // added to the index of every later block event
	start     protocol.Event // the text block's start, held
	held      string         // text held back
	close     string         // the closing tag awaited
	reasoning bool           // inside: non-space reasoning has been sent
}

func (s *thinkStream) push(ev protocol.Event, out []protocol.Event) []protocol.Event {
	switch s.state {
	case thinkWaiting:
		if ev.Type == protocol.EventBlockStart && ev.Block != nil && ev.Block.Type == protocol.BlockText {
			s.state, s.index, s.start = thinkDetecting, ev.Index, ev
			return out // held until the first text shows what the block is
		}
		return append(out, ev)
	case thinkDone:
		if isBlockEvent(ev) && ev.Index >= s.index {
			ev.Index += s.shift
		}
		return append(out, ev)
	}
	if !isBlockEvent(ev) || ev.Index != s.index {
		if ev.Type == protocol.EventPing {
			return append(out, ev)
		}
		// Another event while the block is undecided: only a broken or
		// failing stream does this. Release what is held, as it is.
		out = s.release(out)
		s.state = thinkDone
		return s.push(ev, out)
	}
	switch ev.Type {
	case protocol.EventDelta:
		if ev.Delta != protocol.DeltaText {
			out = s.release(out)
			s.state = thinkDone
			return append(out, ev)
		}
		return s.text(ev.Text, out)
	case protocol.EventBlockStop:
		out = s.release(out)
		if s.state != thinkAfter { // after: the thinking block is closed and no text block opened
			out = append(out, blockStop(s.index))
		}
		s.state = thinkDone
		return out
	}
	return append(out, ev) // a second start for the index: pass on
}

// text handles a text delta of the first text block.
func (s *thinkStream) text(t string, out []protocol.Event) []protocol.Event {
	switch s.state {
	case thinkDetecting:
		s.held += t
		rest := strings.TrimLeft(s.held, spaces)
		tag, partial := matchOpen(rest)
		if partial && len(s.held) <= maxLead+len(thinkTags[len(thinkTags)-1].open) {
			return out
		}
		if tag < 0 {
			out = s.release(out)
			s.state = thinkDone
			return out
		}
		out = append(out, blockStart(s.index, protocol.BlockThinking))
		s.state, s.close, s.held = thinkInside, thinkTags[tag].close, ""
		return s.inside(rest[len(thinkTags[tag].open):], out)
	case thinkInside:
		return s.inside(t, out)
	default: // thinkAfter
		return s.after(t, out)
	}
}

// inside sends reasoning as thinking deltas, holding back a possible start
// of the closing tag.
func (s *thinkStream) inside(t string, out []protocol.Event) []protocol.Event {
	buf := s.held + t
	if !s.reasoning {
		buf = strings.TrimLeft(buf, spaces)
	}
	if i := strings.Index(buf, s.close); i >= 0 {
		out = s.thinking(buf[:i], out)
		out = append(out, blockStop(s.index))
		s.state, s.held = thinkAfter, ""
		return s.after(buf[i+len(s.close):], out)
	}
	keep := partialSuffix(buf, s.close)
	out = s.thinking(buf[:len(buf)-keep], out)
	s.held = buf[len(buf)-keep:]
	return out
}

func (s *thinkStream) thinking(t string, out []protocol.Event) []protocol.Event {
	if t == "" {
		return out
	}
	s.reasoning = true
	return append(out, protocol.Event{Type: protocol.EventDelta, Index: s.index, Delta: protocol.DeltaThinking, Text: t})
}

// after drops the white space between the closing tag and the answer, then
// opens the answer's text block one index up.
func (s *thinkStream) after(t string, out []protocol.Event) []protocol.Event {
	t = strings.TrimLeft(t, spaces)
	if t == "" {
		return out
	}
	s.shift = 1
	s.state = thinkDone
	out = append(out, blockStart(s.index+1, protocol.BlockText))
	return append(out, protocol.Event{Type: protocol.EventDelta, Index: s.index + 1, Delta: protocol.DeltaText, Text: t})
}

// release sends what is held, as it is, without closing the block.
func (s *thinkStream) release(out []protocol.Event) []protocol.Event {
	switch s.state {
	case thinkDetecting:
		out = append(out, s.start)
		if s.held != "" {
			out = append(out, protocol.Event{Type: protocol.EventDelta, Index: s.index, Delta: protocol.DeltaText, Text: s.held})
		}
	case thinkInside:
		out = s.thinking(s.held, out)
	}
	s.held = ""
	return out
}

func blockStart(index int, t protocol.BlockType) protocol.Event {
	return protocol.Event{Type: protocol.EventBlockStart, Index: index, Block: &protocol.Block{Type: t}}
}

func blockStop(index int) protocol.Event {
	return protocol.Event{Type: protocol.EventBlockStop, Index: index}
}
