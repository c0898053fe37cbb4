package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fileSum returns the sha256 of the file at path, to prove Open left it alone.
func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return sha256.Sum256(b)
}

// rawDB opens path without the Store, as another program would.
func rawDB(t *testing.T, path string, pragmas string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+pragmas)
	if err != nil {
		t.Fatalf("raw open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestOpenCreatesMigratedWALFileWithMode0600(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "routex.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()

	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != latestVersion() || v < 1 {
		t.Errorf("SchemaVersion = %d, %v; want %d", v, err, latestVersion())
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("file mode = %o, want 600", got)
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := s.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
	for _, table := range []string{"channels", "routes", "route_config", "settings", "request_logs"} {
		var n int
		if err := s.db.QueryRowContext(ctx,
			"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: count %d, %v", table, n, err)
		}
	}
	if c := s.Catalog(); c == nil || len(c.Channels) != 0 || c.Routes.Strategy != DefaultStrategy {
		t.Errorf("Catalog of a new file = %+v", c)
	}
}

func TestReopenKeepsDataAndDoesNotRerunMigrations(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		path := db.target
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateChannel(ctx, Channel{Name: "deepseek", Type: "openai"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}

		// Re-running 0001 would fail on CREATE TABLE; a second Open must not try.
		s2, err := Open(path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer s2.Close()
		if got := s2.Catalog().Channels; len(got) != 1 || got[0].Name != "deepseek" {
			t.Errorf("channels after reopen = %+v", got)
		}
		if v, _ := s2.SchemaVersion(ctx); v != latestVersion() {
			t.Errorf("SchemaVersion after reopen = %d", v)
		}
	})
}

func TestOpenRefusesFilesItCannotUseAndLeavesThemUntouched(t *testing.T) {
	t.Parallel()
	random := make([]byte, 8192)
	_, _ = rand.Read(random)
	headerThenJunk := append([]byte("SQLite format 3\x00"), random[:4096]...)

	tests := []struct {
		name    string
		write   func(t *testing.T, path string)
		wantErr error
		wantMsg []string
	}{
		{
			name:    "a file of random bytes is not a database",
			write:   func(t *testing.T, path string) { writeFile(t, path, random) },
			wantErr: ErrNotDatabase,
			wantMsg: []string{"is not a Routex database or is corrupt"},
		},
		{
			name:    "a text file is not a database",
			write:   func(t *testing.T, path string) { writeFile(t, path, []byte("hello, I am notes.txt\n")) },
			wantErr: ErrNotDatabase,
			wantMsg: []string{"is not a Routex database or is corrupt"},
		},
		{
			name:    "a SQLite header followed by junk is corrupt",
			write:   func(t *testing.T, path string) { writeFile(t, path, headerThenJunk) },
			wantErr: ErrNotDatabase,
			wantMsg: []string{"is not a Routex database or is corrupt"},
		},
		{
			name: "another program's SQLite file is not a Routex database",
			write: func(t *testing.T, path string) {
				db := rawDB(t, path, "")
				if _, err := db.Exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x')"); err != nil {
					t.Fatal(err)
				}
				_ = db.Close()
			},
			wantErr: ErrNotDatabase,
			wantMsg: []string{"is not a Routex database or is corrupt"},
		},
		{
			name: "a database from a newer Routex is refused with both versions",
			write: func(t *testing.T, path string) {
				s, err := Open(path)
				if err != nil {
					t.Fatal(err)
				}
				_ = s.Close()
				db := rawDB(t, path, "")
				if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
					t.Fatal(err)
				}
				_ = db.Close()
			},
			wantErr: ErrNewerSchema,
			wantMsg: []string{"99", "newer"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "routex.db")
			tt.write(t, path)
			before := fileSum(t, path)

			s, err := Open(path)
			if err == nil {
				_ = s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			t.Logf("error: %v", err)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			for _, want := range append(tt.wantMsg, path) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if fileSum(t, path) != before {
				t.Error("file changed")
			}
		})
	}
}

func TestOpenReportsAFileLockedByAnotherProcess(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "routex.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	before := fileSum(t, path)

	locker := rawDB(t, path, "?_pragma=locking_mode(EXCLUSIVE)")
	locker.SetMaxOpenConns(1)
	conn, err := locker.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")

	s2, err := open(path, options{busyTimeout: 50 * time.Millisecond})
	if err == nil {
		_ = s2.Close()
		t.Fatal("Open of a locked file succeeded")
	}
	t.Logf("error: %v", err)
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), path) ||
		!strings.Contains(err.Error(), "in use by another process") {
		t.Errorf("error = %v, want ErrInUse naming %s", err, path)
	}
	if fileSum(t, path) != before {
		t.Error("locked file changed")
	}
}

func TestOpenReportsMissingDirectoryAndBadPaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, path, want string
	}{
		{"a missing parent directory is named", filepath.Join(dir, "nope", "routex.db"), "does not exist"},
		{"an empty path is refused", "", "empty database path"},
		{"a directory is not a database file", dir, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Open(tt.path)
			if err == nil {
				_ = s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestOpenAcceptsAnEmptyExistingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "routex.db")
	writeFile(t, path, nil)
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open of an empty file: %v", err)
	}
	_ = s.Close()
}

func TestPathsWithURICharactersWork(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "odd ?#% dir")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "routex.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	_ = s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created at %s: %v", path, err)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
