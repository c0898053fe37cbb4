package balance

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestConcurrentUse hammers every entry point from many goroutines; run with
// -race it proves the locking, and the final counts prove no update is lost.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	b := newTest(t, Options{Cooldown: time.Millisecond})
	cs := cands(ch(1, 1), ch(2, 2), ch(3, 3))
	keys := []string{"k0", "k1"}
	strategies := []string{Priority, RoundRobin, Weighted, LeastUsed, Latency}
	const workers, rounds = 16, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				now := t0.Add(time.Duration(i) * time.Millisecond)
				session := fmt.Sprintf("s%d", i%7)
				order := b.Order(strategies[(w+i)%len(strategies)], cs, session, now)
				c := order[0]
				_, idx := b.Key(c.ChannelID, keys, now)
				end := b.Begin(c, now)
				switch i % 4 {
				case 0:
					end(Outcome{OK: true, TTFT: time.Duration(i) * time.Microsecond, Now: now})
					b.Bind(session, c.ChannelID)
				case 1:
					end(Outcome{Kind: Server, Now: now})
				case 2:
					end(Outcome{Kind: RateLimit, KeyIndex: idx, CoolUntil: now.Add(time.Millisecond), Now: now})
				case 3:
					end(Outcome{Kind: Client, Now: now})
				}
				_ = b.Health(c.ChannelID, now)
				_ = b.ModelHealth(c.ChannelID, c.Model, now)
			}
		}()
	}
	wg.Wait()
	var requests int64
	for id := int64(1); id <= 3; id++ {
		h := b.Health(id, t0)
		if h.InFlight != 0 {
			t.Errorf("channel %d has %d in flight after every end ran", id, h.InFlight)
		}
		requests += h.Requests
	}
	if requests != workers*rounds {
		t.Errorf("recorded %d requests, want %d", requests, workers*rounds)
	}
}
