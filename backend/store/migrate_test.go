package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/routex-app/routex/backend/store/pgtest"
)

func TestMigrationsAreNumberedWithoutGapsAndMatchAcrossDialects(t *testing.T) {
	t.Parallel()
	lite, err := migrations(dialect{})
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrations(dialect{pg: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 {
		t.Fatal("no embedded migrations")
	}
	for _, migs := range [][]migration{lite, pg} {
		for i, m := range migs {
			if m.version != i+1 {
				t.Errorf("migration %s has number %d, want %d", m.name, m.version, i+1)
			}
		}
	}
	names := func(migs []migration) (out []string) {
		for _, m := range migs {
			out = append(out, m.name)
		}
		return out
	}
	if !reflect.DeepEqual(names(lite), names(pg)) {
		t.Errorf("the dialects' migrations differ:\nsqlite   %v\npostgres %v", names(lite), names(pg))
	}
}

// releasedMigrations are the sha256 sums of migrations already shipped.
// Existing databases record only the number of the last one applied, so a
// released file must never change: add a new file (to both dialects: the
// next one is 0008 in sqlite/ and postgres/) and its sums here instead.
var releasedMigrations = map[string]string{
	"sqlite/0001_init.sql":              "7067944281a306203676d67bd55da4562600a3eea61ae432dd013048236aea6c",
	"sqlite/0002_request_log_usage.sql": "4658499918af629cf2ab0c79e2cb1f54c79259779730df95477943b8b2b5aa8c",
	"sqlite/0003_routing_options.sql":   "514c04280ebee3b88e401e0c03c5099709dca36448e59bfd736a5549ebe54708",
	"sqlite/0004_request_log_route.sql": "3e4e18aa31069f97917b069b1328e3e804a797804cece5f0932a06e53f1c6efa",
	"sqlite/0005_request_log_cost.sql":  "2f8101ef7974139efdc671dc3b799a27f2673d9cac95bae2ff0d4185e503013d",
	"sqlite/0006_keys.sql":              "10aadc84f6122ae46155811905b7ef97ce2d75b9d12b285dbddbaaee8b5f90d5",
	"sqlite/0007_channel_accounts.sql":  "d9728468ceffe5246db3d2862c521588cca0295c19feb6d430706cec1447356d",

	"postgres/0001_init.sql":              "d9233796472c278a304093059731921c90bd900617a8e377db673a2931f1ceb1",
	"postgres/0002_request_log_usage.sql": "e2e28d4a333306ce8b2dcb705b374a6de2eb65d709ca516aa61ef5c87b1a1665",
	"postgres/0003_routing_options.sql":   "514c04280ebee3b88e401e0c03c5099709dca36448e59bfd736a5549ebe54708",
	"postgres/0004_request_log_route.sql": "3e4e18aa31069f97917b069b1328e3e804a797804cece5f0932a06e53f1c6efa",
	"postgres/0005_request_log_cost.sql":  "b69ac41dae224bf4ef2a30812fc9964e9b27fb7619536ce48930a9d354a4cf27",
	"postgres/0006_keys.sql":              "766381c2f5f81372e96c4c76bb883df03b1b39b788c41e2b5fdb6107bcd5a0cd",
	"postgres/0007_channel_accounts.sql":  "22ea3e45afe94fc078a80ed890a64748ead78645009cddd866c034c2f54a8062",
}

func TestReleasedMigrationsAreUnchanged(t *testing.T) {
	t.Parallel()
	for file, want := range releasedMigrations {
		body, err := migrationFS.ReadFile("migrations/" + file)
		if err != nil {
			t.Errorf("released migration %s is gone: %v", file, err)
			continue
		}
		sum := sha256.Sum256(body)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("released migration %s changed (sha256 %s): add a new migration instead", file, got)
		}
	}
}

// column is one column as both backends can describe it: SQLite's type
// affinity stands for the PostgreSQL type.
type column struct{ table, name, affinity string }

func TestBothDialectsBuildTheSameSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite := testDB{kind: BackendSQLite, target: t.TempDir() + "/routex.db"}.open(t)
	pg := testDB{kind: BackendPostgres, target: pgtest.URL(t)}.open(t)

	var liteCols, pgCols []column
	rows, err := lite.db.QueryContext(ctx, `SELECT m.name, p.name, upper(p.type) FROM sqlite_master m
		JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.table, &c.name, &c.affinity); err != nil {
			t.Fatal(err)
		}
		liteCols = append(liteCols, c)
	}
	rows.Close()
	affinity := map[string]string{"bigint": "INTEGER", "integer": "INTEGER", "boolean": "INTEGER",
		"text": "TEXT", "double precision": "REAL"}
	rows, err = pg.db.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> ?`, schemaTable)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c column
		var typ string
		if err := rows.Scan(&c.table, &c.name, &typ); err != nil {
			t.Fatal(err)
		}
		c.affinity = affinity[typ]
		if c.affinity == "" {
			c.affinity = "unmapped " + typ
		}
		pgCols = append(pgCols, c)
	}
	rows.Close()
	sortCols := func(cs []column) {
		sort.Slice(cs, func(i, j int) bool { return fmt.Sprint(cs[i]) < fmt.Sprint(cs[j]) })
	}
	sortCols(liteCols)
	sortCols(pgCols)
	if len(liteCols) < 40 || !reflect.DeepEqual(liteCols, pgCols) {
		t.Errorf("schemas differ:\nsqlite   %v\npostgres %v", liteCols, pgCols)
	}

	// Named indexes match too, but for prices' lower(model) index: SQLite
	// gets the same from its NOCASE primary key.
	liteIdx := names(t, lite, `SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
	pgIdx := names(t, pg, `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
		AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' AND indexname <> 'prices_model'`)
	if len(liteIdx) == 0 || !reflect.DeepEqual(liteIdx, pgIdx) {
		t.Errorf("indexes differ: sqlite %v, postgres %v", liteIdx, pgIdx)
	}
}

