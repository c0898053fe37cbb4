// Package cli holds Routex's cobra commands. The desktop window is passed in
// by the entry point, so this package never imports Wails.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/logging"
)

// DesktopFunc runs the desktop window around a started engine and returns
// when the user quits.
type DesktopFunc func(e *engine.Engine) error

// Runtime is what the entry point provides.
type Runtime struct {
	Version string
	Assets  fs.FS
	// Desktop is nil in builds without a window (the headless build).
	Desktop DesktopFunc
	// Attach opens the window on an engine that already runs headless on
	// this home, reached at url with the admin token; nil without a
	// window.
	Attach func(url, adminToken string) error
}

// flags shared by every command that starts the engine.
type flags struct {
	home     string
	listen   string
	logLevel string
	page     string
}

// NewRoot builds the command tree: `routex` (desktop), `routex serve`,
// `routex version`.
func NewRoot(rt Runtime) *cobra.Command {
	tr := i18n.FromEnv()
	f := &flags{}
	root := &cobra.Command{
		Use:           "routex",
		Short:         tr.T("cli.rootShort"),
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       rt.Version,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			switch {
			case rt.Desktop == nil:
				fmt.Fprintln(out, tr.T("cli.noDesktop"))
			case !hasDisplay():
				fmt.Fprintln(out, tr.T("cli.noDisplay"))
			default:
				if f.page != "" {
					os.Setenv("ROUTEX_PAGE", f.page) // read by the window once its page has loaded
				}
				return runDesktop(rt, f, out, tr)
			}
			return serve(cmd.Context(), out, rt, f, tr)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&f.home, "home", "", tr.T("cli.flagHome"))
	pf.StringVar(&f.listen, "listen", "", tr.T("cli.flagListen"))
	pf.StringVar(&f.logLevel, "log-level", "", tr.T("cli.flagLogLevel"))
	root.Flags().StringVar(&f.page, "page", "", tr.T("cli.flagPage"))

	root.AddCommand(&cobra.Command{
		Use:   "serve",
		Short: tr.T("cli.serveShort"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), cmd.OutOrStdout(), rt, f, tr)
		},
	})
	root.AddCommand(newRouteCmd(f, tr, rt.Version))
	root.AddCommand(newClaudeCmd(f, tr))
	root.AddCommand(newGeminiCmd(f, tr))
	root.AddCommand(newCodexCmd(f, tr))
	root.AddCommand(newEnvCmd(f, tr))
	root.AddCommand(newChannelCmd(f, tr, rt.Version))
	root.AddCommand(newKeyCmd(f, tr, rt.Version))
	root.AddCommand(newModelCmd(f, tr, rt.Version))
	root.AddCommand(newStatusCmd(f, tr, rt.Version))
	root.AddCommand(newDoctorCmd(f, tr, rt.Version))
	root.AddCommand(newExportCmd(f, tr, rt.Version))
	root.AddCommand(newImportCmd(f, tr, rt.Version))
	root.AddCommand(newHealthCmd(f, tr))
	root.AddCommand(newDashboardCmd(f, tr, rt.Version))
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: tr.T("cli.versionShort"),
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "routex %s (%s, %s/%s)\n", rt.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	})
	return root
}

// hasDisplay reports whether a window can open. Only Linux and the BSDs
// need an X or Wayland display; macOS and Windows always have one.
func hasDisplay() bool {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// started is a running engine with its logger.
type started struct {
	eng *engine.Engine
	log *logging.Logger
	cfg config.Config
}

// boot loads the config, sets up logging, opens the engine and starts it.
// desktop marks the engine as the desktop app's.
func boot(rt Runtime, f *flags, desktop bool) (*started, error) {
	// --home is used directly rather than written to ROUTEX_HOME: setting
	// the process environment would leak into everything else running in it.
	home, err := config.Home()
	if f.home != "" {
		home, err = filepath.Abs(f.home)
	}
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(home)
	if err != nil {
		return nil, err
	}
	if f.listen != "" {
		cfg.Listen = f.listen
	}
	if f.logLevel != "" {
		cfg.LogLevel = f.logLevel
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	lg, err := logging.New(logging.Options{Level: cfg.LogLevel, Dir: config.LogDir(home)})
	if err != nil {
		return nil, err
	}
	eng, err := engine.New(cfg, engine.Options{Version: rt.Version, Logger: lg.Logger, Assets: rt.Assets, Desktop: desktop})
	if err != nil {
		lg.Close()
		return nil, err
	}
	if err := eng.Start(); err != nil {
		eng.Stop(context.Background())
		lg.Close()
		return nil, err
	}
	return &started{eng: eng, log: lg, cfg: cfg}, nil
}

func (s *started) stop() error {
	err := s.eng.Stop(context.Background())
	s.log.Close()
	return err
}

// serve runs the engine headless until SIGINT or SIGTERM.
func serve(ctx context.Context, out io.Writer, rt Runtime, f *flags, tr *i18n.Translator) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// Listen for the signals before the engine starts: one that comes while
	// it is still starting (it answers /health before it has written
	// engine.json) then stops it gracefully too.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := boot(rt, f, false)
	if err != nil {
		return alreadyRunning(err, tr)
	}
	url := s.eng.URL()
	cfgPath := config.Path(s.cfg.Home)
	fmt.Fprintln(out, tr.T("cli.listening", "url", url))
	fmt.Fprintln(out, tr.T("cli.dashboard", "url", url+"/"))
	fmt.Fprintln(out, tr.T("cli.loginLink", "url", s.eng.LoginURL()))
	// Keys the environment sets (a container's secrets) override the ones
	// in config.json: point at what is in force.
	if from := s.cfg.AdminTokenFrom; from != "" {
		fmt.Fprintln(out, tr.T("cli.adminTokenFrom", "from", from))
	} else {
		fmt.Fprintln(out, tr.T("cli.adminToken", "config", cfgPath))
	}
	if from := s.cfg.AccessKeyFrom; from != "" {
		fmt.Fprintln(out, tr.T("cli.claudeHintFrom", "url", url, "from", from))
	} else {
		fmt.Fprintln(out, tr.T("cli.claudeHint", "url", url, "config", cfgPath))
	}

	<-ctx.Done()
	stop() // a second signal now kills at once
	fmt.Fprintln(out, tr.T("cli.shuttingDown"))
	start := time.Now()
	err = s.stop()
	fmt.Fprintln(out, tr.T("cli.stopped"), time.Since(start).Round(time.Millisecond))
	return err
}

// runDesktop runs the engine inside the desktop window. When an engine
// already runs on the home, the window goes to it instead (joinRunning).
func runDesktop(rt Runtime, f *flags, out io.Writer, tr *i18n.Translator) error {
	s, err := boot(rt, f, true)
	var locked *config.LockedError
	if errors.As(err, &locked) {
		err = joinRunning(rt, f, locked, out, tr)
		if !errors.Is(err, errHomeFree) {
			return err // joined (or refused)
		}
		// The running engine was on its way out: start ours.
		s, err = boot(rt, f, true)
		err = alreadyRunning(err, tr)
	}
	if err != nil {
		return err
	}
	werr := rt.Desktop(s.eng)
	if err := s.stop(); err != nil && werr == nil {
		werr = err
	}
	return werr
}
