package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store/pgtest"
)

// sampleKey is an active key with no limits.
func sampleKey(name string) APIKey {
	return APIKey{Name: name, Owner: name + "@example.com", Prefix: "rtx-" + name,
		Hash: fmt.Sprintf("%064x", len(name)*7919+int(name[0])) + name}
}

func TestAPIKeysCreateListUpdateRevoke(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		expires := time.UnixMilli(time.Now().Add(30 * 24 * time.Hour).UnixMilli())
		in := sampleKey("alice")
		in.ExpiresAt, in.Models, in.Channels = expires, []string{"claude-*"}, []string{"anthropic"}
		in.RPM, in.TPM, in.BudgetDailyUSD, in.BudgetMonthlyUSD = 60, 100000, 5, 50
		a, err := s.CreateAPIKey(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.Name != "alice" || a.Hash != in.Hash || !a.ExpiresAt.Equal(expires) ||
			!slices.Equal(a.Models, []string{"claude-*"}) || !slices.Equal(a.Channels, []string{"anthropic"}) ||
			a.RPM != 60 || a.TPM != 100000 || a.BudgetDailyUSD != 5 || a.BudgetMonthlyUSD != 50 ||
			a.Revoked() || a.CreatedAt.IsZero() {
			t.Fatalf("created %+v", a)
		}
		b, err := s.CreateAPIKey(ctx, sampleKey("bob"))
		if err != nil {
			t.Fatal(err)
		}
		if b.Models == nil || b.Channels == nil || !b.ExpiresAt.IsZero() || b.Expired(time.Now()) {
			t.Errorf("a key without lists or expiry reads back as %+v", b)
		}
		dup := sampleKey("alice")
		dup.Hash = "other-hash"
		if _, err := s.CreateAPIKey(ctx, dup); !errors.Is(err, ErrDuplicateName) {
			t.Errorf("a second active key named alice: %v, want ErrDuplicateName", err)
		}

		a.Name, a.RPM, a.Models, a.ExpiresAt = "alice-laptop", 10, nil, time.Time{}
		up, err := s.UpdateAPIKey(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if up.Name != "alice-laptop" || up.RPM != 10 || len(up.Models) != 0 || !up.ExpiresAt.IsZero() ||
			up.Hash != in.Hash || up.Prefix != in.Prefix {
			t.Errorf("updated %+v", up)
		}
		if _, err := s.UpdateAPIKey(ctx, APIKey{ID: 999, Name: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("update of a missing key: %v", err)
		}

		at := time.UnixMilli(time.Now().UnixMilli())
		rv, err := s.RevokeAPIKey(ctx, a.ID, at)
		if err != nil || !rv.Revoked() || !rv.RevokedAt.Equal(at) {
			t.Fatalf("revoke: %+v %v", rv, err)
		}
		again, err := s.RevokeAPIKey(ctx, a.ID, at.Add(time.Hour))
		if err != nil || !again.RevokedAt.Equal(at) {
			t.Errorf("revoking twice moved the time to %v (%v); want the first %v", again.RevokedAt, err, at)
		}
		if _, err := s.RevokeAPIKey(ctx, 999, at); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoke of a missing key: %v", err)
		}
		// A revoked key's name is free again.
		reuse := sampleKey("alice-laptop")
		reuse.Hash = "another-hash"
		if _, err := s.CreateAPIKey(ctx, reuse); err != nil {
			t.Errorf("a new key named like a revoked one: %v", err)
		}
		all, err := s.APIKeys(ctx)
		if err != nil || len(all) != 3 || all[0].ID != a.ID || !all[0].Revoked() || all[2].Revoked() {
			t.Errorf("list: %+v %v", all, err)
		}
	})
}

