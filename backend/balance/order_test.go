package balance

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

func TestOrderStrategies(t *testing.T) {
	t.Parallel()
	a, b, c := ch(1, 1), ch(2, 1), ch(3, 1)
	tests := []struct {
		name     string
		strategy string
		prepare  func(bal *Balancer, cs []Candidate)
		want     []int64
	}{
		{"priority keeps the given order", Priority, nil, []int64{1, 2, 3}},
		{"an unknown strategy means priority", "fastest", nil, []int64{1, 2, 3}},
		{"an empty strategy means priority", "", nil, []int64{1, 2, 3}},
		{"least used puts the channel with fewest requests in flight first", LeastUsed,
			func(bal *Balancer, cs []Candidate) {
				bal.Begin(cs[0], t0)
				bal.Begin(cs[0], t0)
				bal.Begin(cs[1], t0)
			}, []int64{3, 2, 1}},
		{"least used breaks ties by the given order", LeastUsed,
			func(bal *Balancer, cs []Candidate) { bal.Begin(cs[0], t0) }, []int64{2, 3, 1}},
		{"least used forgets requests that ended", LeastUsed,
			func(bal *Balancer, cs []Candidate) {
				bal.Begin(cs[0], t0)(Outcome{OK: true})
				bal.Begin(cs[1], t0)
			}, []int64{1, 3, 2}},
		{"latency puts the lowest moving average first", Latency,
			func(bal *Balancer, cs []Candidate) {
				succeed(bal, cs[0], 900*time.Millisecond, t0)
				succeed(bal, cs[1], 300*time.Millisecond, t0)
				succeed(bal, cs[2], 600*time.Millisecond, t0)
			}, []int64{2, 3, 1}},
		{"latency tries unmeasured channels first so they get measured", Latency,
			func(bal *Balancer, cs []Candidate) {
				succeed(bal, cs[0], 100*time.Millisecond, t0)
				succeed(bal, cs[2], 50*time.Millisecond, t0)
			}, []int64{2, 3, 1}},
		{"latency ignores successes without a TTFT", Latency,
			func(bal *Balancer, cs []Candidate) {
				succeed(bal, cs[0], 100*time.Millisecond, t0)
				succeed(bal, cs[1], 0, t0)
				succeed(bal, cs[2], 50*time.Millisecond, t0)
			}, []int64{2, 3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bal := newTest(t, Options{})
			cs := cands(a, b, c)
			if tt.prepare != nil {
				tt.prepare(bal, cs)
			}
			got := ids(bal.Order(tt.strategy, cs, "", t0))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Order(%q) = %v, want %v", tt.strategy, got, tt.want)
			}
		})
	}
}

func TestOrderDoesNotTouchItsInput(t *testing.T) {
	t.Parallel()
	bal := newTest(t, Options{})
	cs := cands(ch(1, 1), ch(2, 5), ch(3, 9))
	before := slices.Clone(cs)
	for _, s := range []string{Priority, RoundRobin, Weighted, LeastUsed, Latency} {
		got := bal.Order(s, cs, "", t0)
		if len(got) != 3 {
			t.Fatalf("Order(%q) returned %d candidates, want 3", s, len(got))
		}
	}
	if !slices.Equal(cs, before) {
		t.Errorf("Order changed its input: %v, was %v", ids(cs), ids(before))
	}
	if got := bal.Order(Priority, nil, "s", t0); got != nil {
		t.Errorf("Order of no candidates = %v, want nil", got)
	}
}

func TestLatencyMovingAverage(t *testing.T) {
	t.Parallel()
	bal := newTest(t, Options{LatencyWindow: 3}) // alpha = 0.5
	c := cands(ch(1, 1))[0]
	succeed(bal, c, 100*time.Millisecond, t0)
	succeed(bal, c, 300*time.Millisecond, t0)
	succeed(bal, c, 300*time.Millisecond, t0)
	if got := bal.ModelHealth(1, "m", t0).TTFTMillis; math.Abs(got-250) > 1e-9 {
		t.Errorf("model TTFT average = %v ms, want 250 (100, then halfway to 300 twice)", got)
	}
	if got := bal.Health(1, t0).TTFTMillis; math.Abs(got-250) > 1e-9 {
		t.Errorf("channel TTFT average = %v ms, want 250", got)
	}
}

