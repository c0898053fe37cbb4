package engine

import (
	"context"
	"log/slog"
	"net/http"
	"sync"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/keys"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/proxy"
	"github.com/routex-app/routex/backend/store"
)

// The store the engine opens is the whole of what the API needs.
var _ api.Store = (*store.Store)(nil)

// OfflineAPI is the admin API over st when no engine runs, for the CLI: the
// same endpoints and validation as a running engine's, and routing
// explained by the same proxy code over a balancer built from cfg that has
// seen no traffic yet (no failures, no affinity) but skips the channels
// whose stored balance is exhausted, as an engine starting now would. What
// only a running engine has (settings, attaching tools, live events and
// health) is left out, as api.Deps documents.
func OfflineAPI(cfg config.Config, st *store.Store, info api.Info, log *slog.Logger) (*api.Server, error) {
	if log == nil {
		log = slog.Default()
	}
	bal := balance.New(balanceOptions(cfg.Routing))
	p := proxy.New(proxy.Options{Balancer: bal, Logger: log, Timeouts: cfg.Timeouts}, st)
	var srv *api.Server
	var balances sync.Once
	srv, err := api.New(api.Deps{
		Store: st, Keys: keys.New(st, log), Info: info, Log: log,
		Explain: func(f protocol.Format, model string, body []byte, hdr http.Header) (any, error) {
			balances.Do(func() {
				ctx := context.Background()
				reasons, err := exhausted(ctx, st, srv.Thresholds(ctx))
				if err != nil {
					log.Warn("read balances", "error", err)
				}
				bal.SetExhausted(reasons)
			})
			return p.Explain(f, model, body, hdr)
		},
	})
	if err != nil {
		return nil, err
	}
	return srv, nil
}
