package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteHeader is the magic string every SQLite 3 database file starts with.
var sqliteHeader = []byte("SQLite format 3\x00")

// probe looks at an existing, non-empty file before Open writes anything to
// it: first its header bytes, then, through a read-only connection, its
// schema and version. A file Routex cannot use is reported and left as it is.
func probe(path, abs string, opt options) error {
	if err := checkHeader(abs); err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn(abs, opt, true))
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	ctx := context.Background()
	var tables, ours int
	err = db.QueryRowContext(ctx,
		"SELECT count(*), count(*) FILTER (WHERE type = 'table' AND name = 'channels') FROM sqlite_master").
		Scan(&tables, &ours)
	if err != nil {
		return openError(path, err)
	}
	v, err := userVersion(ctx, db)
	if err != nil {
		return openError(path, err)
	}
	return checkVersion(path, v, tables, ours > 0)
}

// checkHeader rejects files that are not SQLite databases at all (text files,
// random bytes) without handing them to SQLite.
func checkHeader(abs string) error {
	f, err := os.Open(abs)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 100) // the SQLite header is 100 bytes
	if _, err := io.ReadFull(f, head); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return ErrNotDatabase
		}
		return err
	}
	if !bytes.HasPrefix(head, sqliteHeader) {
		return ErrNotDatabase
	}
	return nil
}

// checkVersion decides from the probe whether Open may migrate the file.
func checkVersion(path string, version, tables int, hasChannels bool) error {
	latest := latestVersion()
	switch {
	case version > latest:
		return fmt.Errorf("store: open %s: schema version %d is newer than the %d this Routex knows; upgrade Routex: %w",
			path, version, latest, ErrNewerSchema)
	case version == 0 && tables > 0, version > 0 && !hasChannels:
		// A SQLite file of some other program: adding our tables would
		// silently mix two applications' data.
		return fmt.Errorf("store: open %s: %w (a SQLite file without Routex tables)", path, ErrNotDatabase)
	}
	return nil
}

// openError turns SQLite's result codes into the errors Open documents.
func openError(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("store: open %s: %w: %v", path, ErrNotDatabase, err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("store: open %s: %w: %v", path, ErrInUse, err)
		}
	}
	return fmt.Errorf("store: open %s: %w", path, err)
}

// isUniqueViolation reports whether err is a UNIQUE constraint failure, in
// either backend.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgUniqueViolation
}
