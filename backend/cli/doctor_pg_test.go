package cli

import (
	"net/url"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/store/pgtest"
)

// pgHome is a test home whose config.json names a PostgreSQL database.
func pgHome(t *testing.T, dbURL string) *flags {
	t.Helper()
	f := testHome(t)
	if _, err := config.Load(f.home); err != nil {
		t.Fatal(err)
	}
	if err := config.Patch(f.home, map[string]any{"database_url": dbURL}); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDoctorChecksThePostgresDatabaseWithoutShowingThePassword(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.URL(t)
	noPassword := func(t *testing.T, out string) {
		t.Helper()
		if strings.Contains(out, pgtest.Password) {
			t.Errorf("doctor shows the database password:\n%s", out)
		}
	}

	t.Run("a new database is behind, and the first start brings it up to date", func(t *testing.T) {
		f := pgHome(t, dbURL)
		checks, _ := doctorChecks(t, f)
		db := checks["database"]
		if db.Status != checkWarn || !strings.Contains(db.Detail, "schema version 0") ||
			!strings.Contains(db.Detail, "PostgreSQL") || !strings.Contains(db.Detail, "xxxxx") {
			t.Errorf("database: %+v", db)
		}
		noPassword(t, db.Detail+db.Fix)

		// The channel command opens the same database, which migrates it.
		run(t, channelCmd(f), "", "add", "team", "--type", "openai", "--base-url", "https://a.example/v1", "--model", "m")
		checks, _ = doctorChecks(t, f)
		if db := checks["database"]; db.Status != checkOK || !strings.Contains(db.Detail, "schema version") {
			t.Errorf("database after the first open: %+v", db)
		}
		if ch := checks["channels"]; ch.Status != checkOK {
			t.Errorf("channels: %+v", ch)
		}
		out, _ := run(t, newDoctorCmd(f, en, "test"), "")
		noPassword(t, out)
	})

	t.Run("a wrong password fails, names database_url, shows no password", func(t *testing.T) {
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(u.User.Username(), "Not-"+pgtest.Password)
		f := pgHome(t, u.String())
		checks, err := doctorChecks(t, f)
		db := checks["database"]
		if err == nil || db.Status != checkFail || !strings.Contains(db.Detail, "password authentication failed") ||
			!strings.Contains(db.Fix, "database_url") {
			t.Errorf("database: %+v (doctor error %v)", db, err)
		}
		out, _ := run(t, newDoctorCmd(f, en, "test"), "", "--json")
		noPassword(t, out)
		if strings.Contains(out, "Not-"+pgtest.Password) {
			t.Errorf("doctor shows the wrong password:\n%s", out)
		}
	})
}
