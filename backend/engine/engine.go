// Package engine composes Routex: it opens the store, builds the proxy, the
// admin API and the dashboard handler, and owns the HTTP server's life. The
// desktop app and `routex serve` both run exactly this.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/observe"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/proxy"
	"github.com/routex-app/routex/backend/store"
)

// Options carries what the entry points know and the engine does not.
type Options struct {
	Version string
	Logger  *slog.Logger
	// Assets is the built dashboard (frontend/dist); nil serves a notice.
	Assets fs.FS
	// Transport overrides the upstream transport (tests, benchmarks).
	Transport http.RoundTripper
	// ShutdownGrace bounds how long Stop waits for requests in flight.
	ShutdownGrace time.Duration
	// DisableRequestLog gives the proxy no recorder: no request log, cost,
	// metrics or live events. Benchmarks use it to measure what recording
	// costs; Routex itself always records.
	DisableRequestLog bool
	// Desktop is set by the desktop app: engine.json says so, so a second
	// launch asks this one to show its window (see SetShowWindow).
	Desktop bool
}

// Engine is one running Routex. Start and Stop are not safe to call
// concurrently with each other; everything else is.
type Engine struct {
	cfg    config.Config
	opts   Options
	log    *slog.Logger
	store  *store.Store
	writer *observe.Writer
	api    *api.Server
	bal    *balance.Balancer
	keys   *config.Keys
	obs    *observability
	// capture caches the body-capture setting: {until unix nano, on}.
	captureUntil atomic.Int64
	captureOn    atomic.Bool
	// stopWatch ends the watch for other processes' database writes.
	stopWatch context.CancelFunc
	handler   http.Handler
	proxy     *proxy.Handler
	lock      *config.HomeLock
	// stopping ends with Stop: long-lived event streams end with it.
	stopping    context.Context
	endStopping context.CancelFunc
	window      atomic.Pointer[func()]
	server      *http.Server
	addr        net.Addr
	served      chan error
}

// New opens the store under cfg.Home and builds the handlers. Nothing
// listens until Start.
func New(cfg config.Config, opts Options) (*Engine, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 15 * time.Second
	}
	lock, err := config.LockHome(cfg.Home)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	st, err := store.Open(config.DatabasePath(cfg.Home))
	if err != nil {
		lock.Release()
		return nil, fmt.Errorf("engine: %w", err)
	}
	e := &Engine{cfg: cfg, opts: opts, log: opts.Logger, store: st, lock: lock}
	e.stopping, e.endStopping = context.WithCancel(context.Background())
	e.writer = observe.NewWriter(st, 8192, e.log)
	e.bal = balance.New(balanceOptions(cfg.Routing))
	e.keys = config.NewKeys(cfg.AccessKey, cfg.AdminToken)
	transport := opts.Transport
	if transport == nil {
		transport = proxy.NewTransport(cfg.Timeouts)
	}
	obs, err := newObservability(context.Background(), st, e.writer, e.bal, cfg.Home, e.log)
	if err != nil {
		st.Close()
		lock.Release()
		return nil, fmt.Errorf("engine: %w", err)
	}
	e.obs = obs
	var recorder proxy.Recorder = obs.recorder
	if opts.DisableRequestLog {
		recorder = nil
	}
	p := proxy.New(proxy.Options{
		AccessKey: cfg.AccessKey, AccessKeyFunc: e.keys.Access, Timeouts: cfg.Timeouts, Logger: e.log,
		Transport: transport, Recorder: recorder, Balancer: e.bal, CaptureBodies: e.captureBodies,
		BodyIdle: cfg.Limits.BodyIdle(), BodiesInFlight: cfg.Limits.BodiesInFlight(),
	}, st)
	e.api = api.New(st, api.Info{
		Version: opts.Version, Listen: cfg.Listen, BaseURL: "http://" + cfg.Listen, Home: cfg.Home, Started: time.Now(),
	}, e.log)
	e.api.SetConfig(cfg, e.keys)
	e.api.SetEvents(obs.hub)
	e.api.SetPricesChanged(func(ctx context.Context) {
		if err := obs.recorder.ReloadPrices(ctx, st); err != nil {
			e.log.Warn("reload prices", "error", err)
		}
	})
	e.api.SetUpstreamClient(&http.Client{Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }})
	e.api.SetClients(api.ClientsConfig{BaseURL: "http://" + cfg.Listen, AccessKeyFunc: e.keys.Access, Home: cfg.Home})
	e.api.SetHealth(func(id int64) any { return newHealthView(e.bal.Health(id, time.Now())) })
	e.api.SetExplainer(func(f protocol.Format, model string, body []byte, hdr http.Header) (any, error) {
		return p.Explain(f, model, body, hdr)
	})
	e.proxy = p
	e.handler = e.routes(p)
	return e, nil
}

