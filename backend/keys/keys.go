// Package keys runs the keys per person of a team gateway: named keys an
// admin hands out besides the single access key, each with an expiry,
// allowed models and channels, requests and tokens per minute, and daily
// and monthly budgets.
//
// A key's secret is shown once, when it is made; the database keeps its
// SHA-256. Each instance keeps a copy of the keys (reloaded on every change
// notice) to recognise a presented secret without a database read; the
// check that admits a request (Admit) reads the key's row and counters in
// the shared database, in one statement, so a revocation or a spent budget
// applies to the next request on every instance. A finished request's
// tokens and cost are added to the counters by a background writer
// (Account), as soon as the previous write is done, or by the key's next
// check on this instance, in the check's own round trip, if that comes
// first: whichever takes a use first writes it, and it is written once.
package keys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/routex-app/routex/backend/store"
	"github.com/routex-app/routex/backend/transform"
)

// SecretPrefix starts every key per person, so a presented secret is told
// from the access key (rx-) and the admin token (rxa-) at a glance.
const SecretPrefix = "rtx-"

// shownLen is how much of a secret the prefix shows: "rtx-" and 8 hex
// digits, enough to tell keys apart, far too little to guess the rest.
const shownLen = len(SecretPrefix) + 8

// NewSecret returns a new secret (SecretPrefix and 48 hex digits: 192
// random bits), the prefix shown for it, and the hash stored for it.
func NewSecret() (secret, prefix, hash string) {
	b := make([]byte, 24)
	rand.Read(b) // never fails: crypto/rand aborts the process instead
	secret = SecretPrefix + hex.EncodeToString(b)
	return secret, secret[:shownLen], Hash(secret)
}

// Hash is what the database keeps of a secret: its hex SHA-256. A fast
// hash is enough for 192 random bits; no one guesses them from the hash.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// LooksLikeKey reports whether a presented credential has the form of a
// key per person, so other credentials skip the lookup.
func LooksLikeKey(s string) bool {
	return len(s) > shownLen && strings.HasPrefix(s, SecretPrefix)
}

// Service checks, counts and manages the keys per person of one engine.
// Safe for concurrent use.
type Service struct {
	st  *store.Store
	log *slog.Logger
	now func() time.Time

	snap     atomic.Pointer[snapshot]
	reloadMu sync.Mutex

	// pending holds finished requests' usage that no one is writing yet;
	// wake tells the writer there is some. flying holds, by key, the usage
	// whose write is under way (the writer's batch, or one Admit's
	// share), each tagged with its write; a use is in exactly one of the
	// two until it is written, so it is never counted twice. settled is
	// closed (and replaced) whenever a write ends, for awaitUsage.
	mu      sync.Mutex
	flushMu sync.Mutex // one Flush at a time: a failed batch goes back first
	pending []store.KeyUse
	wake    chan struct{}
	flying  map[int64][]flyingUse
	writes  uint64
	settled chan struct{}

	// misses rations the database lookups of secrets this instance's copy
	// lacks (a key made on another instance a moment ago).
	misses missRation
}

// snapshot is the keys as last read, by hash of the secret.
type snapshot struct {
	byHash map[string]*store.APIKey
}

// New returns the service of st's keys. Call Reload before checking keys,
// and Run to write usage.
func New(st *store.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{st: st, log: log, now: time.Now, wake: make(chan struct{}, 1), settled: make(chan struct{}),
		flying: map[int64][]flyingUse{}}
	s.snap.Store(&snapshot{byHash: map[string]*store.APIKey{}})
	return s
}

// Reload re-reads the keys. The engine calls it at start and on each
// change notice; the management methods call it after their writes.
func (s *Service) Reload(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	all, err := s.st.APIKeys(ctx)
	if err != nil {
		return fmt.Errorf("keys: reload: %w", err)
	}
	snap := &snapshot{byHash: make(map[string]*store.APIKey, len(all))}
	for i := range all {
		snap.byHash[all[i].Hash] = &all[i]
	}
	s.snap.Store(snap)
	return nil
}

