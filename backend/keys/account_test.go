package keys

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// newServiceAt is newService whose database file the test can also open
// itself (to make writes fail).
func newServiceAt(t *testing.T) (*Service, *store.Store, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "routex.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return New(st, nil), st, raw
}

// breakUsageWrites makes every key_usage write fail while fail is set.
func breakUsageWrites(t *testing.T, raw *sql.DB, fail bool) {
	t.Helper()
	stmts := []string{`UPDATE fail_usage SET on_ = ` + map[bool]string{true: "1", false: "0"}[fail]}
	if fail {
		stmts = []string{
			`CREATE TABLE IF NOT EXISTS fail_usage (on_ INTEGER NOT NULL)`,
			`DELETE FROM fail_usage`, `INSERT INTO fail_usage VALUES (1)`,
			`CREATE TRIGGER IF NOT EXISTS fail_usage_insert BEFORE INSERT ON key_usage
				WHEN (SELECT on_ FROM fail_usage) = 1 BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
			`CREATE TRIGGER IF NOT EXISTS fail_usage_update BEFORE UPDATE ON key_usage
				WHEN (SELECT on_ FROM fail_usage) = 1 BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
		}
	}
	for _, q := range stmts {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// usageOf reads key id's counters of today.
func usageOf(t *testing.T, s *Service, id int64) store.KeyUsage {
	t.Helper()
	u, err := s.Usage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return u[id]
}

func TestAdmitCarriesTheKeysPendingUsageOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newService(t)
	k, _, err := s.Create(ctx, store.APIKey{Name: "eve", BudgetDailyUSD: 1})
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := s.Create(ctx, store.APIKey{Name: "frank"})
	if err != nil {
		t.Fatal(err)
	}
	// eve's first request finished and spent the budget; frank's spent a
	// little. No writer runs: only the checks write.
	s.Account(store.RequestLog{KeyID: k.ID, KeyAdmitted: true, Time: time.Now(), CostUSD: 1})
	s.Account(store.RequestLog{KeyID: other.ID, KeyAdmitted: true, Time: time.Now(), CostUSD: 0.25})
	// eve's next check writes eve's usage, and sees the spent budget.
	if r := s.Admit(ctx, &k, "m"); r == nil || r.Limit != store.LimitDaily {
		t.Fatalf("eve's next request: %+v; want the daily budget refused", r)
	}
	if u := usageOf(t, s, k.ID); u.Day.Requests != 1 || u.Day.CostUSD != 1 {
		t.Errorf("eve's usage after her check: %+v; want her one request", u)
	}
	if u := usageOf(t, s, other.ID); u.Day.Requests != 0 {
		t.Errorf("eve's check wrote frank's usage: %+v", u)
	}
	// The writer writes what is left, frank's, and nothing twice.
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if r := s.Admit(ctx, &k, "m"); r == nil {
		t.Error("eve admitted after the flush")
	}
	if u := usageOf(t, s, k.ID); u.Day.Requests != 1 || u.Day.CostUSD != 1 {
		t.Errorf("eve's usage after the flush: %+v; want her one request, once", u)
	}
	if u := usageOf(t, s, other.ID); u.Day.Requests != 1 || u.Day.CostUSD != 0.25 {
		t.Errorf("frank's usage after the flush: %+v", u)
	}
}

func TestAdmitGivesCarriedUsageBackWhenItsWriteFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, raw := newServiceAt(t)
	k, _, err := s.Create(ctx, store.APIKey{Name: "gina", BudgetDailyUSD: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.Account(store.RequestLog{KeyID: k.ID, KeyAdmitted: true, Time: time.Now(), CostUSD: 0.75})
	breakUsageWrites(t, raw, true)
	if r := s.Admit(ctx, &k, "m"); r == nil || r.Status != 503 {
		t.Fatalf("a check whose write fails: %+v; want 503", r)
	}
	breakUsageWrites(t, raw, false)
	// The usage went back to the writer: written once by the next write.
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if r := s.Admit(ctx, &k, "m"); r != nil {
		t.Errorf("$0.75 of $1 spent: %+v", r)
	}
	if u := usageOf(t, s, k.ID); u.Day.Requests != 1 || u.Day.CostUSD != 0.75 || u.Minute.Requests != 1 {
		t.Errorf("usage: %+v; want one finished request ($0.75) and one admitted", u)
	}
}

// holdWrite takes the pending usage as the writer does, and returns a
// func that ends that write: written (after writing it) or failed.
func holdWrite(t *testing.T, s *Service) func(write bool) {
	t.Helper()
	s.mu.Lock()
	batch := s.pending
	s.pending = nil
	w := s.startWrite(batch)
	s.mu.Unlock()
	return func(write bool) {
		if write {
			if err := s.st.AddKeyUsage(context.Background(), batch); err != nil {
				t.Error(err)
			}
		}
		s.endWrite(w, batch, write)
	}
}

func TestAdmitCountsUsageWhoseWriteIsUnderWay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newService(t)
	roomy, _, err := s.Create(ctx, store.APIKey{Name: "roomy", BudgetDailyUSD: 10})
	if err != nil {
		t.Fatal(err)
	}
	tight, _, err := s.Create(ctx, store.APIKey{Name: "tight", BudgetDailyUSD: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.Account(store.RequestLog{KeyID: roomy.ID, KeyAdmitted: true, Time: time.Now(), CostUSD: 1})
	s.Account(store.RequestLog{KeyID: tight.ID, KeyAdmitted: true, Time: time.Now(), CostUSD: 1})
	end := holdWrite(t, s)

	// roomy is far from its budget with the usage under way counted:
	// admitted without waiting for that write (which waits for it).
	done := make(chan *Refusal, 1)
	go func() { done <- s.Admit(ctx, &roomy, "m") }()
	select {
	case r := <-done:
		if r != nil {
			t.Errorf("roomy: %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("roomy's check waited for a write it did not need")
	}

	// tight's budget is spent if the usage under way counts: its check
	// waits for the write, then refuses on what is written.
	go func() { done <- s.Admit(ctx, &tight, "m") }()
	select {
	case r := <-done:
		t.Fatalf("tight's check did not wait for the write under way: %+v", r)
	case <-time.After(50 * time.Millisecond):
	}
	end(true)
	if r := <-done; r == nil || r.Limit != store.LimitDaily {
		t.Fatalf("tight after the write: %+v; want the daily budget refused", r)
	}
	if u := usageOf(t, s, tight.ID); u.Day.Requests != 1 || u.Day.CostUSD != 1 {
		t.Errorf("tight's usage: %+v; want one request, once", u)
	}
}

func TestAdmitTakesOverUsageWhoseWriteFailed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newService(t)
	k, _, err := s.Create(ctx, store.APIKey{Name: "hugo", BudgetDailyUSD: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.Account(store.RequestLog{KeyID: k.ID, KeyAdmitted: true, Time: time.Now(), CostUSD: 1})
	end := holdWrite(t, s)
	done := make(chan *Refusal, 1)
	go func() { done <- s.Admit(ctx, &k, "m") }()
	select {
	case r := <-done:
		t.Fatalf("the check did not wait for the write under way: %+v", r)
	case <-time.After(50 * time.Millisecond):
	}
	// The writer's write fails: its usage goes back to pending, where the
	// waiting check takes it and writes it itself.
	end(false)
	if r := <-done; r == nil || r.Limit != store.LimitDaily {
		t.Fatalf("after the failed write: %+v; want the daily budget refused", r)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if u := usageOf(t, s, k.ID); u.Day.Requests != 1 || u.Day.CostUSD != 1 {
		t.Errorf("usage: %+v; want one request, once", u)
	}
}

func TestAdmitLeavesABacklogToTheWriter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newService(t)
	k, _, err := s.Create(ctx, store.APIKey{Name: "ivy", BudgetDailyUSD: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := store.MaxAdmitWrite + 1
	for range n {
		s.Account(store.RequestLog{KeyID: k.ID, KeyAdmitted: true, Time: time.Now(), CostUSD: 0.01})
	}
	if r := s.Admit(ctx, &k, "m"); r != nil {
		t.Fatalf("a key far from its budget: %+v", r)
	}
	if u := usageOf(t, s, k.ID); u.Day.Requests != 0 {
		t.Errorf("the check wrote a backlog of %d uses: %+v", n, u)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if u := usageOf(t, s, k.ID); u.Day.Requests != int64(n) {
		t.Errorf("after the writer's flush: %+v; want %d requests", u, n)
	}
}