func names(t *testing.T, s *Store, q string) []string {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func TestPostgresInstancesStartingTogetherMigrateOnce(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	const instances = 4
	stores := make([]*Store, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(url)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	ctx := context.Background()
	var applied, distinct int
	if err := stores[0].db.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT version) FROM "+schemaTable).
		Scan(&applied, &distinct); err != nil {
		t.Fatal(err)
	}
	if applied != latestVersion() || distinct != applied {
		t.Errorf("%s has %d rows (%d distinct) after %d instances started together; want %d, each once",
			schemaTable, applied, distinct, instances, latestVersion())
	}
	for i, s := range stores {
		if v, err := s.SchemaVersion(ctx); err != nil || v != latestVersion() {
			t.Errorf("instance %d: SchemaVersion = %d, %v", i, v, err)
		}
	}
}

func TestOpenPostgresRefusesANewerSchemaAndAForeignDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("newer schema", func(t *testing.T) {
		t.Parallel()
		url := pgtest.URL(t)
		s := testDB{target: url}.open(t)
		if _, err := s.db.ExecContext(ctx, "INSERT INTO "+schemaTable+" VALUES (99, '0099_future.sql', 0)"); err != nil {
			t.Fatal(err)
		}
		s2, err := Open(url)
		if err == nil {
			s2.Close()
			t.Fatal("Open of a database from a newer Routex succeeded")
		}
		if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "99") {
			t.Errorf("error = %v, want ErrNewerSchema naming 99", err)
		}
	})
	t.Run("another program's tables", func(t *testing.T) {
		t.Parallel()
		url := pgtest.URL(t)
		other := pgDirect(t, url)
		if _, err := other.Exec(ctx, "CREATE TABLE channels (tv text)"); err != nil {
			t.Fatal(err)
		}
		s, err := Open(url)
		if err == nil {
			s.Close()
			t.Fatal("Open of another program's database succeeded")
		}
		if !errors.Is(err, ErrNotDatabase) {
			t.Errorf("error = %v, want ErrNotDatabase", err)
		}
		var n int
		if err := other.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").
			Scan(&n); err != nil || n != 1 {
			t.Errorf("the foreign database has %d tables (%v) after Open; want its 1, untouched", n, err)
		}
	})
}
