package engine

import (
	"context"
	"net/http"
	"time"
)

// cutWait bounds how long requests cut at shutdown take to tell their
// clients and record their rows: writing an error event or a JSON error
// takes milliseconds, unless a client stopped reading.
const cutWait = 5 * time.Second

// cutInFlight ends the proxy's requests still running after the grace
// period: each client gets an error in its own format rather than a bare
// closed connection, and each request-log row is recorded before the
// writer is drained. A client that does not read its error within cutWait
// is closed on.
func (e *Engine) cutInFlight() {
	e.proxy.Abort()
	ctx, cancel := context.WithTimeout(context.Background(), cutWait)
	defer cancel()
	if err := e.proxy.Wait(ctx); err != nil {
		e.log.Warn("requests did not end in time after the shutdown error; their connections are closed", "error", err)
	}
}

// endsAtStop ends next's requests when Stop begins: the dashboard's live
// event streams would otherwise hold every shutdown for its whole grace
// period, and a relaunch would wait as long. The browser reconnects to
// the next engine by itself.
func (e *Engine) endsAtStop(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		stop := context.AfterFunc(e.stopping, cancel)
		defer stop()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
