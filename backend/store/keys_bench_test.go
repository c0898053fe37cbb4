package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store/pgtest"
)

// The per-request database work of a key per person: one AdmitKey before
// the request, one AddKeyUsage after it.
func benchKeyWork(b *testing.B, target string) {
	s, err := Open(target)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	k := sampleKey("bench")
	k.RPM, k.TPM, k.BudgetDailyUSD, k.BudgetMonthlyUSD = 1e12, 1e12, 1e9, 1e9
	key, err := s.CreateAPIKey(ctx, k)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("admit", func(b *testing.B) {
		for b.Loop() {
			if a, err := s.AdmitKey(ctx, key.ID, time.Now()); err != nil || !a.Admitted {
				b.Fatal(a, err)
			}
		}
	})
	b.Run("account", func(b *testing.B) {
		for b.Loop() {
			if err := s.AddKeyUsage(ctx, []KeyUse{{KeyID: key.ID, At: time.Now(), Tokens: 100, CostUSD: 0.001}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkKeyWorkSQLite(b *testing.B) { benchKeyWork(b, filepath.Join(b.TempDir(), "routex.db")) }

func BenchmarkKeyWorkPostgres(b *testing.B) { benchKeyWork(b, pgtest.URL(b)) }

// BenchmarkPingPostgres and BenchmarkWriteSQLite are the floor the key work
// is read against: one trivial round trip, one trivial commit.
func BenchmarkPingPostgres(b *testing.B) {
	s, err := Open(pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if err := s.Ping(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteSQLite(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "routex.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if err := s.CheckWritable(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
