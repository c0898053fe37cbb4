package keys

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
	"github.com/routex-app/routex/backend/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// benchAdmit measures Service.Admit of a key with every limit, as the
// proxy runs it once per request: with nothing of the key's pending, right
// after a finished request of the key while the writer runs (a client
// sending its next request at once), and right after one with no writer
// (the check carries the usage itself).
func benchAdmit(b *testing.B, target string) {
	st, err := store.Open(target)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	s := New(st, nil)
	k, _, err := s.Create(ctx, store.APIKey{Name: "bench", RPM: 1e12, TPM: 1e12, BudgetDailyUSD: 1e9, BudgetMonthlyUSD: 1e9})
	if err != nil {
		b.Fatal(err)
	}
	finished := store.RequestLog{KeyID: k.ID, KeyAdmitted: true, InputTokens: 100, OutputTokens: 20, CostUSD: 0.001}
	admit := func(b *testing.B) {
		if r := s.Admit(ctx, &k, "m"); r != nil {
			b.Fatal(r)
		}
	}
	b.Run("nothing-pending", func(b *testing.B) {
		for b.Loop() {
			admit(b)
		}
	})
	b.Run("no-writer", func(b *testing.B) {
		for b.Loop() {
			finished.Time = time.Now()
			s.Account(finished)
			admit(b)
		}
	})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.Run(runCtx); close(done) }()
	b.Run("writer-running", func(b *testing.B) {
		for b.Loop() {
			finished.Time = time.Now()
			s.Account(finished)
			admit(b)
		}
	})
	stop()
	<-done
}

func BenchmarkAdmitSQLite(b *testing.B) { benchAdmit(b, filepath.Join(b.TempDir(), "routex.db")) }

func BenchmarkAdmitPostgres(b *testing.B) { benchAdmit(b, pgtest.URL(b)) }
