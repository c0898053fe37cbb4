// Package store keeps Routex's durable state: channels, the routing table,
// settings, prices and the request log. One Store type serves two backends
// behind the same methods, so callers never ask which one runs:
//
//   - SQLite (modernc.org/sqlite: pure Go, no cgo), one file in ROUTEX_HOME:
//     the default, and all a single user needs;
//   - PostgreSQL (pgx through database/sql), for several Routex instances
//     sharing one database: a team gateway.
//
// The queries are written once; the few differences between the two SQL
// dialects live in dialect.go, and the schema history in one folder of
// migrations per dialect with the same numbers.
//
// The proxy's hot path never reads the database: it reads the in-memory
// Catalog, which the Store replaces after each write of channels or routes,
// and, through Watch, after another process or instance wrote them.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ErrNotFound is returned when a row asked for by id or name does not exist,
// so callers can answer 404 instead of 500.
var ErrNotFound = errors.New("not found")

// ErrDuplicateName is returned when a channel would take a name another
// channel already has; routes refer to channels by name, so names are unique.
var ErrDuplicateName = errors.New("duplicate name")

// ErrNewerSchema is returned by Open when the database was written by a
// newer Routex: migrating it backwards is impossible, so it is left untouched.
var ErrNewerSchema = errors.New("database schema is newer than this Routex")

// ErrNotDatabase is returned by Open when the file is not a SQLite database,
// is corrupt, or is a SQLite database of some other program, or when a
// PostgreSQL database holds another program's tables of the same names. The
// database is left untouched so the user can inspect or restore it.
var ErrNotDatabase = errors.New("is not a Routex database or is corrupt")

// ErrInUse is returned by Open when another process holds a lock on the file
// for longer than the busy timeout. The file is never overwritten.
var ErrInUse = errors.New("is in use by another process")

// defaultBusyTimeout is how long a connection waits for another writer's lock
// before giving up. Writers are short, so five seconds means something is wrong.
const defaultBusyTimeout = 5 * time.Second

// Store is the handle to one Routex database. Safe for concurrent use.
type Store struct {
	// path is the SQLite file, or the PostgreSQL URL without its password:
	// what errors and logs may show.
	path string
	db   rdb
	// counters runs the key counters' statements (AdmitKey, AddKeyUsage):
	// on PostgreSQL a pool of its own whose commits do not wait for the
	// WAL to reach disk (synchronous_commit off), since one runs per
	// request; a server crash may forget the last moments of counting,
	// never a setting or a log row. On SQLite it is db.
	counters rdb
	// admit is the prepared AdmitKey statement, made on first use.
	admitMu sync.Mutex
	admit   *sql.Stmt
	d       dialect
	catalog atomic.Pointer[Catalog]
	// reloadMu serialises catalog refreshes so that a slow refresh that read
	// older rows cannot replace the snapshot of a later one.
	reloadMu sync.Mutex

	// id tells this Store's own change notices from other instances'.
	id string
	// pg is the parsed PostgreSQL URL, for the LISTEN connection; nil for
	// SQLite.
	pg *pgx.ConnConfig
	// listening is true while Watch holds a LISTEN connection (PostgreSQL).
	listening atomic.Bool

	hooksMu sync.Mutex
	hooks   []func(Topic)
}

// options are knobs for tests; production code uses the defaults via Open.
type options struct {
	busyTimeout time.Duration
}

// Open opens the database named by target and applies any pending
// migrations, then loads the Catalog. A target starting with postgres:// or
// postgresql:// is a PostgreSQL URL (see openPostgres); anything else is the
// path of a SQLite file.
//
// A new SQLite file is created with mode 0600 because it holds API keys;
// the parent directory must already exist. Before anything is written, an existing file is probed read-only, so a
// corrupt file, a foreign database, or one from a newer Routex is reported
// (ErrNotDatabase, ErrNewerSchema) and left byte-for-byte unchanged. A file
// locked by another process beyond the busy timeout gives ErrInUse.
func Open(target string) (*Store, error) {
	if IsPostgresURL(target) {
		return openPostgres(target)
	}
	return open(target, options{busyTimeout: defaultBusyTimeout})
}

