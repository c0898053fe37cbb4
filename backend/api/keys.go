package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/store"
)

// KeyManager makes, lists, edits and revokes keys per person;
// *keys.Service implements it. Its writes refresh the engine's own copy of
// the keys, so the proxy sees them at once.
type KeyManager interface {
	Keys(ctx context.Context) ([]store.APIKey, error)
	Key(ctx context.Context, id int64) (store.APIKey, error)
	Usage(ctx context.Context) (map[int64]store.KeyUsage, error)
	Create(ctx context.Context, k store.APIKey) (store.APIKey, string, error)
	Update(ctx context.Context, k store.APIKey) (store.APIKey, error)
	Revoke(ctx context.Context, id int64) (store.APIKey, error)
}

func (s *Server) keyRoutes() {
	s.mux.HandleFunc("GET /api/keys", s.listKeys)
	s.mux.HandleFunc("POST /api/keys", s.createKey)
	s.mux.HandleFunc("GET /api/keys/{id}", s.getKey)
	s.mux.HandleFunc("PATCH /api/keys/{id}", s.patchKey)
	s.mux.HandleFunc("DELETE /api/keys/{id}", s.revokeKey)
}

// newKeyView is k as the API shows it, with its usage u at now.
func newKeyView(k store.APIKey, u store.KeyUsage, now time.Time) wire.Key {
	v := wire.Key{ID: k.ID, Name: k.Name, Owner: k.Owner, Prefix: k.Prefix, Expired: k.Expired(now),
		Models: k.Models, Channels: k.Channels, RPM: k.RPM, TPM: k.TPM, BudgetDailyUSD: k.BudgetDailyUSD,
		BudgetMonthlyUSD: k.BudgetMonthlyUSD, Revoked: k.Revoked(), CreatedAt: k.CreatedAt.UTC(), UpdatedAt: k.UpdatedAt.UTC()}
	if !k.ExpiresAt.IsZero() {
		t := k.ExpiresAt.UTC()
		v.ExpiresAt = &t
	}
	if k.Revoked() {
		t := k.RevokedAt.UTC()
		v.RevokedAt = &t
	}
	p := store.PeriodsAt(now)
	use := func(c store.UsageCount, end time.Time) wire.KeyUsage {
		return wire.KeyUsage{Requests: c.Requests, Tokens: c.Tokens, CostUSD: c.CostUSD, ResetsAt: end}
	}
	v.Usage.Minute, v.Usage.Today, v.Usage.Month = use(u.Minute, p.MinuteEnd), use(u.Day, p.DayEnd), use(u.Month, p.MonthEnd)
	return v
}

// listKeys answers GET /api/keys with every key (revoked ones too) and its
// use this minute, today and this month (UTC).
func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	all, err := s.keys.Keys(r.Context())
	if err != nil {
		s.failKey(w, r, err)
		return
	}
	usage, err := s.keys.Usage(r.Context())
	if err != nil {
		s.failKey(w, r, err)
		return
	}
	now := s.obs.now()
	views := make([]wire.Key, len(all))
	for i, k := range all {
		views[i] = newKeyView(k, usage[k.ID], now)
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": views})
}

// getKey answers GET /api/keys/{id}.
func (s *Server) getKey(w http.ResponseWriter, r *http.Request) {
	k, err := s.keyOf(r)
	if err != nil {
		s.failKey(w, r, err)
		return
	}
	s.writeKey(w, r, http.StatusOK, k, "")
}

// createKey answers POST /api/keys with the new key and, once, its secret
// as "key".
func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	var in keyInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	k := store.APIKey{}
	if err := s.applyKeyInput(r.Context(), &k, in, true); err != nil {
		s.fail(w, r, err)
		return
	}
	created, secret, err := s.keys.Create(r.Context(), k)
	if err != nil {
		s.failKey(w, r, err)
		return
	}
	s.log.Info("key created", "id", created.ID, "name", created.Name, "prefix", created.Prefix)
	s.writeKey(w, r, http.StatusCreated, created, secret)
}

