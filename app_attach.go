//go:build desktop

package main

import (
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/engine"
)

var desktopAttach = runAttached

// runAttached opens the dashboard window on an engine that already runs
// headless on this home (`routex serve`, a service), since a second engine
// may not start there. Static files come from the embedded build; /api and
// /health go to that engine with its admin token, as the window's own
// requests go in-process to the app's engine. The engine belongs to the
// other process: closing this window leaves it running, and there is no
// tray.
func runAttached(base, adminToken string) error {
	assets, err := fs.Sub(dist, "frontend/dist")
	if err != nil {
		return err
	}
	target, err := url.Parse(base)
	if err != nil {
		return err
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Header.Set("Authorization", "Bearer "+adminToken)
		},
		FlushInterval: -1, // /api/events is a stream
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &api.StatusRecorder{ResponseWriter: w, Status: http.StatusOK}
		proxy.ServeHTTP(sw, r)
		slog.Debug("desktop api request", "attached", base, "method", r.Method, "path", r.URL.Path, "status", sw.Status)
	})
	app := &App{}
	return wails.Run(&options.App{
		Title:     "Routex",
		Width:     1200,
		Height:    800,
		MinWidth:  800,
		MinHeight: 560,
		AssetServer: &assetserver.Options{
			Assets:     assets,
			Handler:    handler,
			Middleware: withCSP,
		},
		OnStartup:  app.startup,
		OnDomReady: app.domReady,
		Linux:      &linux.Options{ProgramName: "routex", Icon: icon, WebviewGpuPolicy: linux.WebviewGpuPolicyOnDemand},
	})
}

// withCSP gives the window's pages the dashboard's Content-Security-Policy,
// as the engine gives them to a browser.
func withCSP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", engine.DashboardCSP)
		next.ServeHTTP(w, r)
	})
}