// admitted counts how many of n concurrent AdmitKey calls, spread over the
// given stores, were admitted.
func admitConcurrently(t *testing.T, stores []*Store, id int64, n int, now time.Time) (int, []Admission) {
	t.Helper()
	var ok atomic.Int64
	var mu sync.Mutex
	var refused []Admission
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a, err := stores[i%len(stores)].AdmitKey(context.Background(), id, now)
			if err != nil {
				t.Error(err)
				return
			}
			if a.Admitted {
				ok.Add(1)
				return
			}
			mu.Lock()
			refused = append(refused, a)
			mu.Unlock()
		})
	}
	wg.Wait()
	return int(ok.Load()), refused
}

func TestAdmitKeyHoldsRequestsPerMinuteAcrossInstances(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		a, b := db.open(t), db.open(t)
		k := sampleKey("team")
		k.RPM = 25
		key, err := a.CreateAPIKey(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 4, 10, 20, 30, 0, time.UTC)
		got, refused := admitConcurrently(t, []*Store{a, b}, key.ID, 80, now)
		if got != 25 {
			t.Errorf("%d of 80 concurrent requests on two instances admitted; want exactly the rpm of 25", got)
		}
		for _, r := range refused {
			if r.Reason != LimitRPM || r.Limit != 25 || r.Used != 25 || !r.ResetAt.Equal(now.Truncate(time.Minute).Add(time.Minute)) {
				t.Fatalf("refusal %+v; want rpm 25 of 25, resetting at the next minute", r)
			}
		}
		// The next minute starts from zero.
		next, err := b.AdmitKey(ctx, key.ID, now.Add(time.Minute))
		if err != nil || !next.Admitted || next.Requests != 1 {
			t.Errorf("first request of the next minute: %+v %v", next, err)
		}
		// A limit raised on one instance applies on the other at once.
		key.RPM = 26
		if _, err := b.UpdateAPIKey(ctx, key); err != nil {
			t.Fatal(err)
		}
		if r, err := a.AdmitKey(ctx, key.ID, now); err != nil || !r.Admitted || r.Requests != 26 {
			t.Errorf("after raising rpm to 26: %+v %v", r, err)
		}
	})
}

func TestAdmitKeyRefusesRevokedExpiredAndMissingKeys(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		a, b := db.open(t), db.open(t)
		now := time.Now()
		key, err := a.CreateAPIKey(ctx, sampleKey("leaver"))
		if err != nil {
			t.Fatal(err)
		}
		if r, err := a.AdmitKey(ctx, key.ID, now); err != nil || !r.Admitted {
			t.Fatalf("active key: %+v %v", r, err)
		}
		// Revoked through B, refused by A on the next request: the check
		// reads the shared row, not a copy.
		if _, err := b.RevokeAPIKey(ctx, key.ID, now); err != nil {
			t.Fatal(err)
		}
		if r, err := a.AdmitKey(ctx, key.ID, now); err != nil || r.Admitted || r.Reason != KeyRevoked {
			t.Errorf("revoked on B, admitted on A: %+v %v", r, err)
		}

		exp := sampleKey("temp")
		exp.ExpiresAt = now.Add(time.Hour)
		temp, err := a.CreateAPIKey(ctx, exp)
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := a.AdmitKey(ctx, temp.ID, now); !r.Admitted {
			t.Errorf("before expiry: %+v", r)
		}
		r, err := a.AdmitKey(ctx, temp.ID, now.Add(time.Hour))
		if err != nil || r.Admitted || r.Reason != KeyExpired || !r.ResetAt.Equal(time.UnixMilli(exp.ExpiresAt.UnixMilli())) {
			t.Errorf("at expiry: %+v %v", r, err)
		}
		if r, err := a.AdmitKey(ctx, 4242, now); err != nil || r.Admitted || r.Reason != KeyMissing {
			t.Errorf("missing key: %+v %v", r, err)
		}
	})
}