// patchKey answers PATCH /api/keys/{id}: the fields sent change, the rest
// stay. A revoked key cannot change.
func (s *Server) patchKey(w http.ResponseWriter, r *http.Request) {
	k, err := s.keyOf(r)
	if err != nil {
		s.failKey(w, r, err)
		return
	}
	if k.Revoked() {
		writeError(w, http.StatusConflict, "conflict", "key "+strconv.Quote(k.Name)+" is revoked and cannot change; create a new key", nil)
		return
	}
	var in keyInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.applyKeyInput(r.Context(), &k, in, false); err != nil {
		s.fail(w, r, err)
		return
	}
	up, err := s.keys.Update(r.Context(), k)
	if err != nil {
		s.failKey(w, r, err)
		return
	}
	s.log.Info("key updated", "id", up.ID, "name", up.Name)
	s.writeKey(w, r, http.StatusOK, up, "")
}

// revokeKey answers DELETE /api/keys/{id}: the key is revoked at once on
// every instance and stays listed, with its usage, as revoked.
func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	id, err := keyID(r)
	if err != nil {
		s.failKey(w, r, err)
		return
	}
	k, err := s.keys.Revoke(r.Context(), id)
	if err != nil {
		s.failKey(w, r, err)
		return
	}
	s.log.Info("key revoked", "id", k.ID, "name", k.Name)
	s.writeKey(w, r, http.StatusOK, k, "")
}

// writeKey answers with one key and its usage (and its secret, once).
func (s *Server) writeKey(w http.ResponseWriter, r *http.Request, status int, k store.APIKey, secret string) {
	usage, err := s.keys.Usage(r.Context())
	if err != nil {
		s.failKey(w, r, err)
		return
	}
	v := newKeyView(k, usage[k.ID], s.obs.now())
	v.Key = secret
	writeJSON(w, status, v)
}

// keyOf is the key the path's {id} names.
func (s *Server) keyOf(r *http.Request) (store.APIKey, error) {
	id, err := keyID(r)
	if err != nil {
		return store.APIKey{}, err
	}
	return s.keys.Key(r.Context(), id)
}

func keyID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// failKey maps the store's errors for keys.
func (s *Server) failKey(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such key", nil)
	case errors.Is(err, store.ErrDuplicateName):
		msg := "another active key has this name"
		writeError(w, http.StatusConflict, "conflict", msg, ValidationError{"name": {Code: "key_unique", Message: msg}})
	default:
		s.fail(w, r, err)
	}
}

// optionalTime is a JSON time field that tells "absent" from null: set is
// true when the field was sent; a null or "" sets the zero time (never).
type optionalTime struct {
	set bool
	raw string
}

func (o *optionalTime) UnmarshalJSON(b []byte) error {
	o.set = true
	if bytes.Equal(b, []byte("null")) {
		o.raw = ""
		return nil
	}
	return json.Unmarshal(b, &o.raw)
}

// keyInput is the body of POST and PATCH /api/keys: absent fields keep
// their value (their default on create).
type keyInput struct {
	Name             *string      `json:"name"`
	Owner            *string      `json:"owner"`
	ExpiresAt        optionalTime `json:"expires_at"`
	Models           *[]string    `json:"models"`
	Channels         *[]string    `json:"channels"`
	RPM              *int64       `json:"rpm"`
	TPM              *int64       `json:"tpm"`
	BudgetDailyUSD   *float64     `json:"budget_daily_usd"`
	BudgetMonthlyUSD *float64     `json:"budget_monthly_usd"`
}

// Bounds of a key's fields.
const (
	maxKeyName  = 64
	maxKeyOwner = 200
	maxKeyList  = 100
	maxLimit    = 1_000_000_000
)

