package engine

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// metricsAccess guards /metrics: it names every channel and counts every
// request, so it needs the admin token or config's metrics.token as a
// bearer token, unless metrics.public is set. The access key (for /v1) is
// not enough: any tool configured with it could read the metrics.
func (e *Engine) metricsAccess(next http.Handler) http.Handler {
	if e.cfg.Metrics.Public {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := ""
		if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
			got = strings.TrimSpace(a[7:])
		}
		if !tokenIs(got, e.keys.Admin()) && !tokenIs(got, e.cfg.Metrics.Token) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("WWW-Authenticate", `Bearer realm="routex metrics"`)
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte("metrics need Authorization: Bearer <metrics.token or admin_token from config.json>, or metrics.public: true in config.json\n"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tokenIs compares a presented token in constant time; an empty expected
// token matches nothing.
func tokenIs(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// DashboardCSP is the dashboard's Content-Security-Policy, in the browser
// and in the desktop window: its own scripts only (no inline or eval'd
// script, so an injected string cannot run), its own API, no plugins, no
// framing, no foreign form targets. Inline styles stay allowed: WebKit
// (the desktop window, Safari) renders the dashboard blank without them,
// and a style cannot run code.
const DashboardCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
