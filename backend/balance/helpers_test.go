package balance

import (
	"testing"
	"time"
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

// ch is a channel with an id and a weight, as a candidate without a model.
func ch(id int64, weight int) Candidate {
	return Candidate{ChannelID: id, Weight: weight}
}

// cands builds one candidate per channel, each with model "m".
func cands(chs ...Candidate) []Candidate {
	out := make([]Candidate, len(chs))
	for i, c := range chs {
		c.Model = "m"
		out[i] = c
	}
	return out
}

// ids lists the channel ids of an order, for compact comparisons.
func ids(cs []Candidate) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ChannelID
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
