package store

import (
	"context"
	"time"
)

// StatsKeys returns per-key totals over [from, to) (zero ends are open),
// most requests first, daily totals of rolled-up rows included; ID 0 is the
// access key. Shares add up to 1 when there are requests.
func (s *Store) StatsKeys(ctx context.Context, from, to time.Time) ([]GroupStats, error) {
	return s.statsByID(ctx, "keys", "key_id", "key_name", from, to)
}
