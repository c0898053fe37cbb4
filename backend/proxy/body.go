package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/protocol"
)

// readBody reads the whole request body, answering 413, 408 or 400 itself.
// The body has an idle limit (Options.BodyIdle), pushed back by every read
// that brings bytes: a client that stops sending mid-body is refused, and
// its connection closed, instead of holding it for hours.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, f protocol.Format) ([]byte, bool) {
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 && n <= MaxBodyBytes {
		buf.Grow(int(n) + bytes.MinRead) // one allocation for the usual, sized body
	}
	idle := h.opts.BodyIdle
	if idle <= 0 {
		idle = config.DefaultBodyIdle
	}
	rc := http.NewResponseController(w)
	src := &idleBody{r: http.MaxBytesReader(w, r.Body, MaxBodyBytes), rc: rc, idle: idle}
	_, err := buf.ReadFrom(src)
	// The deadline was for the body; what follows (a stream of minutes)
	// must not inherit it. A ResponseWriter without a connection (tests)
	// has no deadlines to clear.
	rc.SetReadDeadline(time.Time{})
	body := buf.Bytes()
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, f, http.StatusRequestEntityTooLarge, protocol.TooLarge,
			"request body is larger than 32 MiB; send fewer or smaller images or files")
		return nil, false
	case errors.Is(err, os.ErrDeadlineExceeded):
		writeError(w, f, http.StatusRequestTimeout, protocol.Timeout,
			fmt.Sprintf("the request body stopped arriving: nothing came for %v (limits.body_idle_ms in config.json)", idle))
		return nil, false
	case err != nil:
		writeError(w, f, http.StatusBadRequest, protocol.InvalidRequest, "could not read the request body: "+err.Error())
		return nil, false
	}
	return body, true
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
