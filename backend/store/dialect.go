package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// Backend names, as Store.Backend reports them.
const (
	BackendSQLite   = "sqlite"
	BackendPostgres = "postgres"
)

// dialect holds the few places where SQLite and PostgreSQL SQL differ. The
// queries are written once, with ? placeholders and the SQL both accept;
// what cannot be shared comes from here.
type dialect struct {
	pg bool
}

// name is the backend's name.
func (d dialect) name() string {
	if d.pg {
		return BackendPostgres
	}
	return BackendSQLite
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, … outside quoted
// strings; SQLite takes the query as written.
func (d dialect) rebind(q string) string {
	if !d.pg || strings.IndexByte(q, '?') < 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote // '' inside a string toggles twice: still inside
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// like is the case-insensitive LIKE: SQLite's LIKE already ignores ASCII
// case, PostgreSQL's does not.
func (d dialect) like() string {
	if d.pg {
		return "ILIKE"
	}
	return "LIKE"
}

// nocase is expr made comparable without regard to case. SQLite's prices
// column is declared COLLATE NOCASE, which = and ORDER BY already follow;
// PostgreSQL compares lower(), which its unique index on prices uses too.
func (d dialect) nocase(expr string) string {
	if d.pg {
		return "lower(" + expr + ")"
	}
	return expr
}

// greatest is the larger of two values (SQLite's two-argument MAX).
func (d dialect) greatest(a, b string) string {
	if d.pg {
		return "GREATEST(" + a + ", " + b + ")"
	}
	return "MAX(" + a + ", " + b + ")"
}

// newest is the value of col in the row of the group with the largest by.
// SQLite takes a bare column from the row holding the query's single MAX()
// aggregate; PostgreSQL has no bare columns and orders an array instead.
func (d dialect) newest(col, by string) string {
	if d.pg {
		return "(array_agg(" + col + " ORDER BY " + by + " DESC))[1]"
	}
	return col
}

// readTx are the options of a consistent read over several statements:
// SQLite's deferred BEGIN already reads one snapshot; PostgreSQL's default
// READ COMMITTED takes one per statement, so ask for REPEATABLE READ.
func (d dialect) readTx() *sql.TxOptions {
	if d.pg {
		return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return &sql.TxOptions{ReadOnly: true}
}

// rdb is a *sql.DB that speaks the dialect's placeholders, so the store's
// queries read the same for both backends.
type rdb struct {
	*sql.DB
	d dialect
}

func (x rdb) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return x.DB.ExecContext(ctx, x.d.rebind(q), args...)
}

func (x rdb) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return x.DB.QueryContext(ctx, x.d.rebind(q), args...)
}

func (x rdb) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return x.DB.QueryRowContext(ctx, x.d.rebind(q), args...)
}

// BeginTx starts a transaction whose statements are rebound too.
func (x rdb) BeginTx(ctx context.Context, opts *sql.TxOptions) (rtx, error) {
	tx, err := x.DB.BeginTx(ctx, opts)
	return rtx{Tx: tx, d: x.d}, err
}

// rtx is a *sql.Tx that speaks the dialect's placeholders.
type rtx struct {
	*sql.Tx
	d dialect
}

func (x rtx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return x.Tx.ExecContext(ctx, x.d.rebind(q), args...)
}

func (x rtx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return x.Tx.QueryContext(ctx, x.d.rebind(q), args...)
}

func (x rtx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return x.Tx.QueryRowContext(ctx, x.d.rebind(q), args...)
}

func (x rtx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return x.Tx.PrepareContext(ctx, x.d.rebind(q))
}
