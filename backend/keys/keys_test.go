package keys

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/store"
)

func newService(t *testing.T) (*Service, *store.Store) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "routex.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st, nil), st
}

func TestNewSecretIsRandomPrefixedAndHashed(t *testing.T) {
	t.Parallel()
	a, pa, ha := NewSecret()
	b, _, hb := NewSecret()
	if a == b || ha == hb {
		t.Fatal("two secrets are the same")
	}
	if !strings.HasPrefix(a, "rtx-") || len(a) != 52 || pa != a[:12] || !LooksLikeKey(a) {
		t.Errorf("secret %q prefix %q", a, pa)
	}
	if ha != Hash(a) || len(ha) != 64 || strings.Contains(ha, a[4:]) {
		t.Errorf("hash %q of %q", ha, a)
	}
	for _, s := range []string{"rx-0123456789abcdef", "rtx-", "rtx-1234", "sk-ant-xyz"} {
		if LooksLikeKey(s) {
			t.Errorf("LooksLikeKey(%q) = true", s)
		}
	}
}

func TestAllowsModelAndChannel(t *testing.T) {
	t.Parallel()
	any := &store.APIKey{}
	some := &store.APIKey{Models: []string{"claude-*", "gpt-4.1"}, Channels: []string{"anthropic"}}
	cases := []struct {
		k     *store.APIKey
		model string
		want  bool
	}{
		{any, "whatever", true},
		{some, "claude-sonnet-4-5", true},
		{some, "CLAUDE-opus-4-1", true},
		{some, "gpt-4.1", true},
		{some, "gpt-4.1-mini", false},
		{some, "deepseek-chat", false},
		{some, "anthropic,claude-haiku-4-5", true}, // explicit channel,model: the model part matches
		{some, "deepseek,deepseek-chat", false},
	}
	for _, c := range cases {
		if got := AllowsModel(c.k, c.model); got != c.want {
			t.Errorf("AllowsModel(%v, %q) = %v", c.k.Models, c.model, got)
		}
	}
	if !AllowsChannel(any, "x") || !AllowsChannel(some, "anthropic") || AllowsChannel(some, "openai") {
		t.Error("AllowsChannel")
	}
}

