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
	(*show)()
	e.log.Info("window shown on request of another launch")
	w.WriteHeader(http.StatusNoContent)
}
