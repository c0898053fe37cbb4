package engine_test

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
)

// The dashboard serves its page, its files and its own page names; paths
// that are none of these are 404s, not the dashboard's index.html.
func TestUnknownPathsAreNotTheDashboard(t *testing.T) {
	t.Parallel()
	assets := fstest.MapFS{
		"index.html":        {Data: []byte("<!doctype html><title>Routex</title>")},
		"assets/app-1a2.js": {Data: []byte("console.log(1)")},
		"favicon.svg":       {Data: []byte("<svg/>")},
	}
	e := newTestEngine(t, func(_ *config.Config, o *engine.Options) { o.Assets = assets })
	srv := serve(t, e)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		method, path string
		status       int
		want         string // in the body, or the Location of a redirect
	}{
		{"GET", "/", 200, "<title>Routex</title>"},
		{"GET", "/assets/app-1a2.js", 200, "console.log"},
		{"GET", "/favicon.svg", 200, "<svg/>"},
		{"GET", "/channels", 302, "/#/channels"},
		{"GET", "/logs/", 302, "/#/logs"},
		{"GET", "/v2/messages", 404, "nothing at /v2/messages"},
		{"POST", "/v2/messages", 404, "nothing at /v2/messages"},
		{"GET", "/foo.php", 404, "nothing at /foo.php"},
		{"GET", "/assets/", 404, "nothing at"},
		{"GET", "/.env", 404, "nothing at"},
		{"DELETE", "/", 405, ""},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(""))
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(resp)
		got := body
		if resp.StatusCode == http.StatusFound {
			got = resp.Header.Get("Location")
		}
		if resp.StatusCode != tc.status || !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: %d %q, want %d with %q", tc.method, tc.path, resp.StatusCode, got, tc.status, tc.want)
		}
	}
}

// The redirects follow the dashboard's own router, so they break if a page
// is renamed there and not here.
func TestDashboardPagesMatchTheRouter(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../../frontend/src/lib/router.ts")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`PAGES = \[([^\]]*)\]`).FindSubmatch(src)
	if m == nil {
		t.Fatal("no PAGES in router.ts")
	}
	var pages []string
	for _, q := range regexp.MustCompile(`'([a-z]+)'`).FindAllSubmatch(m[1], -1) {
		pages = append(pages, string(q[1]))
	}
	if !slices.Equal(pages, engine.DashboardPages()) {
		t.Errorf("router.ts pages %v, the engine redirects %v", pages, engine.DashboardPages())
	}
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
