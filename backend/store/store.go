// Package store keeps Routex's durable state in one SQLite file: channels,
// the routing table, settings and the request log. It uses modernc.org/sqlite
// (pure Go, no cgo) so every platform builds the same way.
//
// The proxy's hot path never reads SQLite: it reads the in-memory Catalog,
// which the Store replaces after each write of channels or routes.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ErrNotFound is returned when a row asked for by id or name does not exist,
// so callers can answer 404 instead of 500.
var ErrNotFound = errors.New("not found")

// ErrDuplicateName is returned when a channel would take a name another
// channel already has; routes refer to channels by name, so names are unique.
var ErrDuplicateName = errors.New("duplicate name")

// ErrNewerSchema is returned by Open when the file was written by a newer
// Routex: migrating it backwards is impossible, so the file is left untouched.
var ErrNewerSchema = errors.New("database schema is newer than this Routex")

// ErrNotDatabase is returned by Open when the file is not a SQLite database,
// is corrupt, or is a SQLite database of some other program. The file is left
// byte-for-byte untouched so the user can inspect or restore it.
var ErrNotDatabase = errors.New("is not a Routex database or is corrupt")

// ErrInUse is returned by Open when another process holds a lock on the file
// for longer than the busy timeout. The file is never overwritten.
var ErrInUse = errors.New("is in use by another process")

// defaultBusyTimeout is how long a connection waits for another writer's lock
// before giving up. Writers are short, so five seconds means something is wrong.
const defaultBusyTimeout = 5 * time.Second

// Store is the handle to one Routex database file. Safe for concurrent use.
type Store struct {
	path    string
	db      *sql.DB
	catalog atomic.Pointer[Catalog]
	// reloadMu serialises catalog refreshes so that a slow refresh that read
	// older rows cannot replace the snapshot of a later one.
	reloadMu sync.Mutex
}

// options are knobs for tests; production code uses the defaults via Open.
type options struct {
	busyTimeout time.Duration
}

// Open opens or creates the database at path, applies any pending migrations
// and loads the Catalog. A new file is created with mode 0600 because it holds
// API keys; the parent directory must already exist.
//
// Before anything is written, an existing file is probed read-only, so a
// corrupt file, a foreign database, or one from a newer Routex is reported
// (ErrNotDatabase, ErrNewerSchema) and left byte-for-byte unchanged. A file
// locked by another process beyond the busy timeout gives ErrInUse.
func Open(path string) (*Store, error) {
	return open(path, options{busyTimeout: defaultBusyTimeout})
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
	s := &Store{path: path, db: db}
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
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// Path returns the path the Store was opened with, for logs and `routex doctor`.
func (s *Store) Path() string { return s.path }

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
	v, err := userVersion(ctx, s.db)
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

// nowMS is the current time at the precision the database keeps.
func nowMS() int64 { return time.Now().UnixMilli() }
