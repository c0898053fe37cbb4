package protocol

import (
	"bufio"
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
// Not safe for concurrent use.
type SSEReader struct {
	r       *bufio.Reader
	pending SSEEvent
	hasData bool
	line    []byte
}

// NewSSEReader reads events from r.
func NewSSEReader(r io.Reader) *SSEReader {
	return &SSEReader{r: bufio.NewReaderSize(r, 32<<10)}
}

// Next returns the next event, or io.EOF after the last one.
func (s *SSEReader) Next() (SSEEvent, error) {
	for {
		line, err := s.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) && (s.hasData || s.pending.Event != "") {
				ev := s.take()
				return ev, nil
			}
			return SSEEvent{}, err
		}
		if len(line) == 0 {
			if s.hasData || s.pending.Event != "" {
				return s.take(), nil
			}
			continue
		}
		if line[0] == ':' {
			continue // comment, e.g. ": ping"
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			s.pending.Event = string(value)
		case "data":
			if s.hasData {
				s.pending.Data = append(s.pending.Data, '\n')
			}
			s.pending.Data = append(s.pending.Data, value...)
			s.hasData = true
		case "id":
			s.pending.ID = string(value)
		}
	}
}

func (s *SSEReader) take() SSEEvent {
	ev := s.pending
	s.pending = SSEEvent{}
	s.hasData = false
	return ev
}

// readLine returns one line without its end. A final line without an end
// is returned before io.EOF.
func (s *SSEReader) readLine() ([]byte, error) {
	s.line = s.line[:0]
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) && len(s.line) > 0 {
				return s.line, nil
			}
			return nil, err
		}
		switch b {
		case '\n':
			return s.line, nil
		case '\r':
			if next, err := s.r.Peek(1); err == nil && next[0] == '\n' {
				s.r.ReadByte()
			}
			return s.line, nil
		}
		if len(s.line) >= MaxSSELine {
			return nil, fmt.Errorf("%w (over %d bytes)", ErrSSELineTooLong, MaxSSELine)
		}
		s.line = append(s.line, b)
	}
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
