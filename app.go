//go:build desktop

package main

import (
	"context"
	_ "embed"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/cli"
	"github.com/routex-app/routex/backend/engine"
	"github.com/routex-app/routex/backend/tray"
)

// App is the desktop shell's lifecycle: Wails calls startup when the window
// exists and shutdown when it closes. The engine was started before the
// window and is stopped by the caller after it. With a tray, closing the
// window only hides it and the engine keeps serving; Quit in the tray (or
// a signal) ends the app.
type App struct {
	ctx    context.Context
	engine *engine.Engine
	// trayUp is set when the tray runs: only then may closing hide.
	trayUp atomic.Bool
	// quitting is set by a real quit, so beforeClose lets it through.
	quitting   atomic.Bool
	trayCancel context.CancelFunc
	trayDone   chan struct{}
}

//go:embed build/appicon.png
var icon []byte

// startup keeps the Wails context and turns SIGINT/SIGTERM into a normal
// quit, so the engine behind the window shuts down gracefully too.
func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sig:
			a.quit()
		case <-ctx.Done():
		}
		signal.Stop(sig)
	}()
	if a.engine == nil {
		return // attached to another process's engine: its tray is that app's
	}
	a.engine.SetShowWindow(func() {
		wruntime.WindowShow(ctx)
		wruntime.WindowUnminimise(ctx)
	})
	a.startTray()
}

// startTray shows the tray icon beside the window when the desktop has a
// tray (on Linux: a D-Bus session bus); without one the app runs as a
// plain window that quits when closed.
//
// Without a tray host (the desktop shows no tray icons) the icon is still
// offered, in case a host starts later, but closing the window quits, and
// the window says once that there is no tray menu.
func (a *App) startTray() {
	if err := tray.Available(); err != nil {
		slog.Info("no tray icon", "reason", err)
		a.engine.SetTray(api.TrayUnavailable, err.Error())
		return
	}
	hosted := tray.HostAvailable() == nil
	if hosted {
		a.engine.SetTray(api.TrayRunning, "")
	} else {
		err := tray.HostAvailable()
		slog.Warn("no tray host: the tray menu will not show and closing the window quits", "reason", err)
		a.engine.SetTray(api.TrayNoHost, err.Error())
	}
	tctx, cancel := context.WithCancel(context.Background())
	a.trayCancel, a.trayDone = cancel, make(chan struct{})
	a.trayUp.Store(hosted)
	go func() {
		defer close(a.trayDone)
		bridge := a.engine.TrayBridge()
		if err := tray.Run(tctx, bridge, trayActions{TrayBridge: bridge, app: a}, tray.Options{Icon: icon}); err != nil {
			a.trayUp.Store(false)
			a.engine.SetTray(api.TrayUnavailable, err.Error())
			slog.Warn("tray icon stopped", "error", err)
		}
	}()
}

// beforeClose hides the window instead of closing it while the tray runs,
// so the engine keeps serving; a real quit passes.
func (a *App) beforeClose(ctx context.Context) (prevent bool) {
	if a.quitting.Load() || !a.trayUp.Load() {
		return false
	}
	wruntime.WindowHide(ctx)
	return true
}

// quit ends the app for real: window, tray, then (in the caller) the engine.
func (a *App) quit() {
	a.quitting.Store(true)
	if a.engine != nil {
		a.engine.Withdraw() // a launch from now on starts its own engine
	}
	wruntime.Quit(a.ctx)
}

// domReady opens the page named by ROUTEX_PAGE (dashboard, channels,
// routing, logs, settings), set by `routex --page`: for scripts that
// screenshot or demonstrate a page, and for desktop shortcuts.
func (a *App) domReady(ctx context.Context) {
	page := os.Getenv("ROUTEX_PAGE")
	if page == "" || strings.ContainsAny(page, "'\"\\<>") {
		return
	}
	wruntime.WindowExecJS(ctx, "location.hash = '#/"+page+"'")
}

func (a *App) shutdown(context.Context) {
	if a.engine != nil {
		a.engine.Withdraw()
	}
	if a.trayCancel == nil {
		return
	}
	a.trayCancel()
	select {
	case <-a.trayDone:
	case <-time.After(2 * time.Second):
		slog.Warn("tray icon did not stop in time")
	}
}

// trayActions is what the tray's clicks do: the engine's bridge changes
// state, the app shows the window or quits.
type trayActions struct {
	*engine.TrayBridge
	app *App
}

func (t trayActions) OpenDashboard() {
	wruntime.WindowShow(t.app.ctx)
	wruntime.WindowUnminimise(t.app.ctx)
}

func (t trayActions) Quit() { t.app.quit() }

var _ tray.Actions = trayActions{}

var desktop cli.DesktopFunc = runWindow

// runWindow opens the dashboard in a Wails window. Static files come from
// the embedded build; every other request (/api, /health) goes in-process to
// the engine, so the window needs no admin token.
func runWindow(e *engine.Engine) error {
	assets, err := fs.Sub(dist, "frontend/dist")
	if err != nil {
		return err
	}
	app := &App{engine: e}
	return wails.Run(&options.App{
		Title:     "Routex",
		Width:     1200,
		Height:    800,
		MinWidth:  800,
		MinHeight: 560,
		AssetServer: &assetserver.Options{
			Assets:     assets,
			Handler:    http.Handler(e.DesktopHandler()),
			Middleware: withCSP,
		},
		OnStartup:     app.startup,
		OnDomReady:    app.domReady,
		OnShutdown:    app.shutdown,
		OnBeforeClose: app.beforeClose,
		Linux:         &linux.Options{ProgramName: "routex", Icon: icon, WebviewGpuPolicy: linux.WebviewGpuPolicyOnDemand},
	})
}
