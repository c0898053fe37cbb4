package proxy

import (
	"bytes"
	"errors"
	"io"
	"slices"

	"github.com/routex-app/routex/backend/protocol"
)

// maxPeek bounds how much of a reply is read before it is judged: the
// start of a whole reply, or a stream up to its first event with data.
// Past it, a reply that has not shown itself wrong is sent on.
const maxPeek = 1 << 20

// maxJSONPeek bounds the start of a non-streamed reply read to judge it;
// the fields that tell come first in every provider's replies.
const maxJSONPeek = 64 << 10

// peekReply reads the start of a successful (2xx) reply of format f and
// judges it before anything reaches the client, when another channel can
// still answer. A stream (sse, or a body that starts like one) is read up
// to its first event that carries data, skipping comments and keep-alives:
// an error event, or data that is not f's, is a problem. Anything else is
// read until protocol.CheckReply decides, or maxJSONPeek: an empty body,
// HTML, text or a JSON error is a problem. A problem that is the
// upstream's own error (a JSON error, an error event) is a
// *protocol.ReplyError. rest is the whole body again (what was read, then
// the remainder) to send on; head is what was read; err is a read error
// before anything could be judged.
func peekReply(r io.Reader, f protocol.Format, sse bool) (rest io.Reader, head []byte, isSSE bool, problem, err error) {
	p := &peeker{r: r, buf: make([]byte, 0, 4096)}
	problem, isSSE, err = p.judge(f, sse)
	return p.rest(), p.buf, isSSE, problem, err
}

// judge is peekReply's reading and judging.
func (p *peeker) judge(f protocol.Format, sse bool) (problem error, isSSE bool, err error) {
	// The first bytes say what the body is when the headers do not.
	for !sse && len(bytes.TrimLeft(p.buf, " \t\r\n")) == 0 && !p.eof {
		if err := p.read(); err != nil {
			return nil, false, err
		}
	}
	if !sse {
		sse = looksLikeSSE(p.buf)
	}
	if sse {
		problem, err := p.stream(f)
		return problem, true, err
	}
	for {
		verdict, verr := protocol.CheckReply(f, p.buf, p.eof)
		switch {
		case verdict == protocol.ReplyBad:
			return verr, false, nil
		case verdict == protocol.ReplyOK, p.eof, len(p.buf) >= maxJSONPeek:
			return nil, false, nil
		}
		if err := p.read(); err != nil {
			return nil, false, err
		}
	}
}

// rest is what was read followed by the remainder of the body, or by the
// read error that ended it.
func (p *peeker) rest() io.Reader {
	head := bytes.NewReader(p.buf)
	switch {
	case p.pending != nil:
		return io.MultiReader(head, errReader{p.pending})
	case p.eof:
		return head
	}
	return io.MultiReader(head, p.r)
}

// errReader fails every read with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// peeker reads the start of a body into buf.
type peeker struct {
	r       io.Reader
	buf     []byte
	eof     bool
	pending error // a read error that came with data, returned next time
}

// read appends what one Read returns; the end of the body sets eof. An
// error that came with data is kept for the next call, so what arrived
// before it is judged first.
func (p *peeker) read() error {
	if p.pending != nil {
		return p.pending
	}
	if len(p.buf) == cap(p.buf) {
		p.buf = slices.Grow(p.buf, len(p.buf))
	}
	n, err := p.r.Read(p.buf[len(p.buf):cap(p.buf)])
	p.buf = p.buf[:len(p.buf)+n]
	switch {
	case err == io.EOF:
		p.eof = true
		return nil
	case err != nil && n > 0:
		p.pending = err
		return nil
	}
	return err
}

// stream reads until the first event with data and judges it.
func (p *peeker) stream(f protocol.Format) (problem, err error) {
	from := 0 // where the next event starts
	for {
		for {
			end, next := eventEnd(p.buf[from:])
			if end < 0 {
				break
			}
			if bad, decided := judgeEvent(p.buf[from:from+end], f); decided {
				return bad, nil
			}
			from += next
		}
		if p.eof {
			if bad, decided := judgeEvent(p.buf[from:], f); decided {
				return bad, nil
			}
			return errors.New("an empty stream: it closed before its first event"), nil
		}
		if len(p.buf) >= maxPeek {
			return nil, nil
		}
		if rerr := p.read(); rerr != nil {
			return nil, rerr
		}
	}
}

// judgeEvent judges one event: decided is false for an event without data
// (a comment, a keep-alive), which says nothing yet.
func judgeEvent(event []byte, f protocol.Format) (problem error, decided bool) {
	if e := protocol.ErrorInEvent(event); e != nil {
		return e, true
	}
	data, ok := dataOf(event)
	if !ok {
		return nil, false
	}
	return protocol.CheckEvent(f, data), true
}

// dataOf joins an event's data lines; ok is false when it has none.
func dataOf(event []byte) ([]byte, bool) {
	var data []byte
	ok := false
	for _, line := range bytes.Split(event, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if v, found := bytes.CutPrefix(line, []byte("data:")); found {
			if ok {
				data = append(data, '\n')
			}
			data, ok = append(data, bytes.TrimPrefix(v, []byte(" "))...), true
		}
	}
	return data, ok
}

// looksLikeSSE reports a body that starts like an event stream, for
// upstreams that stream under another Content-Type.
func looksLikeSSE(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	for _, p := range []string{"data:", "event:", ":", "id:", "retry:"} {
		if bytes.HasPrefix(b, []byte(p)) {
			return true
		}
	}
	return false
}

// eventEnd finds the blank line that ends the first event (LF or CRLF):
// end is where the event's text stops, next where the following event
// starts; end is -1 when the event is not complete yet.
func eventEnd(b []byte) (end, next int) {
	lf := bytes.Index(b, []byte("\n\n"))
	crlf := bytes.Index(b, []byte("\r\n\r\n"))
	switch {
	case lf >= 0 && (crlf < 0 || lf < crlf):
		return lf, lf + 2
	case crlf >= 0:
		return crlf, crlf + 4
	}
	return -1, -1
}
