package proxy

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/routex-app/routex/backend/protocol"
)

// errShutdown is why requests still running when the engine stops past its
// grace period are cut: their clients are told so in their format.
var errShutdown = errors.New("Routex is shutting down; retry in a moment")

// shutdownRetryAfter is the Retry-After of a request cut by the shutdown:
// long enough for a restart.
const shutdownRetryAfter = "5"

// drain tracks the proxy's requests in flight and ends them on demand.
type drain struct {
	ctx    context.Context // cancelled by Abort
	cancel context.CancelCauseFunc

	mu   sync.Mutex
	n    int
	idle chan struct{} // closed while n is 0; replaced when n leaves 0
}

func newDrain() *drain {
	d := &drain{idle: make(chan struct{})}
	d.ctx, d.cancel = context.WithCancelCause(context.Background())
	close(d.idle)
	return d
}

// enter counts a request in flight and returns its context, which ends
// with errShutdown on Abort, and the func to call when it is done (after
// its request-log row is recorded).
func (d *drain) enter(parent context.Context) (context.Context, func()) {
	d.mu.Lock()
	if d.n == 0 {
		d.idle = make(chan struct{})
	}
	d.n++
	d.mu.Unlock()
	ctx, cancel := context.WithCancelCause(parent)
	stop := context.AfterFunc(d.ctx, func() { cancel(context.Cause(d.ctx)) })
	return ctx, func() {
		stop()
		cancel(nil)
		d.mu.Lock()
		if d.n--; d.n == 0 {
			close(d.idle)
		}
		d.mu.Unlock()
	}
}

// Abort ends every request in flight now, and any that starts later: a
// stream gets an error event in its client's format, a request still
// waiting for its upstream a 503 error, and each one's request-log row
// says so. The engine calls it when the grace period of a shutdown is
// over, then Wait, then closes the connections.
func (h *Handler) Abort() { h.drain.cancel(errShutdown) }

// Wait returns when no request is in flight (every one answered and
// recorded), or with ctx's error.
func (h *Handler) Wait(ctx context.Context) error {
	h.drain.mu.Lock()
	idle := h.drain.idle
	h.drain.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// shuttingDown reports whether ctx was cut by Abort.
func shuttingDown(ctx context.Context) bool { return errors.Is(context.Cause(ctx), errShutdown) }

// writeShutdown answers a request cut by Abort before its reply started.
func writeShutdown(w http.ResponseWriter, f protocol.Format) {
	w.Header().Set("Retry-After", shutdownRetryAfter)
	status := http.StatusServiceUnavailable
	writeError(w, f, status, protocol.Overloaded, errShutdown.Error())
}
