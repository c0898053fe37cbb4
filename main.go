// Command routex is a local AI gateway for coding tools. With no subcommand
// it opens the desktop app; `routex serve` runs the same engine headless.
package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"

	"github.com/routex-app/routex/backend/cli"
	"github.com/routex-app/routex/backend/i18n"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

//go:embed all:frontend/dist
var dist embed.FS

func main() {
	assets, err := fs.Sub(dist, "frontend/dist")
	if err != nil {
		assets = nil
	}
	root := cli.NewRoot(cli.Runtime{Version: version, Assets: assets, Desktop: desktop, Attach: desktopAttach})
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, i18n.FromEnv().T("cli.startFailed", "error", err.Error()))
		os.Exit(1)
	}
}
