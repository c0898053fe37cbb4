package proxy

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/http"
	"sync"
	"time"

	"github.com/routex-app/routex/backend/protocol"
)

var bufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// relayResult says how a body copy ended.
type relayResult struct {
	err        error
	firstByte  time.Duration // since the request started; 0 when nothing came
	sse        bool
	atBoundary bool // the last byte written ended an SSE event (or none was written)
}

// relay copies the upstream body to the client as it arrives, flushing after
// every read so each SSE event leaves as soon as it lands. A silence longer
// than idle cancels the upstream call.
func relay(w http.ResponseWriter, resp *http.Response, cancel context.CancelCauseFunc, idle time.Duration, start time.Time) relayResult {
	res := relayResult{sse: isEventStream(resp.Header), atBoundary: true}
	rc := http.NewResponseController(w)
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	idleTimer := time.AfterFunc(idle, func() { cancel(errIdleTimeout) })
	defer idleTimer.Stop()
	var tail [2]byte
	for {
		n, rerr := resp.Body.Read(buf)
		// The idle limit is the upstream's silence: it stops while a slow
		// client takes the bytes, and restarts once they are written.
		idleTimer.Stop()
		if n > 0 {
			if res.firstByte == 0 {
				res.firstByte = time.Since(start)
			}
			if _, werr := w.Write(buf[:n]); werr != nil {
				res.err = werr
				return res
			}
			if n >= 2 {
				copy(tail[:], buf[n-2:n])
			} else {
				tail[0], tail[1] = tail[1], buf[0]
			}
			res.atBoundary = bytes.Equal(tail[:], []byte("\n\n"))
			if ferr := rc.Flush(); ferr != nil {
				res.err = ferr
				return res
			}
		}
		idleTimer.Reset(idle)
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
