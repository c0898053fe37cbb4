package engine

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"slices"
	"strings"
)

// dashboardPages are the pages of the dashboard's hash router
// (frontend/src/lib/router.ts PAGES): "/channels" typed by hand goes to
// "/#/channels".
var dashboardPages = []string{"dashboard", "channels", "routing", "tools", "logs", "keys", "settings"}

// DashboardPages lists the page names redirected into the dashboard.
func DashboardPages() []string { return slices.Clone(dashboardPages) }

// dashboard serves the built frontend: "/", its files, and the page names
// as redirects into its hash router. Anything else is a 404 rather than
// the index page: a client calling /v2/… or a scanner asking for /foo.php
// learns that nothing is there.
func dashboard(assets fs.FS) http.Handler {
	if assets == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" {
				notFound(w, r)
				return
			}
			if !readOnly(w, r) {
				return
			}
			w.Header().Set("Content-Security-Policy", DashboardCSP)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte("Routex is running. This build has no dashboard (frontend/dist was empty at build time).\n"))
		})
	}
	files := http.FileServerFS(assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		page := slices.Contains(dashboardPages, strings.TrimSuffix(name, "/"))
		if name != "" && !page {
			if fi, err := fs.Stat(assets, name); err != nil || fi.IsDir() {
				notFound(w, r)
				return
			}
		}
		if !readOnly(w, r) {
			return
		}
		w.Header().Set("Content-Security-Policy", DashboardCSP)
		if page {
			http.Redirect(w, r, "/#/"+strings.TrimSuffix(name, "/"), http.StatusFound)
			return
		}
		if name == "" || name == "index.html" {
			w.Header().Set("Cache-Control", "no-cache")
		} else if strings.HasPrefix(name, "assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
}

// notFound answers a path Routex does not serve, in JSON like its other
// errors, saying where things are.
func notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"type":    "not_found",
		"message": "Routex serves nothing at " + r.URL.Path + ": the dashboard is at /, the APIs under /v1, /v1beta and /api",
	}})
}