func TestAdmitKeyChecksTokensAndBudgetsAfterUsageIsAdded(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		now := time.Date(2026, 5, 31, 23, 59, 10, 0, time.UTC)
		tk := sampleKey("tokens")
		tk.TPM = 1000
		tokens, err := s.CreateAPIKey(ctx, tk)
		if err != nil {
			t.Fatal(err)
		}
		bk := sampleKey("budget")
		bk.BudgetDailyUSD, bk.BudgetMonthlyUSD = 1, 3
		budget, err := s.CreateAPIKey(ctx, bk)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{tokens.ID, budget.ID} {
			if r, err := s.AdmitKey(ctx, id, now); err != nil || !r.Admitted {
				t.Fatalf("key %d before any use: %+v %v", id, r, err)
			}
		}
		// Usage of finished requests, in two batches, in the same minute.
		if err := s.AddKeyUsage(ctx, []KeyUse{{KeyID: tokens.ID, At: now, Tokens: 600},
			{KeyID: budget.ID, At: now, Tokens: 10, CostUSD: 0.6}}); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.AdmitKey(ctx, tokens.ID, now); !r.Admitted {
			t.Errorf("600 of 1000 tokens used: %+v", r)
		}
		if r, _ := s.AdmitKey(ctx, budget.ID, now); !r.Admitted {
			t.Errorf("$0.60 of $1 spent: %+v", r)
		}
		if err := s.AddKeyUsage(ctx, []KeyUse{{KeyID: tokens.ID, At: now, Tokens: 400},
			{KeyID: budget.ID, At: now, Tokens: 10, CostUSD: 0.5}}); err != nil {
			t.Fatal(err)
		}
		r, err := s.AdmitKey(ctx, tokens.ID, now)
		if err != nil || r.Admitted || r.Reason != LimitTPM || r.Limit != 1000 || r.Used != 1000 ||
			!r.ResetAt.Equal(time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC).Add(23*time.Hour+60*time.Minute)) {
			t.Errorf("1000 of 1000 tokens used: %+v %v", r, err)
		}
		r, err = s.AdmitKey(ctx, budget.ID, now)
		if err != nil || r.Admitted || r.Reason != LimitDaily || r.Limit != 1 || r.Used < 1.09 ||
			!r.ResetAt.Equal(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("$1.10 of $1 spent today: %+v %v", r, err)
		}
		// The next day (and month) the daily budget is fresh; the monthly
		// one counts by month, so spend it past $3 in June.
		june := now.Add(time.Hour)
		if r, _ := s.AdmitKey(ctx, budget.ID, june); !r.Admitted {
			t.Errorf("a new day: %+v", r)
		}
		for range 4 {
			june = june.Add(24 * time.Hour)
			if err := s.AddKeyUsage(ctx, []KeyUse{{KeyID: budget.ID, At: june, CostUSD: 0.8}}); err != nil {
				t.Fatal(err)
			}
		}
		r, err = s.AdmitKey(ctx, budget.ID, june.Add(24*time.Hour))
		if err != nil || r.Admitted || r.Reason != LimitMonthly || r.Limit != 3 ||
			!r.ResetAt.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("$3.20 of $3 spent in June: %+v %v", r, err)
		}

		usage, err := s.KeyUsageAt(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		u := usage[budget.ID]
		if u.Day.Requests != 2 || u.Day.Tokens != 20 || u.Day.CostUSD < 1.09 || u.Month.Requests != 2 ||
			u.Minute.Requests != 2 || u.Minute.Tokens != 20 {
			t.Errorf("May 31 usage of the budget key: %+v; want 2 admitted this minute, 2 finished today ($1.10)", u)
		}
		if u := usage[tokens.ID]; u.Minute.Tokens != 1000 || u.Day.Requests != 2 {
			t.Errorf("usage of the tokens key: %+v", u)
		}
	})
}

