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
	"os"
	"sync/atomic"
	"time"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/autostart"
	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/keys"
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
	// people checks and counts the keys per person.
	people *keys.Service
	// stopKeys ends the key usage writer; keysDone is closed when it has
	// returned.
	stopKeys context.CancelFunc
	keysDone chan struct{}
	obs      *observability
	// balanceGen counts re-reads of the balances, so the tray knows to
	// re-read them too.
	balanceGen atomic.Int64
	// capture caches the body-capture setting: {until unix nano, on}.
	captureUntil atomic.Int64
	captureOn    atomic.Bool
	// stopWatch ends the watch for other processes' database writes.
	stopWatch context.CancelFunc
	// watching is true from Start on: the watch keeps the change feed.
	watching atomic.Bool
	// watchDone is closed when the watch has returned (and, on
	// PostgreSQL, closed its LISTEN connection).
	watchDone chan struct{}
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

// New opens the store (the SQLite file under cfg.Home, or the PostgreSQL
// database of cfg.DatabaseURL) and builds the handlers. Nothing listens
// until Start.
//
// On PostgreSQL several engines can share one database: channels, routes,
// settings, prices and the request log live there, and each engine's watch
// (from Start) applies the others' changes within moments. What stays in
// each engine's memory is its own: circuit breakers, cooldowns, session
// affinity, round-robin positions, the live event stream and /metrics.
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
	st, err := store.Open(cfg.Database())
	if err != nil {
		lock.Release()
		return nil, fmt.Errorf("engine: %w", err)
	}
	e := &Engine{cfg: cfg, opts: opts, log: opts.Logger, store: st, lock: lock}
	e.stopping, e.endStopping = context.WithCancel(context.Background())
	e.writer = observe.NewWriter(st, 8192, e.log)
	e.bal = balance.New(balanceOptions(cfg.Routing))
	e.keys = config.NewKeys(cfg.AccessKey, cfg.AdminToken)
	e.people = keys.New(st, e.log)
	if err := e.people.Reload(context.Background()); err != nil {
		st.Close()
		lock.Release()
		return nil, fmt.Errorf("engine: %w", err)
	}
	transport := opts.Transport
	if transport == nil {
		transport = proxy.NewTransport(cfg.Timeouts)
	}
	obs, err := newObservability(context.Background(), st, e.writer, e.bal, cfg.Home, e.watching.Load, e.log)
	if err != nil {
		st.Close()
		lock.Release()
		return nil, fmt.Errorf("engine: %w", err)
	}
	e.obs = obs
	obs.recorder.SetInstance(instanceName(cfg, cfg.Listen))
	obs.recorder.SetUsage(e.people.Account)
	// Like the request log writer, the key usage writer runs from New:
	// the handler can serve (tests, the desktop window) before Start.
	keysCtx, stopKeys := context.WithCancel(context.Background())
	e.stopKeys, e.keysDone = stopKeys, make(chan struct{})
	go func() {
		defer close(e.keysDone)
		e.people.Run(keysCtx)
	}()
	// Changes another process or instance made: the catalog the store
	// reloads itself; prices, keys and the cached capture switch are ours.
	// (On SQLite the watch names every change TopicCatalog.)
	st.OnChange(func(t store.Topic) {
		switch t {
		case store.TopicKeys, store.TopicCatalog:
			if err := e.people.Reload(context.Background()); err != nil {
				e.log.Warn("reload keys changed elsewhere", "error", err)
			}
		case store.TopicPrices:
			if err := obs.recorder.ReloadPrices(context.Background(), st); err != nil {
				e.log.Warn("reload prices changed elsewhere", "error", err)
			}
		case store.TopicSettings:
			e.captureUntil.Store(0)
		}
		// Another instance refreshed a balance or changed the thresholds;
		// SQLite reports any other process's write as a catalog change.
		switch t {
		case store.TopicBalances, store.TopicSettings, store.TopicCatalog:
			if err := e.RefreshExhausted(context.Background()); err != nil {
				e.log.Warn("re-read balances changed elsewhere", "error", err)
			}
		}
		// The window follows: a switch from the CLI shows at once.
		obs.hub.Publish(observe.TopicChange, observe.ChangeEvent{What: string(t)})
	})
	var recorder proxy.Recorder = obs.recorder
	if opts.DisableRequestLog {
		recorder = nil
	}
	p := proxy.New(proxy.Options{
		AccessKey: cfg.AccessKey, AccessKeyFunc: e.keys.Access, Timeouts: cfg.Timeouts, Logger: e.log,
		Transport: transport, Recorder: recorder, Balancer: e.bal, CaptureBodies: e.captureBodies,
		Keys:           e.people,
		ProviderModels: e.providerModels,
		BodyIdle:       cfg.Limits.BodyIdle(), BodiesInFlight: cfg.Limits.BodiesInFlight(),
	}, st)
	var login api.Autostart
	if entry, err := autostart.New(); err == nil {
		login = entry
	}
	e.api, err = api.New(api.Deps{
		Store: st, Keys: e.people, Log: e.log,
		Info: api.Info{
			Version: opts.Version, Listen: cfg.Listen, BaseURL: "http://" + cfg.Listen, Home: cfg.Home, Started: time.Now(),
		},
		Settings: &api.Settings{Config: cfg, Keys: e.keys, Autostart: login},
		Clients:  &api.ClientsConfig{BaseURL: "http://" + cfg.Listen, AccessKeyFunc: e.keys.Access, Home: cfg.Home},
		Upstream: &http.Client{Transport: transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		Explain: func(f protocol.Format, model string, body []byte, hdr http.Header) (any, error) {
			return p.Explain(f, model, body, hdr)
		},
		Events:       obs.hub,
		Health:       func(id int64) wire.ChannelHealth { return newHealthView(e.bal.Health(id, time.Now())) },
		KeyCooldowns: func(id int64, n int) []time.Time { return e.bal.KeyCooldowns(id, n, time.Now()) },
		ResetHealth:  e.bal.Reset,
		Changed:      func(what string) { obs.hub.Publish(observe.TopicChange, observe.ChangeEvent{What: what}) },
		PricesChanged: func(ctx context.Context) {
			if err := obs.recorder.ReloadPrices(ctx, st); err != nil {
				e.log.Warn("reload prices", "error", err)
			}
		},
		BalanceChanged: func() {
			if err := e.RefreshExhausted(context.Background()); err != nil {
				e.log.Warn("re-read balances", "error", err)
			}
		},
	})
	if err != nil { // only a missing dependency, a bug: undo what New began
		stopKeys()
		<-e.keysDone
		e.writer.Close(context.Background())
		st.Close()
		lock.Release()
		return nil, fmt.Errorf("engine: %w", err)
	}
	if err := e.RefreshExhausted(context.Background()); err != nil {
		e.log.Warn("read balances", "error", err)
	}
	e.proxy = p
	e.handler = e.routes(p)
	return e, nil
}

