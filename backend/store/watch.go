package store

import (
	"context"
	"fmt"
	"time"
)

// Watch reloads the Catalog when another process (the CLI with no engine
// to talk to, a second Routex) or another instance on the same PostgreSQL
// database writes to it, so the proxy, the window and the tray see the
// change within about interval, and runs the OnChange functions. It returns
// when ctx ends.
//
// On SQLite it polls PRAGMA data_version on one dedicated connection: the
// number changes when any other connection commits, so the poll costs one
// tiny query. On PostgreSQL it listens for the change notices writes send
// (see watchPostgres).
func (s *Store) Watch(ctx context.Context, interval time.Duration) error {
	if s.d.pg {
		return s.watchPostgres(ctx, interval)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: watch %s: %w", s.path, err)
	}
	defer conn.Close()
	version := func() (int64, error) {
		var v int64
		err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
		return v, err
	}
	last, err := version()
	if err != nil {
		return fmt.Errorf("store: watch %s: %w", s.path, err)
	}
	// Whatever was written before the first reading counts too.
	if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
		return fmt.Errorf("store: watch %s: %w", s.path, err)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		v, err := version()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			continue // a busy database; try again next tick
		}
		if v != last {
			last = v
			// Our own writes also change the number (other pooled
			// connections); reloading after them is harmless.
			if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
				continue
			}
			s.changed(TopicCatalog)
		}
	}
}