func TestLookupAndAdmit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, st := newService(t)
	now := time.Date(2026, 4, 2, 9, 30, 15, 0, time.UTC)
	s.now = func() time.Time { return now }

	k, secret, err := s.Create(ctx, store.APIKey{Name: "alice", RPM: 2, Models: []string{"claude-*"}})
	if err != nil {
		t.Fatal(err)
	}
	if k.Prefix != secret[:12] || k.Hash != Hash(secret) {
		t.Fatalf("stored %+v for %s", k, secret)
	}
	got, ref := s.Lookup(secret)
	if ref != nil || got == nil || got.ID != k.ID {
		t.Fatalf("Lookup of a fresh key: %+v %v", got, ref)
	}
	if got, ref := s.Lookup(secret + "0"); got != nil || ref != nil {
		t.Errorf("a wrong secret found %+v %v", got, ref)
	}

	if r := s.Admit(ctx, got, "gpt-4.1"); r == nil || r.Status != http.StatusForbidden || r.Limit != LimitModel ||
		!strings.Contains(r.Message, `may not use model "gpt-4.1"`) || !strings.Contains(r.Message, "claude-*") {
		t.Errorf("a model the key may not use: %+v", r)
	}
	for i := range 2 {
		if r := s.Admit(ctx, got, "claude-sonnet-4-5"); r != nil {
			t.Fatalf("request %d within rpm 2: %+v", i+1, r)
		}
	}
	r := s.Admit(ctx, got, "claude-sonnet-4-5")
	if r == nil || r.Status != http.StatusTooManyRequests || r.Kind != protocol.RateLimit || r.Limit != store.LimitRPM ||
		!r.Retry || !r.ResetAt.Equal(time.Date(2026, 4, 2, 9, 31, 0, 0, time.UTC)) ||
		r.Message != `Routex key "alice" (`+k.Prefix+`…) reached its limit of 2 requests per minute (2 used); it resets at 09:31:00 UTC (in 45s)` {
		t.Fatalf("third request in the minute: %+v", r)
	}
	h := http.Header{}
	r.Headers(h, now)
	if h.Get("Retry-After") != "45" || h.Get("X-Routex-Limit") != "rpm" || h.Get("X-Should-Retry") != "true" ||
		h.Get("X-Routex-Limit-Reset") != "2026-04-02T09:31:00Z" {
		t.Errorf("429 headers: %v", h)
	}

	// A budget spent: 402, not retried by clients, reset at midnight UTC.
	k.RPM, k.BudgetDailyUSD = 0, 0.5
	if _, err := s.Update(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := st.AddKeyUsage(ctx, []store.KeyUse{{KeyID: k.ID, At: now, CostUSD: 0.75}}); err != nil {
		t.Fatal(err)
	}
	r = s.Admit(ctx, got, "claude-sonnet-4-5")
	if r == nil || r.Status != http.StatusPaymentRequired || r.Kind != protocol.Billing || r.Retry ||
		!strings.Contains(r.Message, "spent its daily budget of $0.50 ($0.75 used); it resets at 2026-04-03 00:00 UTC (in 14h29m45s)") {
		t.Fatalf("spent budget: %+v", r)
	}
	h = http.Header{}
	r.Headers(h, now)
	if h.Get("X-Should-Retry") != "false" || h.Get("Retry-After") != "52185" {
		t.Errorf("402 headers: %v", h)
	}

	// Revoked: the copy knows at once on this instance (Revoke reloads);
	// Admit refuses from the database for a copy that does not yet.
	stale := *got
	if _, err := s.Revoke(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, ref := s.Lookup(secret); ref == nil || ref.Status != http.StatusForbidden || ref.Limit != store.KeyRevoked {
		t.Errorf("Lookup after Revoke: %+v", ref)
	}
	if r := s.Admit(ctx, &stale, "claude-sonnet-4-5"); r == nil || r.Limit != store.KeyRevoked ||
		!strings.Contains(r.Message, "was revoked") {
		t.Errorf("Admit with a stale copy of a revoked key: %+v", r)
	}

	exp, expSecret, err := s.Create(ctx, store.APIKey{Name: "temp", ExpiresAt: now.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	if _, ref := s.Lookup(expSecret); ref == nil || ref.Limit != store.KeyExpired || ref.Status != http.StatusForbidden {
		t.Errorf("expired key: %+v", ref)
	}
	if r := s.Admit(ctx, &exp, "m"); r == nil || r.Limit != store.KeyExpired {
		t.Errorf("Admit of an expired key: %+v", r)
	}
}

func TestAccountAddsFinishedRequestsOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newService(t)
	k, _, err := s.Create(ctx, store.APIKey{Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.Run(runCtx); close(done) }()
	now := time.Now()
	s.Account(store.RequestLog{KeyID: k.ID, KeyAdmitted: true, Time: now, InputTokens: 100, CacheReadTokens: 5000,
		CacheWriteTokens: 20, OutputTokens: 30, CostUSD: 0.25})
	s.Account(store.RequestLog{KeyID: k.ID, KeyAdmitted: false, Time: now, CostUSD: 9}) // refused: not counted
	s.Account(store.RequestLog{KeyID: 0, KeyAdmitted: true, Time: now, CostUSD: 9})     // the access key
	deadline := time.Now().Add(5 * time.Second)
	for {
		u, err := s.Usage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := u[k.ID].Day; d.Requests == 1 {
			if d.Tokens != 150 || d.CostUSD != 0.25 || len(u) != 1 {
				t.Errorf("usage %+v; want 1 request, 150 tokens (cache reads left out), $0.25, only bob", u)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("usage not written: %+v", u)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	<-done
	// Queued after Run stopped: Flush writes it.
	s.Account(store.RequestLog{KeyID: k.ID, KeyAdmitted: true, Time: now, CostUSD: 0.5})
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.Usage(ctx); u[k.ID].Day.Requests != 2 || u[k.ID].Day.CostUSD != 0.75 {
		t.Errorf("after Flush: %+v", u[k.ID])
	}
}

func TestLookupFindsAKeyMadeElsewhereAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, st := newService(t)
	b := New(st, nil) // another instance on the same database, its copy not yet reloaded
	_, secret, err := a.Create(ctx, store.APIKey{Name: "new"})
	if err != nil {
		t.Fatal(err)
	}
	if k, ref := b.Lookup(secret); k == nil || ref != nil || k.Name != "new" {
		t.Errorf("a key made on another instance: %+v %v", k, ref)
	}
	// Unknown secrets are looked up at most missesPerSecond times a second.
	var m missRation
	now := time.Unix(1000, 0)
	for i := range missesPerSecond {
		if !m.take(now) {
			t.Fatalf("lookup %d refused", i+1)
		}
	}
	if m.take(now.Add(900 * time.Millisecond)) {
		t.Error("more lookups than the ration in one second")
	}
	if !m.take(now.Add(time.Second)) {
		t.Error("the next second has no ration")
	}
}