// Handler is the engine's whole HTTP surface, as served on the listener.
func (e *Engine) Handler() http.Handler { return e.handler }

// DesktopHandler serves /api to the desktop window in-process: no token,
// since only the window's own asset server can reach it.
func (e *Engine) DesktopHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", e.api.Handler())
	mux.HandleFunc("GET /health", e.health)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(sw, r)
		e.log.Debug("desktop api request", "method", r.Method, "path", r.URL.Path, "status", sw.status)
	})
}

// statusWriter remembers the status code for a log line.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Store gives the CLI and the desktop shell the engine's database.
func (e *Engine) Store() *store.Store { return e.store }

// Config returns the settings the engine runs with.
func (e *Engine) Config() config.Config { return e.cfg }

// Start listens on the configured address and serves in the background.
func (e *Engine) Start() error {
	ln, err := net.Listen("tcp", e.cfg.Listen)
	if err != nil {
		return fmt.Errorf("engine: listen on %s (is another Routex running? use --listen to pick another port): %w", e.cfg.Listen, err)
	}
	e.addr = ln.Addr()
	e.server = &http.Server{
		Handler:           e.handler,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelDebug),
	}
	e.served = make(chan error, 1)
	go func() { e.served <- e.server.Serve(ln) }()
	watchCtx, stopWatch := context.WithCancel(context.Background())
	e.stopWatch = stopWatch
	go func() {
		if err := e.store.Watch(watchCtx, time.Second); err != nil {
			e.log.Warn("changes by other processes will not be seen until restart", "error", err)
		}
	}()
	go e.retain(watchCtx, time.Hour)
	e.publish()
	e.log.Info("engine started", "listen", e.addr.String(), "home", e.cfg.Home)
	return nil
}

// URL is the base URL clients use, with the port actually bound.
func (e *Engine) URL() string {
	if e.addr == nil {
		return "http://" + e.cfg.Listen
	}
	host, port, _ := net.SplitHostPort(e.addr.String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Stop lets requests in flight finish (up to ShutdownGrace, or ctx), then
// drains the request log and closes the database.
func (e *Engine) Stop(ctx context.Context) error {
	e.lock.Unpublish() // from now on, this engine is not one to join
	e.endStopping()
	var errs []error
	if e.server != nil {
		sctx, cancel := context.WithTimeout(ctx, e.opts.ShutdownGrace)
		err := e.server.Shutdown(sctx)
		cancel()
		if err != nil {
			e.log.Warn("requests still running after the grace period get an error", "error", err)
			e.cutInFlight()
			e.server.Close()
		}
		if serr := <-e.served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			errs = append(errs, serr)
		}
		e.server = nil // a second Stop must not wait on served again
	}
	if e.stopWatch != nil {
		e.stopWatch()
	}
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if err := e.writer.Close(wctx); err != nil {
		errs = append(errs, fmt.Errorf("engine: drain request log: %w", err))
	}
	cancel()
	if err := e.store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("engine: close store: %w", err))
	}
	if err := e.lock.Release(); err != nil {
		errs = append(errs, err)
	}
	e.log.Info("engine stopped")
	return errors.Join(errs...)
}
