//go:build desktop

package main

import (
	"context"
	"io/fs"
	"net/http"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"github.com/routex-app/routex/backend/cli"
	"github.com/routex-app/routex/backend/engine"
)

// App is the desktop shell's lifecycle: Wails calls startup when the window
// exists and shutdown when it closes. The engine was started before the
// window and is stopped by the caller after it.
type App struct {
	ctx    context.Context
	engine *engine.Engine
}

func (a *App) startup(ctx context.Context) { a.ctx = ctx }

func (a *App) shutdown(context.Context) {}

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
			Assets:  assets,
			Handler: http.Handler(e.DesktopHandler()),
		},
		OnStartup:  app.startup,
		OnShutdown: app.shutdown,
		Linux:      &linux.Options{ProgramName: "routex", WebviewGpuPolicy: linux.WebviewGpuPolicyOnDemand},
	})
}
