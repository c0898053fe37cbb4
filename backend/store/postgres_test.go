package store

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/store/pgtest"
)

func TestRedactURLMasksThePassword(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"postgres://routex:s3cr%40t@db.internal:5432/routex?sslmode=require",
			"postgres://routex:xxxxx@db.internal:5432/routex?sslmode=require"},
		{"postgresql://routex@db/routex", "postgresql://routex@db/routex"},
		{"postgres://db/routex?user=routex&password=s3cret&sslmode=disable",
			"postgres://db/routex?user=routex&password=xxxxx&sslmode=disable"},
		{"postgres://routex:s3cret@db:notaport/routex", "postgres://routex:xxxxx@db:notaport/routex"},
		{"postgres://routex:p@ss/w%rd@db/routex", "postgres://routex:xxxxx@db/routex"},
		{"/home/me/.config/routex/routex.db", "/home/me/.config/routex/routex.db"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPostgresErrorsAndPathsNeverShowThePassword(t *testing.T) {
	t.Parallel()
	good := pgtest.URL(t)
	u, err := url.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if pw != pgtest.Password {
		t.Fatalf("the test server's URL has password %q, want pgtest.Password", pw)
	}
	s := testDB{target: good}.open(t)
	if strings.Contains(s.Path(), pw) || !strings.Contains(s.Path(), "xxxxx") || s.Backend() != BackendPostgres {
		t.Errorf("Path() = %q, Backend() = %q: want the URL with the password masked, postgres", s.Path(), s.Backend())
	}

	wrong := *u
	wrong.User = url.UserPassword(u.User.Username(), "Wrong-"+pw)
	unparsable := strings.Replace(good, u.Port(), "notaport", 1)
	for name, target := range map[string]string{"wrong password": wrong.String(), "bad port": unparsable} {
		s, err := Open(target)
		if err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded", name)
			continue
		}
		t.Logf("%s: %v", name, err)
		if strings.Contains(err.Error(), pw) {
			t.Errorf("%s: the error shows the password: %v", name, err)
		}
		if !strings.Contains(err.Error(), "xxxxx") {
			t.Errorf("%s: the error does not name the (masked) URL: %v", name, err)
		}
		if _, err := InspectPostgres(context.Background(), target); err == nil || strings.Contains(err.Error(), pw) {
			t.Errorf("%s: InspectPostgres error %v: want one, without the password", name, err)
		}
	}
}

func TestInspectPostgresChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	target := pgtest.URL(t)
	info, err := InspectPostgres(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if info.SchemaVersion != 0 || info.LatestVersion != latestVersion() || info.ServerVersion == "" ||
		strings.Contains(info.Where, pgtest.Password) {
		t.Errorf("fresh database: %+v", info)
	}
	var tables int
	if err := pgDirect(t, target).QueryRow(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'public'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("InspectPostgres left %d tables (%v) in a fresh database; want none", tables, err)
	}
	s := testDB{target: target}.open(t)
	if info, err = InspectPostgres(ctx, target); err != nil || info.SchemaVersion != latestVersion() {
		t.Errorf("after Open: %+v, %v", info, err)
	}
	if v, err := s.ServerVersion(ctx); err != nil || v != info.ServerVersion {
		t.Errorf("ServerVersion = %q, %v; want %q", v, err, info.ServerVersion)
	}
}

func TestIsPostgresURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"postgres://h/db": true, "POSTGRESQL://h/db": true, " postgres://h/db": true,
		"/tmp/routex.db": false, "routex.db": false, "mysql://h/db": false, "": false,
	} {
		if got := IsPostgresURL(in); got != want {
			t.Errorf("IsPostgresURL(%q) = %v", in, got)
		}
	}
	if _, err := Open("postgres://routex@127.0.0.1:1/none?connect_timeout=2"); err == nil ||
		!strings.Contains(err.Error(), "cannot connect") || errors.Is(err, ErrNotFound) {
		t.Errorf("Open of a closed port: %v; want a connect error", err)
	}
}
