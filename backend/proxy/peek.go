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

// stream reads until the first event with data and judges it. The events
// are split by protocol.SSESplitter, the one SSE grammar (LF, CRLF or CR
// line ends, comments, multi-line data); an event without data (a
// keep-alive, a named ping) says nothing yet, unless it is an error event.
func (p *peeker) stream(f protocol.Format) (problem, err error) {
	var sp protocol.SSESplitter
	decided := false
	emit := func(ev protocol.SSEFields) {
		if decided {
			return
		}
		if e := protocol.ErrorInFields(ev); e != nil {
			problem, decided = e, true
			return
		}
		if len(ev.Data) > 0 {
			problem, decided = protocol.CheckEvent(f, ev.Data), true
		}
	}
	fed := 0
	for {
		sp.Write(p.buf[fed:], emit)
		fed = len(p.buf)
		if decided {
			return problem, nil
		}
		if p.eof {
			sp.Flush(emit)
			if decided {
				return problem, nil
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
