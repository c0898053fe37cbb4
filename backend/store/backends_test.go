package store

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/routex-app/routex/backend/store/pgtest"
)

// TestMain stops the PostgreSQL test server, if a test started one.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testDB is one fresh, empty database of one backend for one test.
type testDB struct {
	kind string // BackendSQLite or BackendPostgres
	// target is what Open takes: the SQLite file's path or the PostgreSQL
	// URL. Opening it twice stands in for a second process or instance.
	target string
}

// open opens a Store on the test's database and closes it when the test ends.
func (d testDB) open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(d.target)
	if err != nil {
		t.Fatalf("Open %s: %v", RedactURL(d.target), err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// migrated fills the PostgreSQL template the suite's databases are copied
// from: Open applies the migrations once, not in every test. Tests of
// migrating itself start from pgtest.URL's empty databases instead.
func migrated(url string) error {
	s, err := Open(url)
	if err != nil {
		return err
	}
	return s.Close()
}

// forEachBackend runs body as the subtests "sqlite" and "postgres", each in
// parallel with a database of its own: the store's whole behaviour is
// tested on both backends. The PostgreSQL half is skipped, loudly, only
// where no PostgreSQL server can be had (see pgtest).
func forEachBackend(t *testing.T, body func(t *testing.T, db testDB)) {
	t.Helper()
	for _, kind := range []string{BackendSQLite, BackendPostgres} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testDB{kind: kind}
			if kind == BackendSQLite {
				db.target = filepath.Join(t.TempDir(), "routex.db")
			} else {
				db.target = pgtest.TemplateURL(t, "migrated", migrated)
			}
			body(t, db)
		})
	}
}
