//go:build desktop

package main

import (
	"context"
	_ "embed"
	"io/fs"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

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
			wruntime.Quit(ctx)
		case <-ctx.Done():
		}
		signal.Stop(sig)
	}()
}

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
		Linux:      &linux.Options{ProgramName: "routex", Icon: icon, WebviewGpuPolicy: linux.WebviewGpuPolicyOnDemand},
	})
}