func TestRoundRobin(t *testing.T) {
	t.Parallel()
	t.Run("each candidate leads equally often", func(t *testing.T) {
		t.Parallel()
		bal := newTest(t, Options{})
		cs := cands(ch(1, 1), ch(2, 1), ch(3, 1))
		first := map[int64]int{}
		for range 3000 {
			got := bal.Order(RoundRobin, cs, "", t0)
			first[got[0].ChannelID]++
		}
		for id, n := range first {
			if n != 1000 {
				t.Errorf("channel %d led %d times of 3000, want 1000", id, n)
			}
		}
	})
	t.Run("the chain after the first keeps the rotation", func(t *testing.T) {
		t.Parallel()
		bal := newTest(t, Options{})
		cs := cands(ch(1, 1), ch(2, 1), ch(3, 1))
		want := [][]int64{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}, {1, 2, 3}}
		for i, w := range want {
			if got := ids(bal.Order(RoundRobin, cs, "", t0)); !slices.Equal(got, w) {
				t.Errorf("call %d: %v, want %v", i, got, w)
			}
		}
	})
	t.Run("distinct candidate sets rotate independently", func(t *testing.T) {
		t.Parallel()
		bal := newTest(t, Options{})
		x := cands(ch(1, 1), ch(2, 1))
		y := cands(ch(3, 1), ch(4, 1))
		bal.Order(RoundRobin, x, "", t0)
		if got := ids(bal.Order(RoundRobin, y, "", t0)); !slices.Equal(got, []int64{3, 4}) {
			t.Errorf("first call on a new set = %v, want [3 4]", got)
		}
	})
	t.Run("an unavailable candidate does not skew the share of the others", func(t *testing.T) {
		t.Parallel()
		bal := newTest(t, Options{})
		cs := cands(ch(1, 1), ch(2, 1), ch(3, 1))
		fail(bal, cs[1], Server, 3, t0)
		first := map[int64]int{}
		for range 1000 {
			got := bal.Order(RoundRobin, cs, "", t0)
			first[got[0].ChannelID]++
			if got[2].ChannelID != 2 {
				t.Fatalf("the broken channel is not last: %v", ids(got))
			}
		}
		if first[1] != 500 || first[3] != 500 {
			t.Errorf("leads = %v, want 500 each for channels 1 and 3", first)
		}
	})
}

func TestWeighted(t *testing.T) {
	t.Parallel()
	const draws = 20000
	tests := []struct {
		name    string
		weights []int
		share   []float64 // expected first-place share per candidate
	}{
		{"weights 1:3 lead 25% and 75% of the time", []int{1, 3}, []float64{0.25, 0.75}},
		{"equal weights lead equally", []int{2, 2, 2}, []float64{1. / 3, 1. / 3, 1. / 3}},
		{"weights 1:2:7 lead in proportion", []int{1, 2, 7}, []float64{0.1, 0.2, 0.7}},
		{"a zero weight never leads while a positive one is there", []int{0, 1}, []float64{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bal := newTest(t, Options{Seed: 7})
			var cs []Candidate
			for i, w := range tt.weights {
				cs = append(cs, cands(ch(int64(i+1), w))...)
			}
			first := make([]int, len(cs))
			for range draws {
				got := bal.Order(Weighted, cs, "", t0)
				first[got[0].ChannelID-1]++
			}
			for i, want := range tt.share {
				got := float64(first[i]) / draws
				if math.Abs(got-want) > 0.02 {
					t.Errorf("weight %d led %.3f of draws, want %.3f ± 0.02", tt.weights[i], got, want)
				}
			}
		})
	}
	t.Run("the failover chain is drawn without replacement", func(t *testing.T) {
		t.Parallel()
		bal := newTest(t, Options{Seed: 7})
		cs := cands(ch(1, 1), ch(2, 3), ch(3, 6))
		second := map[int64]int{}
		for range draws {
			got := bal.Order(Weighted, cs, "", t0)
			if len(got) != 3 || got[0] == got[1] || got[1] == got[2] || got[0] == got[2] {
				t.Fatalf("order %v repeats or drops a candidate", ids(got))
			}
			if got[0].ChannelID == 3 {
				second[got[1].ChannelID]++
			}
		}
		// Given channel 3 led, channel 2 follows with probability 3/(1+3).
		share := float64(second[2]) / float64(second[2]+second[1])
		if math.Abs(share-0.75) > 0.02 {
			t.Errorf("after weight 6 led, weight 3 came second %.3f of the time, want 0.75 ± 0.02", share)
		}
	})
	t.Run("the same seed draws the same orders", func(t *testing.T) {
		t.Parallel()
		x, y := newTest(t, Options{Seed: 99}), newTest(t, Options{Seed: 99})
		cs := cands(ch(1, 1), ch(2, 1), ch(3, 1))
		for i := range 100 {
			if a, b := ids(x.Order(Weighted, cs, "", t0)), ids(y.Order(Weighted, cs, "", t0)); !slices.Equal(a, b) {
				t.Fatalf("draw %d: %v and %v differ", i, a, b)
			}
		}
	})
}

