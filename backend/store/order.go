package store

import (
	"context"
	"fmt"
)

// ReorderChannels gives the channels ids priorities 1..n in that order, in
// one transaction, so failover never sees half an order. Every id must name
// a channel (else ErrNotFound and nothing changes); channels not listed keep
// their priority. The Catalog is refreshed on success.
func (s *Store) ReorderChannels(ctx context.Context, ids []int64) error {
	if err := s.reorder(ctx, ids); err != nil {
		return fmt.Errorf("store: reorder channels in %s: %w", s.path, err)
	}
	return s.Reload(ctx)
}

func (s *Store) reorder(ctx context.Context, ids []int64) error {
	now := nowMS()
	return s.write(ctx, TopicCatalog, func(tx rtx) error {
		for i, id := range ids {
			res, err := tx.ExecContext(ctx, "UPDATE channels SET priority = ?, updated_at = ? WHERE id = ?", i+1, now, id)
			if err != nil {
				return err
			}
			if err := oneRow(res); err != nil {
				return fmt.Errorf("channel %d: %w", id, err)
			}
		}
		return nil
	})
}
