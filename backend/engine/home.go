package engine

import (
	"net/http"
	"os"
	"time"

	"github.com/routex-app/routex/backend/config"
)

// publish writes where this engine listens next to the home's lock, for
// the CLI, a second desktop launch and a second engine's refusal.
func (e *Engine) publish() {
	err := e.lock.Publish(config.RunningEngine{URL: e.URL(), PID: os.Getpid(), Version: e.opts.Version,
		Started: time.Now().UTC().Truncate(time.Second), Desktop: e.opts.Desktop})
	if err != nil {
		e.log.Warn("the CLI will look for this engine at the configured address only", "error", err)
	}
}

// Withdraw makes this engine one not to join any more: the desktop app
// calls it as it quits, so a launch in the meantime waits for the home to
// be free and starts its own engine, instead of asking a closing window
// to show itself.
func (e *Engine) Withdraw() {
	e.window.Store(nil)
	e.lock.Unpublish()
}

// SetShowWindow gives the engine the desktop window's "show yourself", which
// POST /api/window/show (admin token) calls: a second launch of the app
// brings this window forward instead of starting another engine.
func (e *Engine) SetShowWindow(show func()) { e.window.Store(&show) }

// showWindow answers POST /api/window/show.
func (e *Engine) showWindow(w http.ResponseWriter, r *http.Request) {
	show := e.window.Load()
	if show == nil {
		http.Error(w, "this engine has no window", http.StatusNotFound)
		return
	}
	done := make(chan struct{})
	go func() { (*show)(); close(done) }()
	select {
	case <-done:
	case <-time.After(showWait):
		// A window that does not answer (the app is quitting) must not
		// hold this request, nor the engine's shutdown.
		http.Error(w, "the window did not answer", http.StatusServiceUnavailable)
		return
	}
	e.log.Info("window shown on request of another launch")
	w.WriteHeader(http.StatusNoContent)
}

// showWait bounds how long the window may take to show itself.
const showWait = 2 * time.Second
