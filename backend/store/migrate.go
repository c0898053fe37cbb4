package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migrationFS holds the schema history, one folder per dialect. Files are
// named NNNN_what.sql, are applied in order, and are append-only: a released
// file is never edited. Both folders hold the same numbers and names, so a
// schema version means the same tables on either backend; a test guards it.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations of a dialect in order. The
// numbering must run 1, 2, 3… without gaps; a test guards that, so an error
// here is a build bug.
func migrations(d dialect) ([]migration, error) {
	dir := "migrations/" + d.name()
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name must start with a positive number and '_'", dir, name)
		}
		body, err := fs.ReadFile(migrationFS, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s/%s: expected number %d", dir, m.name, i+1)
		}
	}
	return out, nil
}

// latestVersion is the schema version this build writes.
func latestVersion() int {
	m, err := migrations(dialect{})
	if err != nil {
		return 0
	}
	return len(m)
}

// migrate applies every migration the database lacks: SQLite's below, or
// PostgreSQL's migratePostgres.
func (s *Store) migrate(ctx context.Context) error {
	if s.d.pg {
		return s.migratePostgres(ctx)
	}
	return s.migrateSQLite(ctx)
}

// migrateSQLite applies every migration above the file's PRAGMA user_version, each
// in its own transaction together with the version bump, so a crash leaves
// the file at a whole version. The version is re-read inside the write
// transaction, so two processes opening the same new file do not both apply it.
func (s *Store) migrateSQLite(ctx context.Context) error {
	migs, err := migrations(s.d)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", s.path, err)
	}
	current, err := userVersion(ctx, s.db)
	if err != nil {
		return openError(s.path, err)
	}
	for _, m := range migs {
		if m.version <= current {
			continue
		}
		if current, err = s.applySQLite(ctx, m); err != nil {
			return err
		}
	}
	if current > len(migs) {
		return checkVersion(s.path, current, 1, true)
	}
	return nil
}

// applySQLite runs one SQLite migration and returns the version the file is at afterwards.
func (s *Store) applySQLite(ctx context.Context, m migration) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, openError(s.path, err)
	}
	defer tx.Rollback()
	v, err := userVersion(ctx, tx)
	if err != nil {
		return 0, openError(s.path, err)
	}
	if v >= m.version { // another process got there first
		return v, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return 0, fmt.Errorf("store: open %s: migration %s: %w", s.path, m.name, err)
	}
	// PRAGMA takes no bound parameters; the version is our own integer.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(m.version)); err != nil {
		return 0, fmt.Errorf("store: open %s: migration %s: %w", s.path, m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, openError(s.path, err)
	}
	return m.version, nil
}
