package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/protocol"
)

// readBody reads the whole request body, answering 413, 408, 503/529 or
// 400 itself. The body has an idle limit (Options.BodyIdle), pushed back by
// every read that brings bytes: a client that stops sending mid-body is
// refused, and its connection closed, instead of holding it for hours. Its
// bytes count against the bodies-in-flight budget until release is
// called, when the request is done.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, f protocol.Format) (body []byte, release func(), ok bool) {
	idle := h.opts.BodyIdle
	if idle <= 0 {
		idle = config.DefaultBodyIdle
	}
	rc := http.NewResponseController(w)
	src := &idleBody{r: http.MaxBytesReader(w, r.Body, MaxBodyBytes), rc: rc, idle: idle}
	held := int64(0)
	release = func() { h.budget.give(held) }
	if n := r.ContentLength; n > 0 && n <= MaxBodyBytes {
		if !h.budget.take(n) {
			// The client is authenticated: read its body into nothing, so
			// it gets the answer rather than a connection cut mid-upload.
			io.Copy(io.Discard, src)
			rc.SetReadDeadline(time.Time{})
			h.refuseBusy(w, f)
			return nil, nil, false
		}
		held = n
	}
	var buf bytes.Buffer
	if held > 0 {
		buf.Grow(int(held) + bytes.MinRead) // one allocation for the usual, sized body
	}
	var err error
	if held > 0 {
		_, err = buf.ReadFrom(src)
	} else {
		// No length given (chunked): the budget is taken as bytes come.
		_, err = buf.ReadFrom(&budgetedBody{r: src, b: h.budget, held: &held})
	}
	// The deadline was for the body; what follows (a stream of minutes)
	// must not inherit it. A ResponseWriter without a connection (tests)
	// has no deadlines to clear.
	rc.SetReadDeadline(time.Time{})
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, f, http.StatusRequestEntityTooLarge, protocol.TooLarge,
			"request body is larger than 32 MiB; send fewer or smaller images or files")
	case errors.Is(err, os.ErrDeadlineExceeded):
		writeError(w, f, http.StatusRequestTimeout, protocol.Timeout,
			fmt.Sprintf("the request body stopped arriving: nothing came for %v (limits.body_idle_ms in config.json)", idle))
	case errors.Is(err, errBusy):
		io.Copy(io.Discard, src)
		rc.SetReadDeadline(time.Time{})
		h.refuseBusy(w, f)
	case err != nil:
		writeError(w, f, http.StatusBadRequest, protocol.InvalidRequest, "could not read the request body: "+err.Error())
	default:
		return buf.Bytes(), release, true
	}
	release()
	return nil, nil, false
}

// busyRetryAfter is the Retry-After of a request refused for memory: the
// budget frees as the requests in flight finish.
const busyRetryAfter = "3"

// refuseBusy answers a request whose body does not fit in the budget:
// 529 overloaded for Anthropic clients, 503 for the others, which retry
// after Retry-After.
func (h *Handler) refuseBusy(w http.ResponseWriter, f protocol.Format) {
	status := http.StatusServiceUnavailable
	if f == protocol.Anthropic {
		status = 529
	}
	h.log.Warn("request refused: the request bodies in flight fill limits.bodies_in_flight_mb",
		"limit_mb", h.budget.limit>>20)
	w.Header().Set("Retry-After", busyRetryAfter)
	writeError(w, f, status, protocol.Overloaded, fmt.Sprintf(
		"Routex is holding %d MiB of request bodies, its limit (limits.bodies_in_flight_mb in config.json); retry in a few seconds",
		h.budget.limit>>20))
}

// errBusy is a body that would not fit in the budget.
var errBusy = errors.New("the request bodies in flight fill the budget")

// budget caps the request bytes held at once, summed over every request
// in flight, so memory is bounded however many large requests arrive
// together. Safe for concurrent use.
type budget struct {
	mu    sync.Mutex
	used  int64
	limit int64
}

// take reserves n bytes, or reports false when they do not fit.
func (b *budget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.limit {
		return false
	}
	b.used += n
	return true
}

// give returns n bytes.
func (b *budget) give(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
}

// budgetChunk is how much more a body of unknown length reserves at a time.
const budgetChunk = 1 << 20

// budgetedBody reserves budget ahead of the bytes it reads.
type budgetedBody struct {
	r    io.Reader
	b    *budget
	held *int64
	read int64
}

func (bb *budgetedBody) Read(p []byte) (int, error) {
	if bb.read+int64(len(p)) > *bb.held {
		if !bb.b.take(budgetChunk) {
			return 0, errBusy
		}
		*bb.held += budgetChunk
	}
	p = p[:min(int64(len(p)), *bb.held-bb.read)]
	n, err := bb.r.Read(p)
	bb.read += int64(n)
	return n, err
}

// idleBody sets the connection's read deadline before every read of the
// body, so the limit is on silence, not on the whole upload.
type idleBody struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (b *idleBody) Read(p []byte) (int, error) {
	b.rc.SetReadDeadline(time.Now().Add(b.idle))
	return b.r.Read(p)
}

// isObject reports whether valid JSON b is an object, without copying it.
func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}
