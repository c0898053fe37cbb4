package store

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// logCopyColumns are logInsertColumns as COPY takes them.
var logCopyColumns = func() []string {
	cols := strings.Split(logInsertColumns, ",")
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c)
	}
	return cols
}()

// copyRequestLogs writes a batch to PostgreSQL with COPY in one
// transaction. Rows without captured bodies take their ids from the
// column's sequence in COPY order. When some rows carry bodies, the ids of
// the whole batch are drawn first, in one query, so each body row can name
// its log row and the batch still keeps its order.
func (s *Store) copyRequestLogs(ctx context.Context, logs []RequestLog) error {
	withBodies := 0
	for _, l := range logs {
		if l.RequestBody != "" || l.ResponseBody != "" {
			withBodies++
		}
	}
	now := nowMS()
	return s.pgConn(ctx, func(c *pgx.Conn) error {
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			var ids []int64
			if withBodies > 0 {
				rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('request_logs', 'id'))
					FROM generate_series(1, $1)`, len(logs))
				if err != nil {
					return err
				}
				if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
					return err
				}
				slices.Sort(ids)
			}
			cols := logCopyColumns
			if ids != nil {
				cols = append([]string{"id"}, cols...)
			}
			width := len(cols)
			rows := make([][]any, len(logs))
			for i, l := range logs {
				v := make([]any, 0, width)
				if ids != nil {
					v = append(v, ids[i])
				}
				rows[i] = logValues(v, l, now)
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"request_logs"}, cols, pgx.CopyFromRows(rows)); err != nil {
				return err
			}
			if withBodies == 0 {
				return nil
			}
			bodies := make([][]any, 0, withBodies)
			for i, l := range logs {
				if l.RequestBody != "" || l.ResponseBody != "" {
					bodies = append(bodies, []any{ids[i], l.RequestBody, l.ResponseBody})
				}
			}
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"request_bodies"},
				[]string{"log_id", "request_body", "response_body"}, pgx.CopyFromRows(bodies))
			return err
		})
	})
}
