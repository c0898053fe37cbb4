package pgtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestEachTestGetsItsOwnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	a, b := URL(t), URL(t)
	if a == b {
		t.Fatalf("two calls gave the same database %s", a)
	}
	t0 := time.Now()
	for _, u := range []string{a, b} {
		c, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := c.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d tables, %v; want an empty database", u, n, err)
		}
		if _, err := c.Exec(ctx, "CREATE TABLE x (id int)"); err != nil {
			t.Error(err)
		}
		c.Close(ctx)
	}
	t.Logf("server %s; two connections in %v", Version(), time.Since(t0))
}

func TestTemplateURLCopiesWhatPrepareMadeOnce(t *testing.T) {
	ctx := context.Background()
	prepared := 0
	prepare := func(u string) error {
		prepared++
		c, err := pgx.Connect(ctx, u)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, "CREATE TABLE seeded (n int); INSERT INTO seeded VALUES (1)")
		return err
	}
	for i := range 3 {
		u := TemplateURL(t, "seeded", prepare)
		c, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := c.QueryRow(ctx, "SELECT count(*) FROM seeded").Scan(&n); err != nil || n != 1 {
			t.Errorf("copy %d: %d rows, %v; want the template's 1", i, n, err)
		}
		// A copy's changes stay in the copy.
		if _, err := c.Exec(ctx, "INSERT INTO seeded VALUES (2)"); err != nil {
			t.Error(err)
		}
		c.Close(ctx)
	}
	if prepared != 1 {
		t.Errorf("prepare ran %d times, want once", prepared)
	}
}
