package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/routex-app/routex/backend/route"
)

// Routing defaults, used when nothing is stored or a field is left zero.
const (
	// DefaultStrategy is the balancing strategy of a fresh install
	// (balance.Priority; balance's tests check that it names a strategy).
	DefaultStrategy = "priority"
	// DefaultLongContextThreshold is the token count above which a request
	// counts as long context.
	DefaultLongContextThreshold = route.DefaultLongContextTokens
	// DefaultBackgroundModel matches the small, fast models coding tools use
	// for titles, summaries and other background work.
	DefaultBackgroundModel = route.DefaultBackgroundModel
)

// Routes is the routing table: scenario -> ordered "channel,model" targets.
// The first target of "default" is the active provider.
type Routes struct {
	Strategy             string              // "priority" by default
	Scenarios            map[string][]string // every one of route.Scenarios, possibly empty; never nil
	LongContextThreshold int                 // default 60000
	Rules                json.RawMessage     // JSON array, "[]" by default
	// Strategies overrides Strategy per scenario; never nil after a read.
	Strategies map[string]string
	// BackgroundModel is the regular expression of model names that count as
	// background requests; "" means DefaultBackgroundModel.
	BackgroundModel string
}

// DefaultRoutes returns the routing table of a fresh install: no targets.
func DefaultRoutes() Routes {
	r := Routes{
		Strategy:             DefaultStrategy,
		Scenarios:            map[string][]string{},
		LongContextThreshold: DefaultLongContextThreshold,
		Rules:                json.RawMessage("[]"),
		Strategies:           map[string]string{},
	}
	fillScenarios(r.Scenarios)
	return r
}

func fillScenarios(m map[string][]string) {
	for _, name := range route.Scenarios {
		if m[name] == nil {
			m[name] = []string{}
		}
	}
}

// Routes returns the stored routing table, or DefaultRoutes when nothing has
// been stored yet.
func (s *Store) Routes(ctx context.Context) (Routes, error) {
	r, err := readRoutes(ctx, s.db)
	if err != nil {
		return Routes{}, fmt.Errorf("store: read routes in %s: %w", s.path, err)
	}
	return r, nil
}

func readRoutes(ctx context.Context, q querier) (Routes, error) {
	r := DefaultRoutes()
	var rules, strategies string
	err := q.QueryRowContext(ctx, `SELECT strategy, long_context_threshold, rules, strategies, background_model
		FROM route_config WHERE id = 1`).
		Scan(&r.Strategy, &r.LongContextThreshold, &rules, &strategies, &r.BackgroundModel)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return Routes{}, err
	default:
		r.Rules = json.RawMessage(rules)
		if err := json.Unmarshal([]byte(strategies), &r.Strategies); err != nil || r.Strategies == nil {
			r.Strategies = map[string]string{}
		}
	}
	rows, err := q.QueryContext(ctx, "SELECT scenario, target FROM routes ORDER BY scenario, position")
	if err != nil {
		return Routes{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var scenario, target string
		if err := rows.Scan(&scenario, &target); err != nil {
			return Routes{}, err
		}
		r.Scenarios[scenario] = append(r.Scenarios[scenario], target)
	}
	return r, rows.Err()
}

// PutRoutes replaces the whole routing table in one transaction, so the
// proxy never sees half a table. Zero Strategy, LongContextThreshold (<= 0)
// and empty Rules are stored as their defaults; Rules must be a JSON array.
// Scenarios outside route.Scenarios are kept, for rules that name their own.
// The Catalog is refreshed on success.
func (s *Store) PutRoutes(ctx context.Context, r Routes) error {
	if err := s.putRoutes(ctx, r); err != nil {
		return fmt.Errorf("store: put routes in %s: %w", s.path, err)
	}
	return s.Reload(ctx)
}

func (s *Store) putRoutes(ctx context.Context, r Routes) error {
	rules, err := jsonArray(r.Rules, "rules")
	if err != nil {
		return err
	}
	if r.Strategy == "" {
		r.Strategy = DefaultStrategy
	}
	if r.LongContextThreshold <= 0 {
		r.LongContextThreshold = DefaultLongContextThreshold
	}
	strategies, err := json.Marshal(r.Strategies)
	if err != nil || r.Strategies == nil {
		strategies = []byte("{}")
	}
	return s.write(ctx, TopicCatalog, func(tx rtx) error {
		return putRoutesTx(ctx, tx, r, rules, string(strategies))
	})
}

func putRoutesTx(ctx context.Context, tx rtx, r Routes, rules, strategies string) error {
	// The route_config upsert comes first: it locks that one row, so on
	// PostgreSQL a second writer waits there until the first commits, and
	// its DELETE then sees (and removes) the first one's targets instead of
	// clashing with them. SQLite's write lock serialises writers anyway.
	if _, err := tx.ExecContext(ctx, `INSERT INTO route_config (id, strategy, long_context_threshold, rules,
		strategies, background_model) VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
		strategy = excluded.strategy, long_context_threshold = excluded.long_context_threshold,
		rules = excluded.rules, strategies = excluded.strategies, background_model = excluded.background_model`,
		r.Strategy, r.LongContextThreshold, rules, strategies, r.BackgroundModel); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM routes"); err != nil {
		return err
	}
	names := make([]string, 0, len(r.Scenarios))
	for name := range r.Scenarios {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for i, target := range r.Scenarios[name] {
			if _, err := tx.ExecContext(ctx, "INSERT INTO routes (scenario, position, target) VALUES (?, ?, ?)",
				name, i, target); err != nil {
				return err
			}
		}
	}
	return nil
}
