package store

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/pricing"
	"github.com/routex-app/routex/backend/store/pgtest"
)

// topics records the change notices a Store's OnChange sees.
type topics struct {
	mu  sync.Mutex
	got []Topic
}

func (r *topics) add(t Topic) { r.mu.Lock(); r.got = append(r.got, t); r.mu.Unlock() }

func (r *topics) list() []Topic {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// watch runs s.Watch until the test ends.
func watch(t *testing.T, s *Store, interval time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Watch(ctx, interval) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
}

// eventually polls cond until it holds or within passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

func TestPostgresChangesReachOtherInstancesAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	a, b := testDB{target: url}.open(t), testDB{target: url}.open(t)
	var seenA, seenB topics
	a.OnChange(seenA.add)
	b.OnChange(seenB.add)
	// A re-read only every 10 minutes: what arrives sooner came by NOTIFY.
	watch(t, a, time.Minute)
	watch(t, b, time.Minute)
	eventually(t, 5*time.Second, "both listening", func() bool { return a.Listening() && b.Listening() })
	// The watches' first reads fire every topic once; start counting after.
	eventually(t, 5*time.Second, "first reads", func() bool {
		return len(seenA.list()) == len(reloadTopics) && len(seenB.list()) == len(reloadTopics)
	})

	if _, err := a.CreateChannel(ctx, sampleChannel("from-a", 1)); err != nil {
		t.Fatal(err)
	}
	took := eventually(t, time.Second, "B sees A's channel", func() bool {
		c := b.Catalog().Channels
		return len(c) == 1 && c[0].Name == "from-a"
	})
	t.Logf("a channel written on A reached B's catalog in %v", took)

	// A write that fails is rolled back and announces nothing.
	if _, err := a.CreateChannel(ctx, sampleChannel("from-a", 1)); !errors.Is(err, ErrDuplicateName) {
		t.Fatalf("duplicate create: %v", err)
	}
	if err := a.PutPrice(ctx, pricing.Price{Model: "team-*", Input: 1}); err != nil {
		t.Fatal(err)
	}
	if err := b.SetSetting(ctx, "theme", "dark"); err != nil {
		t.Fatal(err)
	}
	first := len(reloadTopics)
	eventually(t, time.Second, "B hears of the price", func() bool { return len(seenB.list()) == first+2 })
	eventually(t, time.Second, "A hears of the setting", func() bool { return len(seenA.list()) == first+1 })
	time.Sleep(100 * time.Millisecond) // room for any stray notice
	if got, want := seenB.list()[first:], []Topic{TopicCatalog, TopicPrices}; !slices.Equal(got, want) {
		t.Errorf("B heard %v, want %v: one notice per committed write, none for the failed one, none of its own", got, want)
	}
	if got, want := seenA.list()[first:], []Topic{TopicSettings}; !slices.Equal(got, want) {
		t.Errorf("A heard %v, want %v", got, want)
	}
}

func TestPostgresWatchReconnectsAndCatchesUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	a, b := testDB{target: url}.open(t), testDB{target: url}.open(t)
	watch(t, b, 50*time.Millisecond)
	eventually(t, 5*time.Second, "B listening", b.Listening)

	// The server drops B's LISTEN connection (a restart, a network cut).
	admin := pgDirect(t, url)
	var killed int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+notifyChannel+`'`).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d LISTEN connections, %v; want 1", killed, err)
	}
	// Written while nobody listens: the notice is lost, the re-read is not.
	if _, err := a.CreateChannel(ctx, sampleChannel("while-away", 1)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "B catches up", func() bool { return len(b.Catalog().Channels) == 1 })
	eventually(t, 5*time.Second, "B listens again", b.Listening)
	if _, err := a.CreateChannel(ctx, sampleChannel("after", 2)); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, "B sees the next write", func() bool { return len(b.Catalog().Channels) == 2 })
}