// LoginURL is a one-time login link to the dashboard: opened in a browser,
// it signs in without the admin token being copied anywhere.
func (e *Engine) LoginURL() string { return e.URL() + "/#login=" + e.api.NewLoginCode() }

// SetTray tells the window whether the desktop shows the tray icon
// (api.TrayRunning, api.TrayNoHost, api.TrayUnavailable) and why not.
func (e *Engine) SetTray(state, reason string) { e.api.SetTray(state, reason) }

// Handler is the engine's whole HTTP surface, as served on the listener.
func (e *Engine) Handler() http.Handler { return e.handler }

// DesktopHandler serves /api to the desktop window in-process: no token,
// since only the window's own asset server can reach it.
func (e *Engine) DesktopHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", e.api.Handler())
	mux.HandleFunc("GET /health", e.health)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &api.StatusRecorder{ResponseWriter: w, Status: http.StatusOK}
		mux.ServeHTTP(sw, r)
		e.log.Debug("desktop api request", "method", r.Method, "path", r.URL.Path, "status", sw.Status)
	})
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
	e.watching.Store(true)
	e.watchDone = make(chan struct{})
	go func() {
		defer close(e.watchDone)
		if err := e.store.Watch(watchCtx, time.Second); err != nil {
			e.log.Warn("changes by other processes will not be seen until restart", "error", err)
		}
	}()
	go e.retain(watchCtx, time.Hour)
	e.obs.recorder.SetInstance(instanceName(e.cfg, e.addr.String()))
	go e.keepBalances(watchCtx)
	e.publish()
	e.log.Info("engine started", "listen", e.addr.String(), "home", e.cfg.Home,
		"database", e.store.Backend(), "where", e.store.Path(), "instance", instanceName(e.cfg, e.addr.String()))
	if host, _, _ := net.SplitHostPort(e.addr.String()); net.ParseIP(host).IsUnspecified() {
		e.log.Warn("listening on every network interface: other machines can reach /v1 and /api; " +
			"give each person a key, keep the admin token private and put TLS in front (README: Team gateway)")
	}
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
		select {
		case <-e.watchDone:
		case <-time.After(5 * time.Second):
			e.log.Warn("the database watch did not stop in time")
		}
	}
	e.stopKeys()
	<-e.keysDone
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if err := e.people.Flush(wctx); err != nil {
		errs = append(errs, fmt.Errorf("engine: write key usage: %w", err))
	}
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

// instanceName is what the request log calls this instance: the
// configured name, else the host name and the port listened on.
func instanceName(cfg config.Config, listen string) string {
	if cfg.Instance != "" {
		return cfg.Instance
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "routex"
	}
	if _, port, err := net.SplitHostPort(listen); err == nil {
		return host + ":" + port
	}
	return host
}
