package balance

import (
	"slices"
	"testing"
	"time"
)

func TestAffinity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		strategy string
		session  string
		prepare  func(bal *Balancer, cs []Candidate)
		want     []int64
	}{
		{"a bound session goes to its channel first", Priority, "s1",
			func(bal *Balancer, cs []Candidate) { bal.Bind("s1", 3) }, []int64{3, 1, 2}},
		{"affinity wins over the strategy", LeastUsed, "s1",
			func(bal *Balancer, cs []Candidate) {
				bal.Begin(cs[2], t0)
				bal.Bind("s1", 3)
			}, []int64{3, 1, 2}},
		{"another session is not affected", Priority, "s2",
			func(bal *Balancer, cs []Candidate) { bal.Bind("s1", 3) }, []int64{1, 2, 3}},
		{"an empty session key has no affinity", Priority, "",
			func(bal *Balancer, cs []Candidate) { bal.Bind("", 3) }, []int64{1, 2, 3}},
		{"the latest binding wins", Priority, "s1",
			func(bal *Balancer, cs []Candidate) {
				bal.Bind("s1", 3)
				bal.Bind("s1", 2)
			}, []int64{2, 1, 3}},
		{"a channel that is not a candidate is ignored", Priority, "s1",
			func(bal *Balancer, cs []Candidate) { bal.Bind("s1", 9) }, []int64{1, 2, 3}},
		{"affinity yields when its channel's breaker is open", Priority, "s1",
			func(bal *Balancer, cs []Candidate) {
				bal.Bind("s1", 3)
				fail(bal, cs[2], Server, 3, t0)
			}, []int64{1, 2, 3}},
		{"affinity yields when its channel is rate limited", Priority, "s1",
			func(bal *Balancer, cs []Candidate) {
				bal.Bind("s1", 2)
				bal.Begin(cs[1], t0)(Outcome{Kind: RateLimit})
			}, []int64{1, 3, 2}},
		{"affinity returns once the channel recovers", Priority, "s1",
			func(bal *Balancer, cs []Candidate) {
				bal.Bind("s1", 3)
				fail(bal, cs[2], Server, 3, t0.Add(-time.Minute))
				succeed(bal, cs[2], 0, t0) // the half-open probe
			}, []int64{3, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bal := newTest(t, Options{})
			cs := cands(ch(1, 1), ch(2, 1), ch(3, 1))
			tt.prepare(bal, cs)
			if got := ids(bal.Order(tt.strategy, cs, tt.session, t0)); !slices.Equal(got, tt.want) {
				t.Errorf("Order = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAffinityEviction(t *testing.T) {
	t.Parallel()
	t.Run("the least recently used session is evicted past the size", func(t *testing.T) {
		t.Parallel()
		bal := newTest(t, Options{AffinitySize: 2})
		bal.Bind("s1", 1)
		bal.Bind("s2", 2)
		bal.Bind("s3", 3)
		if _, ok := bal.Bound("s1"); ok {
			t.Error("s1 is still bound after two newer sessions filled a size-2 map")
		}
		for _, s := range []string{"s2", "s3"} {
			if _, ok := bal.Bound(s); !ok {
				t.Errorf("%s was evicted, want it kept", s)
			}
		}
	})
	t.Run("a session expires after the TTL", func(t *testing.T) {
		t.Parallel()
		// The expirable LRU reads the real clock, so this test waits (briefly).
		bal := newTest(t, Options{AffinityTTL: 30 * time.Millisecond})
		bal.Bind("s1", 2)
		if id, ok := bal.Bound("s1"); !ok || id != 2 {
			t.Fatalf("Bound right after Bind = %d, %v; want 2, true", id, ok)
		}
		deadline := time.Now().Add(2 * time.Second)
		for {
			if _, ok := bal.Bound("s1"); !ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("s1 still bound 2s after a 30ms TTL")
			}
			time.Sleep(10 * time.Millisecond)
		}
		cs := cands(ch(1, 1), ch(2, 1))
		if got := ids(bal.Order(Priority, cs, "s1", t0)); !slices.Equal(got, []int64{1, 2}) {
			t.Errorf("Order after expiry = %v, want [1 2]", got)
		}
	})
	t.Run("negative size turns affinity off", func(t *testing.T) {
		t.Parallel()
		bal := newTest(t, Options{AffinitySize: -1})
		bal.Bind("s1", 2)
		cs := cands(ch(1, 1), ch(2, 1))
		if got := ids(bal.Order(Priority, cs, "s1", t0)); !slices.Equal(got, []int64{1, 2}) {
			t.Errorf("Order = %v, want [1 2]", got)
		}
	})
}
