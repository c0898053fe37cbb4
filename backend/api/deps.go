package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/store"
)

// ChannelStore keeps the channels and the routes: what every endpoint
// about routing reads.
type ChannelStore interface {
	Channels(ctx context.Context) ([]store.Channel, error)
	Channel(ctx context.Context, id int64) (store.Channel, error)
	CreateChannel(ctx context.Context, c store.Channel) (store.Channel, error)
	UpdateChannel(ctx context.Context, c store.Channel) (store.Channel, error)
	DeleteChannel(ctx context.Context, id int64) error
	Routes(ctx context.Context) (store.Routes, error)
	PutRoutes(ctx context.Context, r store.Routes) error
}

// Store is everything the API needs of the database, composed of the small
// interfaces each group of endpoints reads. *store.Store implements it,
// checked at compile time where both are wired (package engine), so no
// endpoint has to ask at run time whether the store can do its part.
type Store interface {
	ChannelStore
	Orderer
	ModelStore
	BalanceStore
	SettingsStore
	PriceStore
	LogStore
	StatsStore
	LatencyStore
}

// Deps is everything the API depends on, given at once to New, so a server
// is never half built. Store and Keys are required; every other field
// documents what its zero value means.
type Deps struct {
	// Store is the database. Required.
	Store Store
	// Keys makes, lists and revokes keys per person (*keys.Service).
	// Required.
	Keys KeyManager
	// Info describes the engine for /api/info.
	Info Info
	// Log receives the API's log lines; nil is slog.Default().
	Log *slog.Logger

	// Settings backs /api/settings and login links; nil (the CLI with no
	// engine running) answers them with 503.
	Settings *Settings
	// Clients backs /api/clients (attaching coding tools); nil answers
	// with 503.
	Clients *ClientsConfig
	// Upstream is the client the proxy uses upstream, so a connection test
	// goes through the same transport (proxy settings, timeouts, TLS) as
	// real requests; nil uses http.DefaultClient.
	Upstream *http.Client
	// Explain routes a request body without sending it (the proxy's
	// Explain), for POST /api/routes/explain; nil answers with 503.
	Explain func(f protocol.Format, model string, body []byte, hdr http.Header) (any, error)
	// Events is the live event stream (observe.Hub) at GET /api/events;
	// nil answers with 501.
	Events http.Handler

	// The hooks below tell the running engine, or ask it. Each may be nil
	// where no engine runs (the CLI offline, tests): nothing is told and
	// nothing live is shown.

	// Health is a channel's live health from the balancer.
	Health func(channelID int64) wire.ChannelHealth
	// KeyCooldowns is each of a channel's n keys' rate-limit pause
	// (balance.Balancer.KeyCooldowns).
	KeyCooldowns func(channelID int64, n int) []time.Time
	// ResetHealth is called when a channel's URL, type or keys change or
	// it is deleted: what the balancer learned of the old setup (a pause,
	// failures) says nothing about the new one.
	ResetHealth func(channelID int64)
	// Changed is called after every write through the API with what it
	// changed (ChangedChannels, …), so the engine can tell the window, the
	// tray and other browsers at once.
	Changed func(what string)
	// PricesChanged is called after each price edit, so the engine
	// rebuilds the price table it charges requests with.
	PricesChanged func(ctx context.Context)
	// BalanceChanged is called after a refresh stored a balance or the
	// thresholds changed: the engine re-reads which channels to skip.
	BalanceChanged func()
}

// Settings is the boot configuration the settings API reads and writes.
type Settings struct {
	// Config is config.json's content in Config.Home.
	Config config.Config
	// Keys are the keys the running engine checks; nil makes a holder
	// from Config, which then changes only what this API reports, not
	// what an engine accepts.
	Keys *config.Keys
	// Autostart is the login item start_at_login switches
	// (autostart.Entry); nil where the running binary's path is unknown,
	// and start_at_login cannot be switched on.
	Autostart Autostart
}

// New returns the API server over d; mount its Handler under /api. It
// fails only when a required dependency is missing.
func New(d Deps) (*Server, error) {
	switch {
	case d.Store == nil:
		return nil, errors.New("api: new server: Deps.Store is required")
	case d.Keys == nil:
		return nil, errors.New("api: new server: Deps.Keys is required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	srv := &Server{
		store: d.Store, keys: d.Keys, info: d.Info, log: d.Log, mux: http.NewServeMux(),
		upstream: d.Upstream, explain: d.Explain, health: d.Health, keyCooldowns: d.KeyCooldowns,
		resetHealth: d.ResetHealth, changed: d.Changed, balanceChanged: d.BalanceChanged,
		obs: observeAPI{events: d.Events, pricesChanged: d.PricesChanged, now: time.Now},
	}
	if d.Settings != nil {
		keys := d.Settings.Keys
		if keys == nil {
			keys = config.NewKeys(d.Settings.Config.AccessKey, d.Settings.Config.AdminToken)
		}
		srv.conf = &settingsConf{cfg: d.Settings.Config, keys: keys, login: d.Settings.Autostart}
	}
	if d.Clients != nil {
		srv.clients = &clientsAPI{cfg: *d.Clients}
	}
	srv.routes()
	return srv, nil
}