func TestPruneKeyUsageKeepsCurrentCounters(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		key, err := s.CreateAPIKey(ctx, sampleKey("old"))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		for _, at := range []time.Time{now, now.Add(-2 * time.Hour), now.Add(-500 * 24 * time.Hour)} {
			if err := s.AddKeyUsage(ctx, []KeyUse{{KeyID: key.ID, At: at, Tokens: 1, CostUSD: 1}}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.PruneKeyUsage(ctx, now)
		// Gone: the minutes two hours and 500 days ago, and that day.
		if err != nil || n != 3 {
			t.Errorf("pruned %d rows, %v; want 3", n, err)
		}
		u, err := s.KeyUsageAt(ctx, now)
		if err != nil || u[key.ID].Minute.Tokens != 1 || u[key.ID].Day.Requests < 1 || u[key.ID].Month.Requests < 1 {
			t.Errorf("current counters after pruning: %+v %v", u[key.ID], err)
		}
	})
}

func TestRequestLogsByKeyAndInstance(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		now := time.Now()
		old := now.Add(-72 * time.Hour)
		logs := []RequestLog{
			{Time: now, KeyID: 7, KeyName: "alice", Instance: "gw-a", Status: 200, CostUSD: 1, InputTokens: 10},
			{Time: now, KeyID: 7, KeyName: "alice", Instance: "gw-b", Status: 429, Error: "rpm"},
			{Time: now, KeyID: 8, KeyName: "bob", Instance: "gw-a", Status: 200, CostUSD: 2},
			{Time: now, Instance: "gw-b", Status: 200, CostUSD: 4},
			{Time: old, KeyID: 7, KeyName: "alice", Instance: "gw-a", Status: 200, CostUSD: 8, ChannelID: 1, UpstreamModel: "m"},
		}
		if err := s.InsertRequestLogs(ctx, logs); err != nil {
			t.Fatal(err)
		}
		page, _, err := s.ListRequestLogs(ctx, LogFilter{KeyID: 7})
		if err != nil || len(page) != 3 || page[0].KeyName != "alice" || page[0].Instance == "" {
			t.Fatalf("key 7's rows: %+v %v", page, err)
		}
		if page, _, _ := s.ListRequestLogs(ctx, LogFilter{Instance: "gw-b"}); len(page) != 2 {
			t.Errorf("gw-b served %d rows, want 2", len(page))
		}
		if page, _, _ := s.ListRequestLogs(ctx, LogFilter{Query: "BOB"}); len(page) != 1 || page[0].KeyID != 8 {
			t.Errorf("search for a key's name: %+v", page)
		}
		// Retention keeps the key in the daily totals.
		if _, err := s.RollUp(ctx, now.Add(-24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		sum, err := s.StatsSummary(ctx, time.Time{}, time.Time{}, StatsScope{KeyID: 7})
		if err != nil || sum.Requests != 3 || sum.Failed != 1 || sum.CostUSD != 9 {
			t.Errorf("key 7's summary: %+v %v; want 3 requests, 1 failed, $9 (one rolled up)", sum, err)
		}
		if all, _ := s.StatsSummary(ctx, time.Time{}, time.Time{}); all.Requests != 5 {
			t.Errorf("unscoped summary counts %d requests, want 5", all.Requests)
		}
		tl, err := s.StatsTimeline(ctx, now.Add(-96*time.Hour), now.Add(time.Minute), 24*time.Hour, StatsScope{KeyID: 8})
		var n int64
		for _, b := range tl {
			n += b.Requests
		}
		if err != nil || n != 1 {
			t.Errorf("key 8's timeline has %d requests (%v), want 1", n, err)
		}
		if ch, _ := s.StatsChannels(ctx, time.Time{}, time.Time{}, StatsScope{KeyID: 8}); len(ch) != 1 || ch[0].Requests != 1 {
			t.Errorf("key 8's channels: %+v", ch)
		}
		keys, err := s.StatsKeys(ctx, time.Time{}, time.Time{})
		if err != nil || len(keys) != 3 {
			t.Fatalf("stats by key: %+v %v", keys, err)
		}
		byID := map[int64]GroupStats{}
		for _, k := range keys {
			byID[k.ID] = k
		}
		if k := byID[7]; k.Name != "alice" || k.Requests != 3 || k.CostUSD != 9 || k.Share != 0.6 {
			t.Errorf("alice: %+v", k)
		}
		if k := byID[0]; k.Requests != 1 || k.CostUSD != 4 {
			t.Errorf("the access key: %+v", k)
		}
		if keys[0].ID != 7 {
			t.Errorf("most requests first: %+v", keys)
		}
	})
}