// IsPostgresURL reports whether target names a PostgreSQL database rather
// than a SQLite file.
func IsPostgresURL(target string) bool {
	t := strings.ToLower(strings.TrimSpace(target))
	return strings.HasPrefix(t, "postgres://") || strings.HasPrefix(t, "postgresql://")
}

func open(path string, opt options) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: open: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	dir := filepath.Dir(abs)
	if fi, err := os.Stat(dir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("store: open %s: directory %s does not exist", path, dir)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("store: open %s: %s is not a directory", path, dir)
	}

	fresh, err := ensureFile(abs)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if !fresh {
		if err := probe(path, abs, opt); err != nil {
			return nil, err
		}
	}

	db, err := sql.Open("sqlite", dsn(abs, opt, false))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{path: path, db: rdb{DB: db}, id: newStoreID()}
	s.counters = s.db
	if err := s.migrate(context.Background()); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := s.Reload(context.Background()); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// ensureFile creates the database file with mode 0600 if it is missing, so
// SQLite never creates it with the process umask. It reports whether the file
// is new or empty (nothing to probe).
func ensureFile(abs string) (fresh bool, err error) {
	fi, err := os.Stat(abs)
	switch {
	case err == nil:
		if !fi.Mode().IsRegular() {
			return false, fmt.Errorf("%s is not a regular file", abs)
		}
		return fi.Size() == 0, nil
	case !errors.Is(err, os.ErrNotExist):
		return false, err
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process won the race, or a dangling symlink
			fi, serr := os.Stat(abs)
			if serr != nil {
				return false, err
			}
			return fi.Size() == 0, nil
		}
		return false, err
	}
	return true, f.Close()
}

// dsn builds the driver's connection string. The pragmas sit in the DSN so
// that every pooled connection gets them, not just the first one.
// _txlock=immediate makes write transactions take the write lock at BEGIN,
// where busy_timeout applies, instead of failing at once on a lock upgrade.
func dsn(abs string, opt options, readOnly bool) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") { // Windows drive paths: file:///C:/...
		p = "/" + p
	}
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	ms := strconv.FormatInt(opt.busyTimeout.Milliseconds(), 10)
	q := "_pragma=busy_timeout(" + ms + ")"
	if readOnly {
		return "file://" + r.Replace(p) + "?mode=ro&" + q
	}
	q += "&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	return "file://" + r.Replace(p) + "?" + q
}

// Close closes the database. The last Catalog stays readable afterwards.
func (s *Store) Close() error {
	if s.admit != nil {
		s.admit.Close()
	}
	if s.counters.DB != s.db.DB {
		s.counters.Close()
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// Path returns the path the Store was opened with, for logs and `routex
// doctor`; for PostgreSQL, the URL with its password masked.
func (s *Store) Path() string { return s.path }

// Backend is BackendSQLite or BackendPostgres.
func (s *Store) Backend() string { return s.d.name() }

// Ping is a cheap readiness check for /health: it runs one trivial query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping %s: %w", s.path, err)
	}
	return nil
}

// SchemaVersion returns the number of the last migration applied to the
// file, for diagnostics.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	var err error
	if s.d.pg {
		v, err = pgSchemaVersion(ctx, s.db)
	} else {
		v, err = userVersion(ctx, s.db)
	}
	if err != nil {
		return 0, fmt.Errorf("store: schema version of %s: %w", s.path, err)
	}
	return v, nil
}

// querier is what both *sql.DB and *sql.Tx offer for reads.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func userVersion(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// CheckWritable proves the database takes a write now: it commits a
// one-row upsert, since only a real commit shows a full disk, a read-only
// file or a read-only PostgreSQL replica. It announces no change.
func (s *Store) CheckWritable(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		writeProbeKey, time.Now().UTC().Format(time.RFC3339), nowMS())
	if err != nil {
		return fmt.Errorf("store: write to %s: %w", s.path, err)
	}
	return nil
}

// writeProbeKey is the settings row CheckWritable rewrites.
const writeProbeKey = "observe.ready_probe"

// newStoreID returns a random id for change notices.
func newStoreID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// nowMS is the current time at the precision the database keeps.
func nowMS() int64 { return time.Now().UnixMilli() }
