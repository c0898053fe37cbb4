package convert

import (
	"fmt"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/tokens"
)

// Stream converts one upstream SSE stream into one client stream, event by
// event: nothing is buffered beyond what a format needs to stay well formed.
// It tracks usage, filling in an estimate when the upstream reports none.
// Not safe for concurrent use.
type Stream struct {
	from protocol.Format
	// dropSignatures is set when the upstream's reasoning signatures mean
	// nothing to the client's format (dropThinkingSignatures).
	dropSignatures bool
	dec            protocol.StreamDecoder
	enc            protocol.StreamEncoder
	req            *protocol.Request

	filter EventFilter
	// answer turns the output tool's call back into the answer's text.
	answer *outputStream

	output   strings.Builder // text the model produced, counted only when usage is missing
	usage    protocol.Usage
	ended    bool
	errKind  protocol.ErrorKind
	errMsg   string
	finished bool
}

// NewStream converts from the upstream format to the client's. req is the
// client's request; opts are the client encoder's options.
func NewStream(from, to protocol.Format, req *protocol.Request, opts protocol.EncodeOptions) (*Stream, error) {
	dec, enc := For(from), For(to)
	if dec == nil || enc == nil {
		return nil, fmt.Errorf("convert: unknown format %q or %q", from, to)
	}
	opts = withFreeform(opts, req)
	return &Stream{from: from, dropSignatures: dropThinkingSignatures(from, to), answer: newOutputStream(req),
		dec: dec.NewStreamDecoder(), enc: enc.NewStreamEncoder(opts), req: req}, nil
}

// EventFilter rewrites neutral events between the upstream's decoder and
// the client's encoder; it may hold events back and release them later.
type EventFilter interface {
	Event(ev protocol.Event) []protocol.Event
}

// Filter puts f between decoder and encoder (a channel's transformers).
func (s *Stream) Filter(f EventFilter) { s.filter = f }

// Event converts one upstream SSE event and appends the client's bytes to
// dst (none, one or several events).
func (s *Stream) Event(dst []byte, ev protocol.SSEEvent) ([]byte, error) {
	if s.finished {
		return dst, nil
	}
	events, err := s.dec.Decode(ev)
	if err != nil {
		return dst, fmt.Errorf("convert: upstream stream event: %w", err)
	}
	return s.encode(dst, events), nil
}

// Finish ends the stream after the upstream's last event (or its failure)
// and appends whatever the client still needs: closing events, or an error
// event when the upstream stopped early.
func (s *Stream) Finish(dst []byte) []byte {
	if s.finished {
		return dst
	}
	dst = s.encode(dst, s.dec.Finish())
	s.finished = true
	return dst
}

// Fail ends the stream with an error event in the client's format, for a
// failure Routex saw itself (an idle upstream, a broken connection), and
// marks the stream finished.
func (s *Stream) Fail(dst []byte, kind protocol.ErrorKind, msg string) []byte {
	if s.finished || s.ended {
		s.finished = true
		return dst
	}
	dst = s.encode(dst, []protocol.Event{{Type: protocol.EventError, ErrorKind: kind, ErrorMessage: msg}})
	s.finished = true
	return dst
}

// Usage is the usage reported so far, completed with estimates at the end.
func (s *Stream) Usage() protocol.Usage { return s.usage }

// Err is the error the stream ended with, if any.
func (s *Stream) Err() (protocol.ErrorKind, string) { return s.errKind, s.errMsg }

