package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns the value stored under key. ok is false when the key was
// never set, so callers can tell "unset" from "set to empty".
func (s *Store) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&value)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("store: read setting %q in %s: %w", key, s.path, err)
	}
	return value, true, nil
}

// SetSetting stores value under key, replacing any previous value. Settings
// are runtime preferences changed from the dashboard; boot settings live in
// config.json instead.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	err := s.write(ctx, TopicSettings, func(tx rtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			key, value, nowMS())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: write setting %q in %s: %w", key, s.path, err)
	}
	return nil
}
