package protocol

import "bytes"

// SSEFields is one event as SSESplitter hands it over: views into the
// splitter's buffers or the chunk being written, valid only during the
// emit call that receives them.
type SSEFields struct {
	Event, Data, ID []byte
}

// SSESplitter splits an event stream into events as its bytes arrive, in
// chunks cut anywhere: the push form of the one SSE grammar Routex reads
// (LF, CRLF and CR line ends, comments, multi-line data, a final event
// without its blank line once Flush is called). SSEReader pulls through
// it; observe.UsageTee pushes the bytes a relay writes, so it must never
// hold the stream back: Write looks at each byte once, keeps only a line
// split between writes, and copies an event's data only when the event
// goes on past the chunk. The zero value is ready to use. Not safe for
// concurrent use.
type SSESplitter struct {
	// Skip, when not nil, is called with an event's name as soon as its
	// event: line is read; true drops the event, its data unkept and emit
	// not called, so an event the caller does not need costs no copy.
	Skip func(name []byte) bool
	// MaxLine bounds one line and one event's data; what goes over is
	// dropped and TooLong reports it. 0 means MaxSSELine.
	MaxLine int

	line     []byte // the start of a line split between writes
	lineOver bool   // the split line outgrew MaxLine: its rest is dropped
	ends     SSELineEnds
	tooLong  bool

	name    []byte
	id      []byte
	data    []byte // the event's data, when it is kept across lines or writes
	view    []byte // the event's data while it is one line of the chunk being written
	hasView bool
	hasData bool
	skip    bool
}

var colon = []byte{':'}

// Write splits p, calling emit with each event p completes. Events
// arrive in order; an event still open at the end of p is completed by a
// later Write or by Flush.
func (s *SSESplitter) Write(p []byte, emit func(SSEFields)) {
	for len(p) > 0 {
		line, rest, ok := s.ends.Next(p)
		if !ok {
			s.carry(line)
			break
		}
		s.endLine(line, emit)
		p = rest
	}
	if s.hasView {
		// The event goes on past p, which the caller may reuse.
		s.data = append(s.data[:0], s.view...)
		s.view, s.hasView = nil, false
	}
}

// Flush ends the stream: a last line without its end is read, and an
// event without its blank line is emitted.
func (s *SSESplitter) Flush(emit func(SSEFields)) {
	if len(s.line) > 0 && !s.lineOver {
		s.process(s.line, true, emit)
	}
	s.line, s.lineOver, s.ends = s.line[:0], false, SSELineEnds{}
	s.dispatch(emit)
}

// TooLong reports whether a line or an event's data went over MaxLine
// and was dropped.
func (s *SSESplitter) TooLong() bool { return s.tooLong }

func (s *SSESplitter) max() int {
	if s.MaxLine > 0 {
		return s.MaxLine
	}
	return MaxSSELine
}

// endLine handles a line ended in p: part is its text in p, joined to the
// start carried from earlier writes if any.
func (s *SSESplitter) endLine(part []byte, emit func(SSEFields)) {
	if len(s.line) == 0 && !s.lineOver {
		if len(part) > s.max() {
			s.tooLong, s.skip = true, true // the event lost a line
			return
		}
		s.process(part, false, emit)
		return
	}
	s.carry(part)
	over := s.lineOver
	s.lineOver = false
	if !over {
		s.process(s.line, true, emit)
	}
	s.line = s.line[:0]
}

// carry keeps the start of a line for the next write, dropping a line too
// long to keep rather than growing without bound.
func (s *SSESplitter) carry(p []byte) {
	if s.lineOver {
		return
	}
	if len(s.line)+len(p) > s.max() {
		s.line, s.lineOver, s.tooLong, s.skip = s.line[:0], true, true, true
		return
	}
	s.line = append(s.line, p...)
}

// process handles one line without its end; owned says line is the
// splitter's own buffer (to be reused), not part of the caller's chunk.
func (s *SSESplitter) process(line []byte, owned bool, emit func(SSEFields)) {
	if len(line) == 0 {
		s.dispatch(emit)
		return
	}
	if line[0] == ':' {
		return // a comment, e.g. ": ping"
	}
	field, value, _ := bytes.Cut(line, colon)
	if len(value) > 0 && value[0] == ' ' {
		value = value[1:]
	}
	switch string(field) {
	case "event":
		s.name = append(s.name[:0], value...)
		if s.Skip != nil && !s.skip {
			s.skip = s.Skip(s.name)
		}
	case "data":
		if s.skip {
			return
		}
		s.addData(value, owned)
	case "id":
		s.id = append(s.id[:0], value...)
	}
}

// addData adds one data line to the event: the first line of the chunk is
// only looked at, others are copied.
func (s *SSESplitter) addData(value []byte, owned bool) {
	if !s.hasData && !owned {
		s.view, s.hasView, s.hasData = value, true, true
		return
	}
	if s.hasView {
		s.data = append(s.data[:0], s.view...)
		s.view, s.hasView = nil, false
	}
	n := len(s.data) + len(value)
	if s.hasData {
		n++
	}
	if n > s.max() {
		s.tooLong, s.skip = true, true
		s.data = s.data[:0]
		return
	}
	if s.hasData {
		s.data = append(s.data, '\n')
	}
	s.data = append(s.data, value...)
	s.hasData = true
}

// dispatch ends the event at a blank line.
func (s *SSESplitter) dispatch(emit func(SSEFields)) {
	if !s.skip && (s.hasData || len(s.name) > 0) {
		data := s.data
		if s.hasView {
			data = s.view
		}
		emit(SSEFields{Event: s.name, Data: data, ID: s.id})
	}
	s.name, s.id, s.data = s.name[:0], s.id[:0], s.data[:0]
	s.view, s.hasView, s.hasData, s.skip = nil, false, false, false
}

// SSELineEnds cuts an event stream into lines as its chunks arrive, cut
// anywhere: a line ends in LF, CRLF or CR alone, the three ends the SSE
// grammar allows. The one thing a cut can hide is a CRLF split after its
// CR, so that is all it keeps. SSESplitter reads lines with it, and the
// proxy's passthrough model rewrite finds event ends with it (it forwards
// the bytes as they come, so it cannot use the splitter's events), so both
// agree where a line and an event end. The zero value is ready to use.
type SSELineEnds struct {
	afterCR bool // the last chunk ended in CR: a leading LF ends nothing
}

// Next cuts the first line off p, which is a whole chunk or what follows
// a line Next returned from it: line is the line's text, without its end,
// and rest what follows the end. ok is false when p ends inside a line:
// line is then the start of a line the next chunk goes on with, and rest
// is empty. An LF that completes a CRLF split between chunks is dropped.
func (l *SSELineEnds) Next(p []byte) (line, rest []byte, ok bool) {
	if l.afterCR && len(p) > 0 {
		l.afterCR = false
		if p[0] == '\n' {
			p = p[1:]
		}
	}
	i := bytes.IndexByte(p, '\n')
	seg := p
	if i >= 0 {
		seg = p[:i]
	}
	if j := bytes.IndexByte(seg, '\r'); j >= 0 {
		rest = p[j+1:]
		switch {
		case len(rest) == 0:
			l.afterCR = true
		case rest[0] == '\n':
			rest = rest[1:]
		}
		return seg[:j], rest, true
	}
	if i < 0 {
		return p, nil, false
	}
	return seg, p[i+1:], true
}
