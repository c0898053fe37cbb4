package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgUniqueViolation is PostgreSQL's SQLSTATE for a UNIQUE constraint failure.
const pgUniqueViolation = "23505"

// Advisory lock keys (pg_advisory_xact_lock): writes that several instances
// on one database must take in turns. The high bits spell "Routex".
const (
	lockMigrate int64 = 0x526f7574_65780001
	lockRollup  int64 = 0x526f7574_65780003
)

// pgOpenTimeout bounds connecting and migrating in Open.
const pgOpenTimeout = 30 * time.Second

// Pool limits per Store. Every PostgreSQL connection is a server process, so
// idle ones are kept (reconnecting costs a fork) but capped, and N
// instances stay well under the server's max_connections (100 by default).
const (
	pgMaxConns    = 16
	pgMaxIdle     = 8
	pgMaxIdleTime = 5 * time.Minute
	// pgMaxCounterConns bounds the key counters' own pool: its statements
	// are one short round trip each.
	pgMaxCounterConns = 8
)

// openPostgres connects to the PostgreSQL database at rawURL, applies the
// migrations it lacks and loads the Catalog. Any libpq-style URL pgx takes
// works (sslmode, search_path, …). The password never appears in errors:
// they name the URL as RedactURL shows it.
func openPostgres(rawURL string) (*Store, error) {
	where := RedactURL(rawURL)
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", where, scrub(err, rawURL))
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "routex"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(pgMaxIdle)
	db.SetConnMaxIdleTime(pgMaxIdleTime)
	d := dialect{pg: true}
	s := &Store{path: where, db: rdb{DB: db, d: d}, d: d, id: newStoreID(), pg: cfg}
	fast := cfg.Copy()
	fast.RuntimeParams["synchronous_commit"] = "off"
	s.counters = rdb{DB: stdlib.OpenDB(*fast), d: d}
	s.counters.SetMaxOpenConns(pgMaxCounterConns)
	s.counters.SetMaxIdleConns(pgMaxCounterConns)
	s.counters.SetConnMaxIdleTime(pgMaxIdleTime)
	ctx, cancel := context.WithTimeout(context.Background(), pgOpenTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: cannot connect: %w", where, scrub(err, rawURL))
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: %w", where, scrub(err, rawURL))
	}
	if err := s.Reload(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// schemaTable records the migrations applied to a PostgreSQL database, one
// row each: SQLite keeps the same number in PRAGMA user_version.
const schemaTable = "routex_schema"

// migratePostgres applies each missing migration in its own transaction,
// together with its row in routex_schema, under an advisory lock: instances
// starting together take turns, and each re-reads the version once it holds
// the lock, so every migration runs once. PostgreSQL's DDL is
// transactional, so a crash leaves the database at a whole version.
func (s *Store) migratePostgres(ctx context.Context) error {
	migs, err := migrations(s.d)
	if err != nil {
		return err
	}
	current := -1
	for _, m := range migs {
		if m.version <= current {
			continue
		}
		if current, err = s.applyPostgres(ctx, m); err != nil {
			return err
		}
	}
	if current < 0 { // nothing to apply: still check the version
		if current, err = pgSchemaVersion(ctx, s.db); err != nil {
			return err
		}
	}
	if current > len(migs) {
		return fmt.Errorf("schema version %d is newer than the %d this Routex knows; upgrade Routex: %w",
			current, len(migs), ErrNewerSchema)
	}
	return nil
}

// applyPostgres runs m unless the database already has it, and returns the
// version the database is at afterwards.
func (s *Store) applyPostgres(ctx context.Context, m migration) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if err := lockTx(ctx, tx, lockMigrate); err != nil {
		return 0, err
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, "SELECT to_regclass(?) IS NOT NULL", schemaTable).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		// A database with our table names but no record of our migrations
		// belongs to some other program: adding to it would mix the two.
		var foreign bool
		if err := tx.QueryRowContext(ctx, "SELECT to_regclass('channels') IS NOT NULL").Scan(&foreign); err != nil {
			return 0, err
		}
		if foreign {
			return 0, fmt.Errorf("%w (it has a channels table but no %s)", ErrNotDatabase, schemaTable)
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE `+schemaTable+` (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at BIGINT  NOT NULL)`); err != nil {
			return 0, err
		}
	}
	v, err := pgSchemaVersion(ctx, tx)
	if err != nil {
		return 0, err
	}
	if v >= m.version { // another instance got there first, or newer
		return v, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return 0, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO "+schemaTable+" (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, nowMS()); err != nil {
		return 0, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return m.version, nil
}

// pgSchemaVersion is the last migration applied, 0 for none.
func pgSchemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM "+schemaTable).Scan(&v)
	return v, err
}

// lockTx takes a transaction-scoped advisory lock on PostgreSQL, released
// at commit or rollback. On SQLite it does nothing: a write transaction
// there already holds the database's one write lock.
func lockTx(ctx context.Context, tx rtx, key int64) error {
	if !tx.d.pg {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", key)
	return err
}

// ServerVersion is the database engine's version: PostgreSQL's
// server_version, or SQLite's library version.
func (s *Store) ServerVersion(ctx context.Context) (string, error) {
	q := "SELECT sqlite_version()"
	if s.d.pg {
		q = "SHOW server_version"
	}
	var v string
	if err := s.db.QueryRowContext(ctx, q).Scan(&v); err != nil {
		return "", fmt.Errorf("store: version of %s: %w", s.path, err)
	}
	return v, nil
}

// PostgresInfo is what `routex doctor` learns of a PostgreSQL database
// without changing anything in it.
type PostgresInfo struct {
	// Where is the URL with its password masked.
	Where string
	// ServerVersion is the server's server_version.
	ServerVersion string
	// SchemaVersion is the last Routex migration applied (0: none yet).
	SchemaVersion int
	// LatestVersion is the schema version this Routex writes.
	LatestVersion int
}

// InspectPostgres connects to rawURL and reads the server and schema
// versions, migrating nothing: doctor reports, Open changes. Errors never
// hold the password.
func InspectPostgres(ctx context.Context, rawURL string) (PostgresInfo, error) {
	info := PostgresInfo{Where: RedactURL(rawURL), LatestVersion: latestVersion()}
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return info, scrub(err, rawURL)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return info, scrub(err, rawURL)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&info.ServerVersion); err != nil {
		return info, scrub(err, rawURL)
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", schemaTable).Scan(&exists); err != nil {
		return info, scrub(err, rawURL)
	}
	if exists {
		err := conn.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM "+schemaTable).Scan(&info.SchemaVersion)
		if err != nil {
			return info, scrub(err, rawURL)
		}
	}
	return info, nil
}

// masked replaces a password wherever RedactURL shows one.
const masked = "xxxxx"

// passwordParam matches a password given as a query parameter.
var passwordParam = regexp.MustCompile(`(?i)([?&]password=)[^&#]*`)

// RedactURL returns a database URL fit for logs, errors and screens: the
// password, in the user info or as a password= parameter, is masked. A SQLite
// path comes back as it is.
func RedactURL(raw string) string {
	if !IsPostgresURL(raw) {
		return raw
	}
	if u, err := url.Parse(raw); err == nil {
		if u.User != nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), masked)
			}
		}
		out := u.String()
		return passwordParam.ReplaceAllString(out, "${1}"+masked)
	}
	// Not a URL Go can parse: mask everything between :// and the last @,
	// the user name excepted, and any password= parameter.
	scheme, rest, _ := strings.Cut(raw, "://")
	host := rest
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user, _, _ := strings.Cut(rest[:at], ":")
		host = user + ":" + masked + rest[at:]
	}
	return scheme + "://" + passwordParam.ReplaceAllString(host, "${1}"+masked)
}

// secrets returns the password of rawURL as written and decoded, for scrub.
func secrets(rawURL string) []string {
	var out []string
	add := func(s string) {
		if s == "" || s == masked {
			return
		}
		out = append(out, s)
		if d, err := url.QueryUnescape(s); err == nil && d != s {
			out = append(out, d)
		}
	}
	_, rest, _ := strings.Cut(rawURL, "://")
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
			add(pw)
		}
	}
	for _, m := range passwordParam.FindAllString(rest, -1) {
		_, pw, _ := strings.Cut(m, "=")
		add(pw)
	}
	return out
}

// scrubbedError is an error whose text had the password masked. Unwrap
// keeps errors.Is working (a timeout stays a timeout).
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrub masks rawURL's password in err's text. Drivers try not to print
// passwords, but a URL that fails to parse is easily echoed whole.
func scrub(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets(rawURL) {
		if strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, masked)
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

// pgConn runs fn on one pooled connection as pgx sees it, for what
// database/sql cannot say (COPY).
func (s *Store) pgConn(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		return fn(c.Conn())
	})
}
