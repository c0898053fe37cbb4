package engine_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
)

// A second engine on the same home is refused, naming where the first one
// listens; once the first stops, the home is free.
func TestOneEnginePerHome(t *testing.T) {
	t.Parallel()
	var cfg config.Config
	first := newTestEngine(t, func(c *config.Config, _ *engine.Options) { cfg = *c })
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	second, err := engine.New(cfg, engine.Options{Logger: slog.New(slog.DiscardHandler)})
	var locked *config.LockedError
	if !errors.As(err, &locked) || locked.Running.URL != first.URL() || locked.Running.PID != os.Getpid() {
		if second != nil {
			second.Stop(context.Background())
		}
		t.Fatalf("a second engine on the home: %v, want a refusal naming %s", err, first.URL())
	}
	if r, ok := config.Running(cfg.Home); !ok || r.URL != first.URL() {
		t.Errorf("config.Running = %+v, %v", r, ok)
	}
	if err := first.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := config.Running(cfg.Home); ok {
		t.Error("the home still reads as running after Stop")
	}
	again, err := engine.New(cfg, engine.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("an engine after the first stopped: %v", err)
	}
	again.Stop(context.Background())
}

// The desktop app's engine shows its window when another launch asks, with
// the admin token; a headless engine has no window to show.
func TestShowWindowOnRequest(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	srv := serve(t, e)
	post := func(token string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/window/show", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(testAdminToken); got != http.StatusNotFound {
		t.Errorf("headless: %d, want 404", got)
	}
	shown := 0
	e.SetShowWindow(func() { shown++ })
	if got := post("wrong"); got != http.StatusUnauthorized || shown != 0 {
		t.Errorf("wrong token: %d, shown %d", got, shown)
	}
	if got := post(testAdminToken); got != http.StatusNoContent || shown != 1 {
		t.Errorf("desktop: %d, shown %d; want 204, 1", got, shown)
	}
	// A quitting app withdraws: no window to show, no address to join.
	e.Withdraw()
	if got := post(testAdminToken); got != http.StatusNotFound || shown != 1 {
		t.Errorf("after Withdraw: %d, shown %d; want 404, 1", got, shown)
	}
	if r, held := config.Running(e.Config().Home); held && r.URL != "" {
		t.Errorf("after Withdraw the home still names %s", r.URL)
	}
}

// An open live-event stream (a dashboard left open) does not hold Stop
// for its grace period.
func TestEventStreamsEndAtStop(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, func(_ *config.Config, o *engine.Options) { o.ShutdownGrace = 10 * time.Second })
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, e.URL()+"/api/events", nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/events: %d", resp.StatusCode)
	}
	began := time.Now()
	if err := e.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > 3*time.Second {
		t.Errorf("Stop took %v with an event stream open (grace 10 s)", d)
	}
}
