package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// admitBatchPG adds the usage rows in order (none is fine) and runs
// admitSQL with args on one connection of the counters' pool, sent
// together as one pgx batch: one round trip, in one implicit transaction,
// so the check sees the usage, and a failure of either adds nothing. pgx
// prepares each statement once per connection and reuses it after. It
// returns the minute's count and whether the request was admitted.
func (s *Store) admitBatchPG(ctx context.Context, order []usageRow, sums map[usageRow]usageAdd, args []any) (int64, bool, error) {
	b := &pgx.Batch{}
	if len(order) > 0 {
		q, uargs := usageUpsert(order, sums)
		b.Queue(s.d.rebind(q), uargs...)
	}
	b.Queue(s.d.rebind(admitSQL), args...)
	conn, err := s.counters.Conn(ctx)
	if err != nil {
		return 0, false, err
	}
	defer conn.Close()
	var n int64
	admitted := false
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		br := c.Conn().SendBatch(ctx, b)
		if len(order) > 0 {
			if _, err := br.Exec(); err != nil {
				br.Close()
				return err
			}
		}
		switch err := br.QueryRow().Scan(&n); {
		case err == nil:
			admitted = true
		case !errors.Is(err, pgx.ErrNoRows):
			br.Close()
			return err
		}
		return br.Close()
	})
	if err != nil {
		return 0, false, err
	}
	return n, admitted, nil
}
