package engine

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/proxy"
)

// routes builds the top-level mux behind the Host check.
func (e *Engine) routes(p *proxy.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v1/", p)
	mux.Handle("/v1beta/", p)
	mux.Handle("/api/", api.WithTokenFunc(e.keys.Admin, e.api.Handler()))
	mux.Handle("GET /api/events", api.WithTokenFunc(e.keys.Admin, e.endsAtStop(e.api.Handler())))
	mux.Handle("POST /api/window/show", api.WithTokenFunc(e.keys.Admin, http.HandlerFunc(e.showWindow)))
	// A login link's code buys the admin token: no token needed to ask.
	mux.Handle("POST /api/login", e.api.LoginHandler())
	mux.HandleFunc("GET /health", e.health)
	mux.Handle("GET /health/ready", e.obs.ready)
	mux.Handle("GET /metrics", e.metricsAccess(e.obs.metrics.Handler()))
	mux.HandleFunc("HEAD /{$}", proxy.Probe)
	mux.Handle("/", dashboard(e.opts.Assets))
	return refuseUnreadBodies(hostGuard(e.cfg.Listen, e.cfg.AllowedHosts, securityHeaders(mux)))
}

func (e *Engine) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{"status": "ok", "version": e.opts.Version})
}

// hostGuard refuses requests whose Host names neither a loopback host, the
// listen address, nor one of allowed (allowed_hosts: the name a team
// reaches its gateway by; "*.example.com" allows subdomains): a web page
// on a rebinding domain must not reach the engine through the user's
// browser. IP literals are always safe to allow when Routex listens on
// every interface, since rebinding needs a name.
func hostGuard(listen string, allowed []string, next http.Handler) http.Handler {
	listenHost, _, _ := net.SplitHostPort(listen)
	allAddrs := listenHost == "" || listenHost == "0.0.0.0" || listenHost == "::"
	exact := map[string]bool{}
	var suffixes []string
	for _, a := range allowed {
		a = strings.ToLower(strings.Trim(a, "[]"))
		if s, ok := strings.CutPrefix(a, "*."); ok {
			suffixes = append(suffixes, "."+s)
		} else {
			exact[a] = true
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(strings.Trim(host, "[]"))
		ok := host == "localhost" || strings.HasSuffix(host, ".localhost") || host == strings.ToLower(listenHost) || exact[host]
		for _, s := range suffixes {
			ok = ok || strings.HasSuffix(host, s)
		}
		if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || allAddrs) {
			ok = true
		}
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
				"type": "forbidden_host",
				"message": "Routex only answers requests addressed to " + listen + ", localhost or a name in allowed_hosts " +
					"(config.json, or " + config.EnvAllowedHosts + "); add the name this gateway is reached by there",
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

// readOnly answers 405 to anything but GET and HEAD, the dashboard's only
// methods.
func readOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}