// TestUpgradeToKeysKeepsDailyTotals opens a database a Routex without keys
// wrote (schema 5, daily totals in it) and checks the upgrade kept them,
// counted as the access key's.
func TestUpgradeToKeysKeepsDailyTotals(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		d := dialect{pg: db.kind == BackendPostgres}
		migs, err := migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		target := db.target
		if d.pg {
			target = pgtest.URL(t)
			conn := pgDirect(t, target)
			if _, err := conn.Exec(ctx, `CREATE TABLE `+schemaTable+` (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
				applied_at BIGINT NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			for _, m := range migs[:5] {
				if _, err := conn.Exec(ctx, m.sql); err != nil {
					t.Fatal(m.name, err)
				}
				if _, err := conn.Exec(ctx, "INSERT INTO "+schemaTable+" VALUES ($1, $2, 0)", m.version, m.name); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := conn.Exec(ctx, `INSERT INTO request_daily (day, channel_id, channel_name, model, requests, cost_usd)
				VALUES (0, 1, 'c', 'm', 5, 2.5)`); err != nil {
				t.Fatal(err)
			}
		} else {
			raw := rawDB(t, target, "")
			for _, m := range migs[:5] {
				if _, err := raw.Exec(m.sql); err != nil {
					t.Fatal(m.name, err)
				}
			}
			if _, err := raw.Exec(`PRAGMA user_version = 5; INSERT INTO request_daily (day, channel_id, channel_name, model,
				requests, cost_usd) VALUES (0, 1, 'c', 'm', 5, 2.5)`); err != nil {
				t.Fatal(err)
			}
			raw.Close()
		}
		s := testDB{kind: db.kind, target: target}.open(t)
		if v, err := s.SchemaVersion(ctx); err != nil || v != latestVersion() {
			t.Fatalf("schema %d after upgrade (%v), want %d", v, err, latestVersion())
		}
		keys, err := s.StatsKeys(ctx, time.Time{}, time.Time{})
		if err != nil || len(keys) != 1 || keys[0].ID != 0 || keys[0].Requests != 5 || keys[0].CostUSD != 2.5 {
			t.Errorf("after the upgrade the old daily totals read %+v (%v); want 5 requests, $2.50, access key", keys, err)
		}
		usage, err := s.DailyUsage(ctx, time.Time{}, time.Time{})
		if err != nil || len(usage) != 1 || usage[0].Requests != 5 {
			t.Errorf("daily usage after the upgrade: %+v %v", usage, err)
		}
	})
}

func TestAddKeyUsageOfManyKeysAtOnce(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		now := time.Now()
		// 400 keys, 3 counters each: more rows than one statement takes.
		var uses []KeyUse
		for id := int64(1); id <= 400; id++ {
			uses = append(uses, KeyUse{KeyID: id, At: now, Tokens: id, CostUSD: 0.5}, KeyUse{KeyID: id, At: now, Tokens: 1})
		}
		if err := s.AddKeyUsage(ctx, uses); err != nil {
			t.Fatal(err)
		}
		u, err := s.KeyUsageAt(ctx, now)
		if err != nil || len(u) != 400 {
			t.Fatalf("%d keys counted, %v", len(u), err)
		}
		for _, id := range []int64{1, 200, 400} {
			if got := u[id]; got.Day.Requests != 2 || got.Day.Tokens != id+1 || got.Month.CostUSD != 0.5 || got.Minute.Tokens != id+1 {
				t.Errorf("key %d: %+v", id, got)
			}
		}
	})
}
