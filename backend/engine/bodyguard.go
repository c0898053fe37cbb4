package engine

import (
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// refuseUnreadBodies makes every refusal written before the request body
// was read (a wrong key or token, a wrong Host, an unknown path, a body too
// large) close the connection at once: Connection: close, and the read
// side cut, so the server neither waits for nor drains a body it will not
// use. Without it, the server reads what is left of a refused body before
// answering, and a client sending one byte every few seconds holds a
// connection, and a file descriptor, for hours.
func refuseUnreadBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		body := &watchedBody{ReadCloser: r.Body}
		r.Body = body
		next.ServeHTTP(&refusingWriter{ResponseWriter: w, body: body}, r)
	})
}

// watchedBody notes when a request body has been read to its end.
type watchedBody struct {
	io.ReadCloser
	done atomic.Bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.done.Store(true)
	}
	return n, err
}

// refusingWriter closes the connection behind an error status sent while
// the body is still unread.
type refusingWriter struct {
	http.ResponseWriter
	body  *watchedBody
	wrote bool
}

func (w *refusingWriter) WriteHeader(code int) {
	if !w.wrote && code >= http.StatusBadRequest && !w.body.done.Load() {
		w.Header().Set("Connection", "close")
		// Any read of the rest (the server's drain) fails at once.
		http.NewResponseController(w.ResponseWriter).SetReadDeadline(time.Now())
	}
	if code >= http.StatusOK || code < http.StatusContinue {
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *refusingWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines, full duplex).
func (w *refusingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
