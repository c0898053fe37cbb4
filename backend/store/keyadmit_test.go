package store

import (
	"context"
	"testing"
	"time"
)

// failUsageWrites makes every key_usage write of a row whose cost would go
// negative fail, as a database refusing a write would.
func failUsageWrites(t *testing.T, s *Store) {
	t.Helper()
	stmts := []string{
		`CREATE TRIGGER fail_usage_insert BEFORE INSERT ON key_usage WHEN NEW.cost_usd < 0
			BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
		`CREATE TRIGGER fail_usage_update BEFORE UPDATE ON key_usage WHEN NEW.cost_usd < 0
			BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
	}
	if s.d.pg {
		stmts = []string{
			`CREATE FUNCTION fail_usage() RETURNS trigger AS $$ BEGIN
				IF NEW.cost_usd < 0 THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER fail_usage BEFORE INSERT OR UPDATE ON key_usage FOR EACH ROW EXECUTE FUNCTION fail_usage()`,
		}
	}
	for _, q := range stmts {
		if _, err := s.db.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAdmitKeyWithWritesUsageFirstAndCountsUnsettledUsage(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		now := time.Date(2026, 5, 31, 23, 59, 10, 0, time.UTC)
		k := sampleKey("carry")
		k.TPM, k.BudgetDailyUSD = 1000, 1
		key, err := s.CreateAPIKey(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		usage := func() KeyUsage {
			t.Helper()
			u, err := s.KeyUsageAt(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			return u[key.ID]
		}
		use := func(at time.Time, tokens int64, cost float64) KeyUse {
			return KeyUse{KeyID: key.ID, At: at, Tokens: tokens, CostUSD: cost}
		}

		// The usage carried is written before the check, which sees it.
		a, err := s.AdmitKeyWith(ctx, key.ID, now, AdmitQuery{Write: []KeyUse{use(now, 300, 0.4), use(now, 100, 0.2)}})
		if err != nil || !a.Admitted || a.Requests != 1 {
			t.Fatalf("with $0.60 of $1 carried: %+v %v", a, err)
		}
		if u := usage(); u.Day.Requests != 2 || u.Day.CostUSD < 0.59 || u.Minute.Tokens != 400 || u.Minute.Requests != 1 {
			t.Fatalf("after the check that carried two uses: %+v", u)
		}
		// Unsettled usage counts in the check, and is not written: a
		// refusal it may have caused comes back unsure, counting nothing.
		a, err = s.AdmitKeyWith(ctx, key.ID, now, AdmitQuery{Unsettled: []KeyUse{use(now, 0, 0.5)}})
		if err != nil || a.Admitted || !a.Unsure || a.Reason != "" {
			t.Fatalf("$0.60 spent, $0.50 unsettled, $1 budget: %+v %v; want unsure", a, err)
		}
		a, err = s.AdmitKeyWith(ctx, key.ID, now, AdmitQuery{Unsettled: []KeyUse{use(now, 600, 0)}})
		if err != nil || a.Admitted || !a.Unsure {
			t.Fatalf("400 tokens used, 600 unsettled, tpm 1000: %+v %v; want unsure", a, err)
		}
		// Unsettled usage of another day, minute or key is not this
		// check's: admitted.
		yesterday, lastMinute := now.Add(-24*time.Hour), now.Add(-time.Minute)
		a, err = s.AdmitKeyWith(ctx, key.ID, now, AdmitQuery{Unsettled: []KeyUse{use(yesterday, 0, 5),
			use(lastMinute, 900, 0), {KeyID: key.ID + 1, At: now, Tokens: 5000, CostUSD: 5}}})
		if err != nil || !a.Admitted || a.Requests != 2 {
			t.Fatalf("unsettled usage of other periods and keys: %+v %v", a, err)
		}
		if u := usage(); u.Day.Requests != 2 || u.Minute.Requests != 2 || u.Minute.Tokens != 400 {
			t.Fatalf("unsettled usage was written: %+v", u)
		}
		// Carried usage that spends the budget is written, and the
		// refusal says why.
		a, err = s.AdmitKeyWith(ctx, key.ID, now, AdmitQuery{Write: []KeyUse{use(now, 0, 0.5)}})
		if err != nil || a.Admitted || a.Unsure || a.Reason != LimitDaily || a.Used < 1.09 {
			t.Fatalf("$1.10 spent with the carried use: %+v %v", a, err)
		}
		// More usage than one statement takes is refused before anything
		// is written.
		var backlog []KeyUse
		for i := range maxUsageRows {
			backlog = append(backlog, use(now.Add(-time.Duration(i)*time.Minute), 1, 0.001))
		}
		before := usage()
		if _, err := s.AdmitKeyWith(ctx, key.ID, now, AdmitQuery{Write: backlog}); err == nil {
			t.Error("a check carrying more usage rows than one statement takes: no error")
		}
		if u := usage(); u != before {
			t.Errorf("an oversized check changed the counters: %+v, was %+v", u, before)
		}
		// A failed write adds nothing: neither its usage nor the request.
		failUsageWrites(t, s)
		before = usage()
		if _, err := s.AdmitKeyWith(ctx, key.ID, now, AdmitQuery{Write: []KeyUse{use(now, 50, -5)}}); err == nil {
			t.Fatal("a check whose usage write fails: no error")
		}
		if u := usage(); u != before {
			t.Errorf("a failed check changed the counters: %+v, was %+v", u, before)
		}
	})
}
