package balance

import (
	"testing"
	"time"
)

// BenchmarkOrder measures one request's ordering of three candidates with a
// bound session, on warm state: the per-request cost the proxy pays.
func BenchmarkOrder(b *testing.B) {
	for _, strategy := range []string{Priority, Weighted, RoundRobin, LeastUsed, Latency} {
		b.Run(strategy, func(b *testing.B) {
			bal := newTest(b, Options{})
			cs := cands(ch(1, 1), ch(2, 3), ch(3, 6))
			for _, c := range cs {
				succeed(bal, c, 300*time.Millisecond, t0)
			}
			bal.Bind("session", 2)
			b.ReportAllocs()
			for b.Loop() {
				if got := bal.Order(strategy, cs, "session", t0); len(got) != 3 {
					b.Fatal("lost a candidate")
				}
			}
		})
	}
}

// BenchmarkAttempt measures Begin and end around one attempt.
func BenchmarkAttempt(b *testing.B) {
	bal := newTest(b, Options{})
	c := cands(ch(1, 1))[0]
	b.ReportAllocs()
	for b.Loop() {
		bal.Begin(c, t0)(Outcome{OK: true, TTFT: time.Millisecond, Now: t0})
	}
}

// BenchmarkOrderParallel is BenchmarkOrder/weighted from every CPU at once:
// the shared locks must not serialise requests.
func BenchmarkOrderParallel(b *testing.B) {
	bal := newTest(b, Options{})
	cs := cands(ch(1, 1), ch(2, 3), ch(3, 6))
	for _, c := range cs {
		succeed(bal, c, 300*time.Millisecond, t0)
	}
	bal.Bind("session", 2)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			bal.Order(Weighted, cs, "session", t0)
		}
	})
}
