package balance

import (
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// t0 is the fixed start of every test's clock.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// newTest returns a Balancer with a fixed seed and short, round settings.
func newTest(t testing.TB, o Options) *Balancer {
	t.Helper()
	if o.Seed == 0 {
		o.Seed = 42
	}
	return New(o)
}

// ch builds a channel with an id, a name derived from it and a weight.
func ch(id int64, weight int) *store.Channel {
	return &store.Channel{ID: id, Name: string(rune('a' + id - 1)), Weight: weight, Enabled: true}
}

// cands builds one candidate per channel, each with model "m".
func cands(chs ...*store.Channel) []Candidate {
	out := make([]Candidate, len(chs))
	for i, c := range chs {
		out[i] = Candidate{Channel: c, Model: "m"}
	}
	return out
}

// ids lists the channel ids of an order, for compact comparisons.
func ids(cs []Candidate) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.Channel.ID
	}
	return out
}

// fail records n breaker failures of kind on c, each ending at now.
func fail(b *Balancer, c Candidate, kind FailureKind, n int, now time.Time) {
	for range n {
		b.Begin(c, now)(Outcome{Kind: kind, Err: "boom", Now: now})
	}
}

// succeed records one success on c.
func succeed(b *Balancer, c Candidate, ttft time.Duration, now time.Time) {
	b.Begin(c, now)(Outcome{OK: true, Status: 200, TTFT: ttft, Now: now})
}
