package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/logging"
)

// alreadyRunning turns a refused engine start (another engine holds the
// home) into a message that names the running engine and what to do.
func alreadyRunning(err error, tr *i18n.Translator) error {
	var locked *config.LockedError
	if !errors.As(err, &locked) {
		return err
	}
	r := locked.Running
	url := r.URL
	if url == "" {
		url = "?"
	}
	return errors.New(tr.T("cli.engineRunning", "home", locked.Home, "pid", strconv.Itoa(r.PID), "url", url))
}

// joinRunning is a desktop launch on a home whose engine already runs: a
// second engine is refused (it would hold other keys in memory and fight
// over the database), so the user gets the running one. The desktop app's
// window is brought forward, as a second click on an app icon does; an
// engine running headless (`routex serve`, a service) gets a window of
// its own dashboard, which leaves the engine running when closed.
func joinRunning(rt Runtime, f *flags, locked *config.LockedError, out io.Writer, tr *i18n.Translator) error {
	home := locked.Home
	r, err := settled(home)
	if err != nil {
		return err
	}
	if r.URL == "" {
		return alreadyRunning(locked, tr)
	}
	cfg, err := config.Load(filepath.Clean(home))
	if err != nil {
		return err
	}
	pid := strconv.Itoa(r.PID)
	if r.Desktop && showWindow(r.URL, cfg.AdminToken) == nil {
		fmt.Fprintln(out, tr.T("cli.windowShown", "pid", pid))
		return nil
	}
	if rt.Attach == nil {
		return alreadyRunning(&config.LockedError{Home: home, Running: r}, tr)
	}
	fmt.Fprintln(out, tr.T("cli.windowAttached", "pid", pid, "url", r.URL))
	// The console only: routex.log belongs to the running engine.
	level := cfg.LogLevel
	if f.logLevel != "" {
		level = f.logLevel
	}
	if lg, err := logging.New(logging.Options{Level: level}); err == nil {
		slog.SetDefault(lg.Logger)
	}
	return rt.Attach(r.URL, cfg.AdminToken)
}

// errHomeFree means the engine that held the home has stopped: the
// caller starts its own.
var errHomeFree = errors.New("the running engine stopped")

// joinWait bounds the wait for an engine that is starting (no address
// yet) or stopping (its address withdrawn, its lock still held): a
// shutdown may take the 15 s grace period.
const joinWait = 25 * time.Second

// settled waits until the home's engine answers at its address, or until
// no engine holds the home (errHomeFree); an empty URL means it did
// neither in time.
func settled(home string) (config.RunningEngine, error) {
	deadline := time.Now().Add(joinWait)
	for {
		r, held := config.Running(home)
		if !held {
			return r, errHomeFree
		}
		if r.URL != "" && answers(r.URL) {
			return r, nil
		}
		if time.Now().After(deadline) {
			return config.RunningEngine{}, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// answers reports whether an engine answers GET url/health.
func answers(url string) bool {
	resp, err := (&http.Client{Timeout: time.Second}).Get(url + "/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// showWindow asks the desktop app at url to bring its window forward.
func showWindow(url, token string) error {
	req, err := http.NewRequest(http.MethodPost, url+"/api/window/show", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 3 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("%s/api/window/show: HTTP %d", url, resp.StatusCode)
	}
	return nil
}