// Lookup finds the key whose secret is presented. It returns nil, nil for
// a secret no key has (the caller answers 401 as for a wrong access key),
// and a refusal for a key revoked or expired as far as this instance
// knows; Admit asks the database itself. A secret this instance's copy
// lacks is looked up in the database (at most missesPerSecond times a
// second, so junk keys cannot load it), so a key made on another instance
// works here at once, before the change notice arrives.
func (s *Service) Lookup(secret string) (*store.APIKey, *Refusal) {
	if !LooksLikeKey(secret) {
		return nil, nil
	}
	hash := Hash(secret)
	k := s.snap.Load().byHash[hash]
	if k == nil && s.misses.take(s.now()) {
		ctx, cancel := context.WithTimeout(context.Background(), admitTimeout)
		found, err := s.st.APIKeyByHash(ctx, hash)
		cancel()
		if err == nil {
			k = &found
			s.reloadAfter("a key made elsewhere", found.ID)
		}
	}
	switch {
	case k == nil:
		return nil, nil
	case k.Revoked():
		return k, refuse(k, store.Admission{Reason: store.KeyRevoked}, s.now())
	case k.Expired(s.now()):
		return k, refuse(k, store.Admission{Reason: store.KeyExpired, ResetAt: k.ExpiresAt}, s.now())
	}
	return k, nil
}

// missesPerSecond caps the database lookups of unknown secrets.
const missesPerSecond = 10

// missRation allows missesPerSecond lookups in each second.
type missRation struct {
	mu     sync.Mutex
	second int64
	n      int
}

func (m *missRation) take(now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if sec := now.Unix(); sec != m.second {
		m.second, m.n = sec, 0
	}
	if m.n >= missesPerSecond {
		return false
	}
	m.n++
	return true
}

// AllowsModel reports whether k may ask for model: any model when k lists
// none, else one matching a pattern ("claude-*"). For an explicit
// "channel,model" name, the model part may match too.
func AllowsModel(k *store.APIKey, model string) bool {
	if len(k.Models) == 0 {
		return true
	}
	_, part, explicit := strings.Cut(model, ",")
	for _, p := range k.Models {
		if transform.MatchModel(p, model) || (explicit && transform.MatchModel(p, part)) {
			return true
		}
	}
	return false
}

// AllowsChannel reports whether k may be served by the channel named
// channel: any when k lists none.
func AllowsChannel(k *store.APIKey, channel string) bool {
	if len(k.Channels) == 0 {
		return true
	}
	for _, c := range k.Channels {
		if c == channel {
			return true
		}
	}
	return false
}

// admitTimeout bounds the database check of one request.
const admitTimeout = 5 * time.Second

// Admit is the check of a request of key k, which the proxy runs beside
// the upstream call and awaits before any reply reaches the client (see
// proxy's admitKey): the model must be allowed, and the shared database must
// admit it (key active, within its limits), which counts it in the key's
// current minute. The key's earlier requests on this instance are in the
// check: their usage not yet written goes to the counters in the check's
// own round trip, and usage whose write is under way is added to the
// counters the check reads; only when that usage alone would refuse the
// key does Admit wait for its write and ask again. A refusal says which
// limit, and when it resets, for the client.
func (s *Service) Admit(ctx context.Context, k *store.APIKey, model string) *Refusal {
	now := s.now()
	if !AllowsModel(k, model) {
		return ModelRefusal(k, model)
	}
	// The check may carry usage the writer would have written: a client
	// gone mid-check must not leave it unknown whether that was written.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), admitTimeout)
	defer cancel()
	a, err := s.admit(ctx, k.ID, now, true)
	if err == nil && a.Unsure {
		s.awaitUsage(ctx, k.ID)
		a, err = s.admit(ctx, k.ID, now, false)
	}
	if err != nil {
		s.log.Warn("key check failed", "key", k.Name, "key_id", k.ID, "error", err)
		return unavailable(k)
	}
	if !a.Admitted {
		return refuse(k, a, now)
	}
	return nil
}