func (s *Stream) encode(dst []byte, events []protocol.Event) []byte {
	if s.answer != nil {
		var unwrapped []protocol.Event
		for _, ev := range events {
			unwrapped = s.answer.event(ev, unwrapped)
		}
		events = unwrapped
	}
	if s.filter != nil {
		var filtered []protocol.Event
		for _, ev := range events {
			filtered = append(filtered, s.filter.Event(ev)...)
		}
		events = filtered
	}
	for i := range events {
		ev := &events[i]
		if s.dropSignatures {
			if ev.Type == protocol.EventDelta && ev.Delta == protocol.DeltaSignature {
				continue
			}
			if ev.Type == protocol.EventBlockStart && ev.Block != nil && ev.Block.Type != protocol.BlockToolUse && ev.Block.Signature != "" {
				b := *ev.Block
				b.Signature = ""
				ev.Block = &b
			}
		}
		switch ev.Type {
		case protocol.EventStart:
			if ev.Usage != nil {
				s.merge(*ev.Usage)
			}
		case protocol.EventDelta:
			if ev.Delta == protocol.DeltaText || ev.Delta == protocol.DeltaThinking || ev.Delta == protocol.DeltaJSON {
				s.output.WriteString(ev.Text)
			}
		case protocol.EventStop:
			// Every decoder's stop carries the stream's whole count (the
			// format's ReadUsage, merged or last): it replaces the start's,
			// whose input may still include a cache reported only later.
			if ev.Usage != nil && *ev.Usage != (protocol.Usage{}) {
				s.usage = *ev.Usage
			}
			s.usage = complete(s.usage, s.req, func() int { return tokens.Count(s.output.String()) })
			u := s.usage
			ev.Usage = &u
		case protocol.EventEnd:
			s.ended = true
		case protocol.EventError:
			s.errKind, s.errMsg = ev.ErrorKind, ev.ErrorMessage
		}
		dst = s.enc.Encode(dst, *ev)
	}
	return dst
}

// merge keeps the largest count seen for each field of the start event's
// usage, until the stop event's whole count replaces it.
func (s *Stream) merge(u protocol.Usage) {
	s.usage.InputTokens = max(s.usage.InputTokens, u.InputTokens)
	s.usage.OutputTokens = max(s.usage.OutputTokens, u.OutputTokens)
	s.usage.CacheReadTokens = max(s.usage.CacheReadTokens, u.CacheReadTokens)
	s.usage.CacheWriteTokens = max(s.usage.CacheWriteTokens, u.CacheWriteTokens)
	s.usage.ReasoningTokens = max(s.usage.ReasoningTokens, u.ReasoningTokens)
}

// Replay converts a whole, non-streamed upstream reply into the client's
// stream, for upstreams that answer a stream request with one JSON body.
func (s *Stream) Replay(dst []byte, body []byte) ([]byte, error) {
	resp, err := For(s.from).DecodeResponse(body)
	if err != nil {
		return dst, fmt.Errorf("convert: upstream %s reply: %w", s.from, err)
	}
	dst = s.encode(dst, Events(resp))
	s.finished = true
	return dst, nil
}

// Events turns a complete reply into the neutral events of the same reply
// streamed: start, each block opened, filled and closed in order, stop, end.
func Events(resp *protocol.Response) []protocol.Event {
	in := protocol.Usage{InputTokens: resp.Usage.InputTokens, CacheReadTokens: resp.Usage.CacheReadTokens,
		CacheWriteTokens: resp.Usage.CacheWriteTokens}
	out := []protocol.Event{{Type: protocol.EventStart, ID: resp.ID, Model: resp.Model, Usage: &in}}
	for i, b := range resp.Content {
		start := protocol.Block{Type: b.Type, ID: b.ID, Name: b.Name, Data: b.Data}
		out = append(out, protocol.Event{Type: protocol.EventBlockStart, Index: i, Block: &start})
		switch b.Type {
		case protocol.BlockText:
			out = append(out, protocol.Event{Type: protocol.EventDelta, Index: i, Delta: protocol.DeltaText, Text: b.Text})
		case protocol.BlockThinking:
			out = append(out, protocol.Event{Type: protocol.EventDelta, Index: i, Delta: protocol.DeltaThinking, Text: b.Thinking})
			if b.Signature != "" {
				out = append(out, protocol.Event{Type: protocol.EventDelta, Index: i, Delta: protocol.DeltaSignature, Text: b.Signature})
			}
			if b.Encrypted != "" {
				out = append(out, protocol.Event{Type: protocol.EventDelta, Index: i, Delta: protocol.DeltaEncrypted, Text: b.Encrypted})
			}
		case protocol.BlockToolUse:
			input := string(b.Input)
			if input == "" {
				input = "{}"
			}
			out = append(out, protocol.Event{Type: protocol.EventDelta, Index: i, Delta: protocol.DeltaJSON, Text: input})
		}
		out = append(out, protocol.Event{Type: protocol.EventBlockStop, Index: i})
	}
	u := resp.Usage
	out = append(out,
		protocol.Event{Type: protocol.EventStop, StopReason: resp.StopReason, StopSequence: resp.StopSequence, Usage: &u},
		protocol.Event{Type: protocol.EventEnd})
	return out
}
