package proxy

import (
	"bytes"
	"context"
	"fmt"
	"github.com/routex-app/routex/backend/observe"
	"io"
	"mime"
	"net/http"
	"sync"
	"time"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/responses"
)

// Relay buffers: large for whole replies, small for streams, whose events
// are small and which a thousand open conversations each hold for minutes.
var (
	bufPool       = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
	streamBufPool = sync.Pool{New: func() any { b := make([]byte, 4<<10); return &b }}
)

// relayResult says how a body copy ended.
type relayResult struct {
	err        error
	firstByte  time.Duration // since the request started; 0 when nothing came
	sse        bool
	atBoundary bool // the last byte written ended an SSE event (or none was written)
}

// relay copies the upstream body to the client as it arrives, flushing after
// every read so each SSE event leaves as soon as it lands. The body enforces
// the idle limit itself (idleReader). rw, when not nil, writes the client's
// model name over the upstream's on the way.
func relay(w http.ResponseWriter, resp *http.Response, start time.Time, seen io.Writer, rw *modelRewriter) relayResult {
	res := relayResult{sse: isEventStream(resp.Header), atBoundary: true}
	rc := http.NewResponseController(w)
	pool := &bufPool
	if res.sse {
		pool = &streamBufPool
	}
	bp := pool.Get().(*[]byte)
	defer pool.Put(bp)
	buf := *bp
	var out []byte
	if rw != nil {
		// The rewritten bytes go to a second pooled buffer; reads leave a
		// quarter of room for model names longer than the upstream's.
		op := pool.Get().(*[]byte)
		defer pool.Put(op)
		out = (*op)[:0]
		buf = buf[:len(buf)*3/4]
	}
	var tail [2]byte
	write := func(p []byte) bool {
		if len(p) == 0 {
			return true
		}
		if _, werr := w.Write(p); werr != nil {
			res.err = werr
			return false
		}
		seen.Write(p)
		if len(p) >= 2 {
			copy(tail[:], p[len(p)-2:])
		} else {
			tail[0], tail[1] = tail[1], p[0]
		}
		res.atBoundary = bytes.Equal(tail[:], []byte("\n\n"))
		if ferr := rc.Flush(); ferr != nil {
			res.err = ferr
			return false
		}
		return true
	}
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if res.firstByte == 0 {
				res.firstByte = time.Since(start)
			}
			p := buf[:n]
			if rw != nil {
				out = rw.rewrite(out[:0], p)
				p = out
			}
			if !write(p) {
				return res
			}
		}
		if rerr != nil && rw != nil {
			// A model value a read ended in goes out as it came.
			if !write(rw.flush(out[:0])) {
				return res
			}
		}
		if rerr == io.EOF {
			return res
		}
		if rerr != nil {
			res.err = rerr
			return res
		}
	}
}

func isEventStream(h http.Header) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "text/event-stream"
}

// writeStreamError ends an SSE stream with an error event in the client's
// format, closing a half-written event first.
func writeStreamError(w http.ResponseWriter, f protocol.Format, atBoundary bool, msg string) {
	var b bytes.Buffer
	if !atBoundary {
		b.WriteString("\n\n")
	}
	if f == protocol.Responses {
		w.Write(responses.AppendErrorEvent(b.Bytes(), protocol.APIError, msg))
		http.NewResponseController(w).Flush()
		return
	}
	body := protocol.ErrorBody(f, http.StatusBadGateway, protocol.APIError, msg)
	if f == protocol.Anthropic {
		b.WriteString("event: error\n")
	}
	b.WriteString("data: ")
	b.Write(body)
	b.WriteString("\n\n")
	w.Write(b.Bytes())
	http.NewResponseController(w).Flush()
}

// relayPassthrough streams a same-format answer back untouched, and
// reports a failure after the first byte in the only ways left: an error
// event for streams, a cut connection otherwise.
func (q *request) relayPassthrough(ctx context.Context, resp *http.Response, up *upstream) {
	w, in, rec, ch := q.w, &q.in, &q.rec, up.ch
	sse := isEventStream(resp.Header)
	var rw *modelRewriter
	if rec.UpstreamModel != in.model && !in.isCountTokens() {
		rw = newModelRewriter(in.format, sse, in.model)
	}
	copyResponseHeaders(w.Header(), resp.Header)
	if rw != nil {
		w.Header().Del("Content-Length") // the client's model name may be longer or shorter
	}
	w.WriteHeader(resp.StatusCode)
	tee := observe.NewUsageTee(in.format, sse)
	res := relay(w, resp, rec.Time, io.MultiWriter(tee, q.capt), rw)
	if res.firstByte > 0 {
		// A first byte under a millisecond is still a first byte: 0 means
		// "none came" to the stats and metrics.
		rec.TTFTMS = max(1, res.firstByte.Milliseconds())
	}
	rec.ResponseBytes, rec.OutputTPS = tee.Bytes(), tee.OutputTPS()
	if tee.HasUsage() {
		recordUsage(rec, tee.Usage())
	} else if n := in.countEstimate(); n > 0 {
		// The upstream reported nothing (an OpenAI stream without
		// stream_options, say): the prompt's estimate, marked as such.
		rec.InputTokens, rec.UsageEstimated = int64(n), true
	}
	if res.err == nil {
		return
	}
	if q.r.Context().Err() != nil {
		rec.Error = "client disconnected"
		return
	}
	cause := readCause(ctx, res.err)
	rec.Error = cause.Error()
	q.h.log.Warn("upstream failed mid-response", "channel", ch.Name, "error", cause)
	if !res.sse {
		// Headers and part of a body are out; the only honest signal left
		// is to abort the connection, so the client sees a truncated reply
		// rather than a complete-looking one.
		panic(http.ErrAbortHandler)
	}
	writeStreamError(w, in.format, res.atBoundary, fmt.Sprintf("channel %s: %v", ch.Name, cause))
}
