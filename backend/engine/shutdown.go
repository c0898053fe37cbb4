package engine

import (
	"context"
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