func TestUnavailableGoLast(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		strategy string
		prepare  func(bal *Balancer, cs []Candidate)
		want     []int64
	}{
		{"an open breaker moves its channel to the end", Priority,
			func(bal *Balancer, cs []Candidate) { fail(bal, cs[0], Connect, 3, t0) }, []int64{2, 3, 1}},
		{"a rate-limited channel moves to the end", Priority,
			func(bal *Balancer, cs []Candidate) {
				bal.Begin(cs[1], t0)(Outcome{Kind: RateLimit, Status: 429, CoolUntil: t0.Add(time.Minute)})
			}, []int64{1, 3, 2}},
		{"unavailable channels are ordered by when they come back", Priority,
			func(bal *Balancer, cs []Candidate) {
				bal.Begin(cs[0], t0)(Outcome{Kind: RateLimit, CoolUntil: t0.Add(50 * time.Second)})
				bal.Begin(cs[1], t0)(Outcome{Kind: RateLimit, CoolUntil: t0.Add(20 * time.Second)})
			}, []int64{3, 2, 1}},
		{"when every channel is down all are still returned", Priority,
			func(bal *Balancer, cs []Candidate) {
				fail(bal, cs[0], Timeout, 3, t0)                     // back at +30s
				fail(bal, cs[1], Server, 3, t0.Add(-20*time.Second)) // back at +10s
				bal.Begin(cs[2], t0)(Outcome{Kind: RateLimit, CoolUntil: t0.Add(20 * time.Second)})
			}, []int64{2, 3, 1}},
		{"unavailable channels go last whatever the strategy", Weighted,
			func(bal *Balancer, cs []Candidate) {
				fail(bal, cs[0], Stream, 3, t0)
				fail(bal, cs[1], Stream, 3, t0)
			}, []int64{3, 1, 2}},
		{"a channel whose model's breaker is open goes last", Priority,
			func(bal *Balancer, cs []Candidate) {
				fail(bal, cs[0], Server, 2, t0)
				succeed(bal, Candidate{ChannelID: cs[0].ChannelID, Model: "other"}, 0, t0)
				fail(bal, cs[0], Server, 1, t0) // channel streak restarted; the model's is 3
			}, []int64{2, 3, 1}},
		{"failures of another model on the channel leave this one available", Priority,
			func(bal *Balancer, cs []Candidate) {
				fail(bal, Candidate{ChannelID: cs[0].ChannelID, Model: "other"}, Server, 2, t0)
			}, []int64{1, 2, 3}},
		{"a channel is available again once its cooldown is over", Priority,
			func(bal *Balancer, cs []Candidate) {
				bal.Begin(cs[0], t0)(Outcome{Kind: RateLimit, CoolUntil: t0.Add(-time.Second)})
			}, []int64{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bal := newTest(t, Options{Cooldown: 30 * time.Second})
			cs := cands(ch(1, 1), ch(2, 1), ch(3, 1))
			tt.prepare(bal, cs)
			if got := ids(bal.Order(tt.strategy, cs, "", t0)); !slices.Equal(got, tt.want) {
				t.Errorf("Order = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOrderManyCandidates(t *testing.T) {
	t.Parallel()
	for _, n := range []int{16, 17, 40} {
		t.Run(fmt.Sprintf("%d candidates keep priority order with the broken one last", n), func(t *testing.T) {
			t.Parallel()
			bal := newTest(t, Options{})
			var cs []Candidate
			var want []int64
			for i := 1; i <= n; i++ {
				cs = append(cs, cands(ch(int64(i), 1))...)
				if i != 2 {
					want = append(want, int64(i))
				}
			}
			want = append(want, 2)
			fail(bal, cs[1], Server, 3, t0)
			if got := ids(bal.Order(Priority, cs, "", t0)); !slices.Equal(got, want) {
				t.Errorf("Order = %v, want %v", got, want)
			}
		})
	}
}

func TestPreviewDoesNotMoveTheRoundRobin(t *testing.T) {
	t.Parallel()
	b := newTest(t, Options{})
	cs := cands(ch(1, 1), ch(2, 1))
	for range 3 {
		peek := b.Preview(RoundRobin, cs, "", t0)
		real := b.Order(RoundRobin, cs, "", t0)
		if peek[0].ChannelID != real[0].ChannelID {
			t.Fatalf("preview named %d, the request went to %d", peek[0].ChannelID, real[0].ChannelID)
		}
	}
}

func TestStrategyNames(t *testing.T) {
	t.Parallel()
	if Strategies[0] != Priority || KnownStrategy("fastest") || KnownStrategy("") {
		t.Errorf("Strategies = %v", Strategies)
	}
	for _, s := range Strategies {
		if !KnownStrategy(s) {
			t.Errorf("KnownStrategy(%q) = false", s)
		}
	}
}
