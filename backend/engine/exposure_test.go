package engine_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
)

// /metrics names every channel: it needs the admin token or the metrics
// token, unless metrics.public opts out. /health/ready answers anyone and
// says nothing of where Routex keeps its files.
func TestMetricsAndReadinessExposeNothingWithoutAKey(t *testing.T) {
	t.Parallel()
	const metricsToken = "rxm-scraper-token-4f2a9c"
	e := newTestEngine(t, func(c *config.Config, _ *engine.Options) { c.Metrics.Token = metricsToken })
	srv := serve(t, e)
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readAll(resp)
	}
	for _, tc := range []struct {
		token  string
		status int
	}{{"", 401}, {testAccessKey, 401}, {"wrong", 401}, {testAdminToken, 200}, {metricsToken, 200}} {
		status, body := get("/metrics", tc.token)
		if status != tc.status {
			t.Errorf("/metrics with %q: %d, want %d", tc.token, status, tc.status)
		}
		if status == 200 && !strings.Contains(body, "routex_") {
			t.Errorf("/metrics with a token served no metrics: %.200s", body)
		}
	}
	status, body := get("/health/ready", "")
	if status != 200 && status != 503 {
		t.Errorf("/health/ready: %d", status)
	}
	if home := e.Config().Home; strings.Contains(body, home) || !strings.Contains(body, `"disk"`) {
		t.Errorf("/health/ready shows the home folder %s (or has no disk check): %s", home, body)
	}

	public := newTestEngine(t, func(c *config.Config, _ *engine.Options) { c.Metrics.Public = true })
	psrv := serve(t, public)
	resp, err := testClient.Get(psrv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	if readAll(resp); resp.StatusCode != 200 {
		t.Errorf("/metrics with metrics.public: %d, want 200 without a token", resp.StatusCode)
	}
}

// The dashboard page carries a Content-Security-Policy: only its own
// scripts, no inline script, no framing.
func TestDashboardHasAContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	srv := serve(t, newTestEngine(t))
	resp, err := testClient.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	readAll(resp)
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	script, _, _ := strings.Cut(csp[strings.Index(csp, "script-src")+1:], ";")
	if strings.Contains(csp, "unsafe-eval") || strings.Contains(script, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q allows inline or eval'd script", csp)
	}
}
