package keys

import (
	"context"
	"fmt"

	"github.com/routex-app/routex/backend/store"
)

// The management methods back /api/keys and `routex key`. Each write
// reloads this instance's copy; other instances reload on the change
// notice the store sends.

// Keys returns every key, revoked ones included, oldest first.
func (s *Service) Keys(ctx context.Context) ([]store.APIKey, error) { return s.st.APIKeys(ctx) }

// Key returns one key, or an error wrapping store.ErrNotFound.
func (s *Service) Key(ctx context.Context, id int64) (store.APIKey, error) {
	return s.st.APIKey(ctx, id)
}

// Usage returns every key's use in the current UTC minute, day and month.
func (s *Service) Usage(ctx context.Context) (map[int64]store.KeyUsage, error) {
	return s.st.KeyUsageAt(ctx, s.now())
}

// Create makes a key with k's name, owner, expiry, lists and limits and a
// new secret, and returns the stored key and the secret: the only time
// the secret is seen.
func (s *Service) Create(ctx context.Context, k store.APIKey) (store.APIKey, string, error) {
	secret, prefix, hash := NewSecret()
	k.Prefix, k.Hash = prefix, hash
	created, err := s.st.CreateAPIKey(ctx, k)
	if err != nil {
		return store.APIKey{}, "", err
	}
	s.reloadAfter("create", created.ID)
	return created, secret, nil
}

// Update replaces a key's editable fields (see store.UpdateAPIKey).
func (s *Service) Update(ctx context.Context, k store.APIKey) (store.APIKey, error) {
	up, err := s.st.UpdateAPIKey(ctx, k)
	if err != nil {
		return store.APIKey{}, err
	}
	s.reloadAfter("update", k.ID)
	return up, nil
}

// Revoke revokes a key now: from the commit on, no instance admits another
// request with it.
func (s *Service) Revoke(ctx context.Context, id int64) (store.APIKey, error) {
	k, err := s.st.RevokeAPIKey(ctx, id, s.now())
	if err != nil {
		return store.APIKey{}, err
	}
	s.reloadAfter("revoke", id)
	return k, nil
}

// reloadAfter refreshes this instance's copy after a write. A failure is
// only logged: the write stands, Admit reads the database anyway, and the
// next notice or re-read catches up.
func (s *Service) reloadAfter(what string, id int64) {
	if err := s.Reload(context.Background()); err != nil {
		s.log.Warn(fmt.Sprintf("keys: reload after %s", what), "key_id", id, "error", err)
	}
}
