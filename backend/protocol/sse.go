package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// SSEEvent is one server-sent event. Data holds the data lines joined with
// "\n", as the EventSource specification says.
type SSEEvent struct {
	Event string
	Data  []byte
	ID    string
}

// MaxSSELine bounds one SSE line: a base64 image in a Gemini stream can be
// large, an endless line from a broken upstream must not eat memory.
const MaxSSELine = 16 << 20

// ErrSSELineTooLong is returned for a line over MaxSSELine.
var ErrSSELineTooLong = errors.New("sse: line too long")

// SSEReader reads events from a stream. It accepts LF, CRLF and CR line
// ends, comments, multi-line data and a final event without its blank line.
// It is SSESplitter fed from a reader, so a converted stream and a relayed
// one are split by the same code. Not safe for concurrent use.
type SSEReader struct {
	r     io.Reader
	sp    SSESplitter
	buf   []byte
	emit  func(SSEFields)
	queue []SSEEvent
	head  int
	err   error
}

// NewSSEReader reads events from r.
func NewSSEReader(r io.Reader) *SSEReader {
	s := &SSEReader{r: r, buf: make([]byte, 32<<10)}
	s.emit = s.push
	return s
}

// Next returns the next event, or io.EOF after the last one.
func (s *SSEReader) Next() (SSEEvent, error) {
	for {
		if s.head < len(s.queue) {
			ev := s.queue[s.head]
			s.queue[s.head] = SSEEvent{}
			s.head++
			return ev, nil
		}
		s.queue, s.head = s.queue[:0], 0
		if s.err != nil {
			return SSEEvent{}, s.err
		}
		n, err := s.r.Read(s.buf)
		s.sp.Write(s.buf[:n], s.emit)
		switch {
		case s.sp.TooLong():
			s.err = fmt.Errorf("%w (over %d bytes)", ErrSSELineTooLong, MaxSSELine)
		case errors.Is(err, io.EOF):
			s.sp.Flush(s.emit)
			s.err = io.EOF
		case err != nil:
			s.err = err
		}
	}
}

// push queues an event, copied out of the splitter's buffers.
func (s *SSEReader) push(f SSEFields) {
	ev := SSEEvent{Event: string(f.Event), ID: string(f.ID)}
	if len(f.Data) > 0 {
		ev.Data = bytes.Clone(f.Data)
	}
	s.queue = append(s.queue, ev)
}

// AppendSSE appends one event in wire form to dst: an optional event line,
// one data line per line of data, and the blank line that ends it.
func AppendSSE(dst []byte, event string, data []byte) []byte {
	if event != "" {
		dst = append(dst, "event: "...)
		dst = append(dst, event...)
		dst = append(dst, '\n')
	}
	for {
		line, rest, more := bytes.Cut(data, []byte("\n"))
		dst = append(dst, "data: "...)
		dst = append(dst, line...)
		dst = append(dst, '\n')
		if !more {
			break
		}
		data = rest
	}
	return append(dst, '\n')
}
