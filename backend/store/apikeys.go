package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// APIKey is a key per person: a named key an admin hands out besides the
// single access key, with its own limits. Only a hash of the secret is
// stored; the secret itself is shown once, when the key is made (the keys
// package makes and hashes it). Its JSON form over /api belongs to the api
// package; this struct is the stored form.
type APIKey struct {
	ID    int64
	Name  string
	Owner string
	// Prefix is the start of the secret, enough to tell keys apart on a
	// screen ("rtx-1a2b3c4d").
	Prefix string
	// Hash is the hex SHA-256 of the whole secret.
	Hash string
	// ExpiresAt is when the key stops working; zero means never.
	ExpiresAt time.Time
	// Models are the model patterns the key may ask for ("claude-*");
	// empty means any. Channels are the channel names it may be served by;
	// empty means any. Both never nil after a read.
	Models   []string
	Channels []string
	// RPM and TPM are requests and tokens per minute; 0 means no limit.
	RPM, TPM int64
	// BudgetDailyUSD and BudgetMonthlyUSD cap the cost per UTC day and
	// month; 0 means no budget.
	BudgetDailyUSD, BudgetMonthlyUSD float64
	// RevokedAt is when the key was revoked; zero means it is active.
	RevokedAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Revoked reports whether the key was revoked.
func (k *APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// Expired reports whether the key's expiry has passed at now.
func (k *APIKey) Expired(now time.Time) bool {
	return !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)
}

const apiKeyColumns = `id, name, owner, prefix, hash, expires_at, models, channels, rpm, tpm,
	budget_daily_usd, budget_monthly_usd, revoked_at, created_at, updated_at`

// APIKeys returns every key, revoked ones included, oldest first.
func (s *Store) APIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+apiKeyColumns+" FROM api_keys ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("store: list keys in %s: %w", s.path, err)
	}
	defer rows.Close()
	out := []APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list keys in %s: %w", s.path, err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list keys in %s: %w", s.path, err)
	}
	return out, nil
}

// APIKey returns the key with the given id, or ErrNotFound.
func (s *Store) APIKey(ctx context.Context, id int64) (APIKey, error) {
	k, err := scanAPIKey(s.db.QueryRowContext(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE id = ?", id))
	if err != nil {
		return APIKey{}, fmt.Errorf("store: key %d in %s: %w", id, s.path, notFound(err))
	}
	return k, nil
}

// APIKeyByHash returns the key whose secret hashes to hash, or
// ErrNotFound.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (APIKey, error) {
	k, err := scanAPIKey(s.db.QueryRowContext(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE hash = ?", hash))
	if err != nil {
		return APIKey{}, fmt.Errorf("store: key by hash in %s: %w", s.path, notFound(err))
	}
	return k, nil
}

// CreateAPIKey inserts k (its ID, timestamps and RevokedAt are ignored)
// and returns the stored row. A name another active key has gives
// ErrDuplicateName; so does a hash already stored (a secret made twice).
// Other instances hear of it through TopicKeys.
func (s *Store) CreateAPIKey(ctx context.Context, k APIKey) (APIKey, error) {
	models, channels, err := encodeKeyLists(k)
	if err != nil {
		return APIKey{}, fmt.Errorf("store: create key %q in %s: %w", k.Name, s.path, err)
	}
	now := nowMS()
	var id int64
	err = s.write(ctx, TopicKeys, func(tx rtx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO api_keys (name, owner, prefix, hash, expires_at, models,
		channels, rpm, tpm, budget_daily_usd, budget_monthly_usd, revoked_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id`,
			k.Name, k.Owner, k.Prefix, k.Hash, msOrZero(k.ExpiresAt), models, channels, k.RPM, k.TPM,
			k.BudgetDailyUSD, k.BudgetMonthlyUSD, now, now).Scan(&id)
	})
	if err != nil {
		return APIKey{}, fmt.Errorf("store: create key %q in %s: %w", k.Name, s.path, duplicate(err))
	}
	return s.APIKey(ctx, id)
}

// UpdateAPIKey replaces the editable fields of key k.ID (name, owner,
// expiry, models, channels, limits and budgets) and returns the stored
// row; the secret, prefix and revocation stay. ErrNotFound if there is no
// such key, ErrDuplicateName if another active key has the name.
func (s *Store) UpdateAPIKey(ctx context.Context, k APIKey) (APIKey, error) {
	models, channels, err := encodeKeyLists(k)
	if err != nil {
		return APIKey{}, fmt.Errorf("store: update key %d in %s: %w", k.ID, s.path, err)
	}
	err = s.write(ctx, TopicKeys, func(tx rtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET name = ?, owner = ?, expires_at = ?, models = ?,
		channels = ?, rpm = ?, tpm = ?, budget_daily_usd = ?, budget_monthly_usd = ?, updated_at = ? WHERE id = ?`,
			k.Name, k.Owner, msOrZero(k.ExpiresAt), models, channels, k.RPM, k.TPM, k.BudgetDailyUSD,
			k.BudgetMonthlyUSD, nowMS(), k.ID)
		if err != nil {
			return duplicate(err)
		}
		return oneRow(res)
	})
	if err != nil {
		return APIKey{}, fmt.Errorf("store: update key %d in %s: %w", k.ID, s.path, err)
	}
	return s.APIKey(ctx, k.ID)
}

// RevokeAPIKey revokes key id at the time given, or keeps the earlier time
// of a key already revoked, and returns the stored row. From the commit on,
// AdmitKey refuses it on every instance: the check reads this row. Cached
// copies learn of it through TopicKeys. ErrNotFound if there is no such key.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64, at time.Time) (APIKey, error) {
	err := s.write(ctx, TopicKeys, func(tx rtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END,
		updated_at = ? WHERE id = ?`, at.UnixMilli(), nowMS(), id)
		if err != nil {
			return err
		}
		return oneRow(res)
	})
	if err != nil {
		return APIKey{}, fmt.Errorf("store: revoke key %d in %s: %w", id, s.path, err)
	}
	return s.APIKey(ctx, id)
}

func scanAPIKey(r scanner) (APIKey, error) {
	var (
		k                                  APIKey
		models, channels                   string
		expires, revoked, created, updated int64
	)
	err := r.Scan(&k.ID, &k.Name, &k.Owner, &k.Prefix, &k.Hash, &expires, &models, &channels, &k.RPM, &k.TPM,
		&k.BudgetDailyUSD, &k.BudgetMonthlyUSD, &revoked, &created, &updated)
	if err != nil {
		return APIKey{}, err
	}
	for _, f := range []struct {
		name, raw string
		dst       *[]string
	}{{"models", models, &k.Models}, {"channels", channels, &k.Channels}} {
		if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
			return APIKey{}, fmt.Errorf("key %d: column %s: %w", k.ID, f.name, err)
		}
		if *f.dst == nil {
			*f.dst = []string{}
		}
	}
	k.ExpiresAt, k.RevokedAt = timeOrZero(expires), timeOrZero(revoked)
	k.CreatedAt, k.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	return k, nil
}

func encodeKeyLists(k APIKey) (models, channels string, err error) {
	if models, err = jsonOr(k.Models, "[]"); err != nil {
		return "", "", err
	}
	if channels, err = jsonOr(k.Channels, "[]"); err != nil {
		return "", "", err
	}
	return models, channels, nil
}

// msOrZero is t in unix milliseconds, 0 for the zero time.
func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// timeOrZero is the inverse of msOrZero.
func timeOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
