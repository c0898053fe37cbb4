//go:build !desktop

package main

import "github.com/routex-app/routex/backend/cli"

// desktop is nil in builds without the desktop tag: `routex` then runs
// headless, which is what servers and containers want.
var desktop cli.DesktopFunc

// desktopAttach is nil without a window: a second `routex` on a running
// home then says where that engine is.
var desktopAttach func(url, adminToken string) error
