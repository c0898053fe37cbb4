package store

import (
	"context"
	"fmt"
)

// Catalog is an immutable in-memory snapshot of channels and routes for the
// proxy's hot path, so a request never touches SQLite. Callers must not
// modify what it holds; a new snapshot replaces it whole.
type Catalog struct {
	Channels []Channel // ordered by priority, then id
	Routes   Routes
}

// Catalog returns the current snapshot. It never returns nil for a Store
// returned by Open. Safe for concurrent use; costs one atomic load.
func (s *Store) Catalog() *Catalog { return s.catalog.Load() }

// Reload re-reads channels and routes from the database in one read
// transaction and replaces the Catalog. Writes through this Store reload by
// themselves; call Reload after another process (the CLI, say) or instance
// has written the database (Watch does).
func (s *Store) Reload(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	c, err := s.readCatalog(ctx)
	if err != nil {
		return fmt.Errorf("store: reload catalog from %s: %w", s.path, err)
	}
	s.catalog.Store(c)
	return nil
}

func (s *Store) readCatalog(ctx context.Context) (*Catalog, error) {
	// One snapshot for both tables, without taking SQLite's write lock.
	tx, err := s.db.BeginTx(ctx, s.d.readTx())
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	chans, err := readChannels(ctx, tx)
	if err != nil {
		return nil, err
	}
	routes, err := readRoutes(ctx, tx)
	if err != nil {
		return nil, err
	}
	return &Catalog{Channels: chans, Routes: routes}, nil
}