// applyKeyInput validates in and writes the fields it sets into k.
func (s *Server) applyKeyInput(ctx context.Context, k *store.APIKey, in keyInput, create bool) error {
	ve := ValidationError{}
	if in.Name != nil || create {
		name := ""
		if in.Name != nil {
			name = strings.TrimSpace(*in.Name)
		}
		switch {
		case name == "":
			ve.add("name", "required", "name is required: say whose key this is, such as alice-laptop")
		case len([]rune(name)) > maxKeyName:
			ve.add("name", "too_long", "name must be at most %d characters", maxKeyName)
		case strings.IndexFunc(name, unicode.IsControl) >= 0:
			ve.add("name", "invalid", "name must not hold control characters")
		}
		k.Name = name
	}
	if in.Owner != nil {
		k.Owner = strings.TrimSpace(*in.Owner)
		if len([]rune(k.Owner)) > maxKeyOwner || strings.IndexFunc(k.Owner, unicode.IsControl) >= 0 {
			ve.add("owner", "invalid", "owner must be at most %d characters, without control characters", maxKeyOwner)
		}
	}
	if in.ExpiresAt.set {
		k.ExpiresAt = time.Time{}
		if raw := strings.TrimSpace(in.ExpiresAt.raw); raw != "" {
			t, err := time.Parse(time.RFC3339, raw)
			switch {
			case err != nil:
				ve.add("expires_at", "invalid_time", "expires_at must be an RFC 3339 time such as 2026-12-31T23:59:59Z, or null for never, not %q", raw)
			case !t.After(s.obs.now()):
				ve.add("expires_at", "in_past", "expires_at %s has passed; pick a time in the future", raw)
			default:
				k.ExpiresAt = t
			}
		}
	}
	if in.Models != nil {
		k.Models = cleanList(ve, "models", *in.Models)
	}
	if in.Channels != nil {
		k.Channels = cleanList(ve, "channels", *in.Channels)
		if len(k.Channels) > 0 {
			s.checkChannelNames(ctx, ve, k.Channels)
		}
	}
	for _, f := range []struct {
		name string
		in   *int64
		dst  *int64
	}{{"rpm", in.RPM, &k.RPM}, {"tpm", in.TPM, &k.TPM}} {
		if f.in == nil {
			continue
		}
		if *f.in < 0 || *f.in > maxLimit {
			ve.add(f.name, "out_of_range", "%s must be between 0 (no limit) and %d", f.name, maxLimit)
		}
		*f.dst = *f.in
	}
	for _, f := range []struct {
		name string
		in   *float64
		dst  *float64
	}{{"budget_daily_usd", in.BudgetDailyUSD, &k.BudgetDailyUSD}, {"budget_monthly_usd", in.BudgetMonthlyUSD, &k.BudgetMonthlyUSD}} {
		if f.in == nil {
			continue
		}
		if *f.in < 0 || math.IsNaN(*f.in) || math.IsInf(*f.in, 0) || *f.in > maxLimit {
			ve.add(f.name, "out_of_range", "%s must be a number of US dollars >= 0 (0: no budget)", f.name)
		}
		*f.dst = *f.in
	}
	if len(ve) > 0 {
		return ve
	}
	return nil
}

// cleanList trims the entries of a models or channels list and drops
// empty and repeated ones.
func cleanList(ve ValidationError, field string, in []string) []string {
	if len(in) > maxKeyList {
		ve.add(field, "too_many", "%s may name at most %d entries", field, maxKeyList)
	}
	out := []string{}
	seen := map[string]bool{}
	for _, v := range in {
		v = strings.TrimSpace(v)
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}

// checkChannelNames refuses channel names no channel has: a typo would
// leave the key unable to use anything.
func (s *Server) checkChannelNames(ctx context.Context, ve ValidationError, names []string) {
	chans, err := s.store.Channels(ctx)
	if err != nil {
		ve.add("channels", "unavailable", "the channels could not be read to check these names: %v", err)
		return
	}
	known := map[string]bool{}
	for _, c := range chans {
		known[c.Name] = true
	}
	for _, n := range names {
		if !known[n] {
			ve.add("channels", "unknown_channel", "no channel is named %q", n)
			return
		}
	}
}
