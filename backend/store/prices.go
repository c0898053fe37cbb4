package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/routex-app/routex/backend/pricing"
)

// Prices returns the prices the user set, sorted by model, with Source
// "user". Shipped defaults are not stored: they come from pricing.Defaults,
// so a new Routex brings new defaults without a migration.
func (s *Store) Prices(ctx context.Context) ([]pricing.Price, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT model, input, output, cache_read, cache_write
		FROM prices ORDER BY model COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("store: read prices in %s: %w", s.path, err)
	}
	defer rows.Close()
	out := []pricing.Price{}
	for rows.Next() {
		p := pricing.Price{Source: pricing.SourceUser}
		if err := rows.Scan(&p.Model, &p.Input, &p.Output, &p.CacheRead, &p.CacheWrite); err != nil {
			return nil, fmt.Errorf("store: read prices in %s: %w", s.path, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read prices in %s: %w", s.path, err)
	}
	return out, nil
}

// PutPrice stores p as the user's price for its model pattern, replacing
// any price stored for the same pattern (compared without regard to case).
// An invalid price wraps pricing.ErrInvalidPrice.
func (s *Store) PutPrice(ctx context.Context, p pricing.Price) error {
	p.Model = strings.TrimSpace(p.Model)
	if err := p.Validate(); err != nil {
		return fmt.Errorf("store: write price in %s: %w", s.path, err)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO prices (model, input, output, cache_read, cache_write, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (model) DO UPDATE SET model = excluded.model, input = excluded.input,
			output = excluded.output, cache_read = excluded.cache_read,
			cache_write = excluded.cache_write, updated_at = excluded.updated_at`,
		p.Model, p.Input, p.Output, p.CacheRead, p.CacheWrite, nowMS())
	if err != nil {
		return fmt.Errorf("store: write price for %s in %s: %w", p.Model, s.path, err)
	}
	return nil
}

// DeletePrice removes the user's price for model (without regard to case),
// so the default, if any, applies again. ErrNotFound when none was set.
func (s *Store) DeletePrice(ctx context.Context, model string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM prices WHERE model = ?`, strings.TrimSpace(model))
	if err != nil {
		return fmt.Errorf("store: delete price for %s in %s: %w", model, s.path, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: delete price for %s in %s: %w", model, s.path, err)
	} else if n == 0 {
		return fmt.Errorf("store: price for %s in %s: %w", model, s.path, ErrNotFound)
	}
	return nil
}
