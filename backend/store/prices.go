package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/routex-app/routex/backend/pricing"
)

// Prices returns the prices the user set, sorted by model, with Source
// "user". Shipped defaults are not stored: they come from pricing.Defaults,
// so a new Routex brings new defaults without a migration.
func (s *Store) Prices(ctx context.Context) ([]pricing.Price, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT model, input, output, cache_read, cache_write
		FROM prices ORDER BY `+s.d.nocase("model"))
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
	// The conflict target is the model compared without case: the NOCASE
	// primary key in SQLite, the unique index on lower(model) in PostgreSQL.
	conflict := "(model)"
	if s.d.pg {
		conflict = "((lower(model)))"
	}
	err := s.write(ctx, TopicPrices, func(tx rtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO prices (model, input, output, cache_read, cache_write, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT `+conflict+` DO UPDATE SET model = excluded.model, input = excluded.input,
			output = excluded.output, cache_read = excluded.cache_read,
			cache_write = excluded.cache_write, updated_at = excluded.updated_at`,
			p.Model, p.Input, p.Output, p.CacheRead, p.CacheWrite, nowMS())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: write price for %s in %s: %w", p.Model, s.path, err)
	}
	return nil
}

// DeletePrice removes the user's price for model (without regard to case),
// so the default, if any, applies again. ErrNotFound when none was set.
func (s *Store) DeletePrice(ctx context.Context, model string) error {
	var n int64
	err := s.write(ctx, TopicPrices, func(tx rtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM prices WHERE `+s.d.nocase("model")+` = `+s.d.nocase("?"),
			strings.TrimSpace(model))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound // nothing changed: roll back, announce nothing
		}
		return nil
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("store: price for %s in %s: %w", model, s.path, ErrNotFound)
	case err != nil:
		return fmt.Errorf("store: delete price for %s in %s: %w", model, s.path, err)
	}
	return nil
}
