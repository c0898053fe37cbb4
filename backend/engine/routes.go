package engine

import (
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"strings"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/proxy"
)

// routes builds the top-level mux behind the Host check.
func (e *Engine) routes(p *proxy.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v1/", p)
	mux.Handle("/v1beta/", p)
	mux.Handle("/api/", api.WithTokenFunc(e.keys.Admin, e.api.Handler()))
	// A login link's code buys the admin token: no token needed to ask.
	mux.Handle("POST /api/login", e.api.LoginHandler())
	mux.HandleFunc("GET /health", e.health)
	mux.Handle("GET /health/ready", e.obs.ready)
	// Metrics answer without the admin token, as scrapers expect; the Host
	// check and the loopback listener still apply.
	mux.Handle("GET /metrics", e.obs.metrics.Handler())
	mux.HandleFunc("HEAD /{$}", proxy.Probe)
	mux.Handle("/", dashboard(e.opts.Assets))
	return hostGuard(e.cfg.Listen, securityHeaders(mux))
}

func (e *Engine) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{"status": "ok", "version": e.opts.Version})
}

// hostGuard refuses requests whose Host names neither a loopback host nor the
// listen address: a web page on a rebinding domain must not reach the engine
// through the user's browser. IP literals are always safe to allow when
// Routex listens on every interface, since rebinding needs a name.
func hostGuard(listen string, next http.Handler) http.Handler {
	listenHost, _, _ := net.SplitHostPort(listen)
	allAddrs := listenHost == "" || listenHost == "0.0.0.0" || listenHost == "::"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(strings.Trim(host, "[]"))
		ok := host == "localhost" || strings.HasSuffix(host, ".localhost") || host == strings.ToLower(listenHost)
		if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || allAddrs) {
			ok = true
		}
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
				"type":    "forbidden_host",
				"message": "Routex only answers requests addressed to " + listen + " or localhost",
			}})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// dashboard serves the built frontend; unknown paths get index.html so the
// page's own router can handle them.
func dashboard(assets fs.FS) http.Handler {
	if assets == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte("Routex is running. This build has no dashboard (frontend/dist was empty at build time).\n"))
		})
	}
	files := http.FileServerFS(assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" {
			name = "index.html"
		}
		if _, err := fs.Stat(assets, name); err != nil {
			name = "index.html"
			r = r.Clone(r.Context())
			r.URL.Path = "/"
		}
		if name == "index.html" {
			w.Header().Set("Cache-Control", "no-cache")
		} else if strings.HasPrefix(name, "assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
}
