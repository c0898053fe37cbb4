package balance

import (
	"math"
	"slices"
	"sync/atomic"
	"time"
)

// entry is one candidate while Order ranks it.
type entry struct {
	c      *Candidate // in the caller's slice, which Order does not modify
	idx    int        // position as given: the tie-breaker everywhere
	avail  bool       // false: goes to the end
	at     time.Time  // when an unavailable candidate becomes available
	sticky bool       // bound to the request's session
	key    float64    // strategy rank among available candidates, lower first
	ch, m  *host      // the channel's and the model's state; nil if never used
}

// before says whether a ranks ahead of b: available before unavailable;
// among available, the session's channel first, then by strategy key; among
// unavailable, by when they become available; ties keep the given order.
func (a *entry) before(b *entry) bool {
	if a.avail != b.avail {
		return a.avail
	}
	if !a.avail {
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		return a.idx < b.idx
	}
	if a.sticky != b.sticky {
		return a.sticky
	}
	if a.key != b.key {
		return a.key < b.key
	}
	return a.idx < b.idx
}

// stackEntries is how many candidates Order ranks without allocating scratch
// space; routes rarely list more.
const stackEntries = 16

// Order returns the candidates in the order to try them: the first is the
// primary, the rest the failover chain. strategy is one of Priority,
// RoundRobin, Weighted, LeastUsed or Latency; anything else means Priority.
//
// Unavailable candidates (open breaker, rate-limit cooldown, half-open with
// its probe out) go to the end, soonest available first — never dropped, so
// when everything is down the request still tries them rather than failing
// untried. If sessionKey is bound (see Bind) to the channel of an available
// candidate, that candidate goes first; affinity yields when its channel is
// unhealthy. cands is not modified. The result is the only allocation for up
// to 16 candidates.
func (b *Balancer) Order(strategy string, cands []Candidate, sessionKey string, now time.Time) []Candidate {
	return b.order(strategy, cands, sessionKey, now, false)
}

// Preview is Order without side effects: the round-robin rotation does not
// advance, so explaining a request shows where the next real one goes and
// does not move it. (Weighted stays a random draw.)
func (b *Balancer) Preview(strategy string, cands []Candidate, sessionKey string, now time.Time) []Candidate {
	return b.order(strategy, cands, sessionKey, now, true)
}

func (b *Balancer) order(strategy string, cands []Candidate, sessionKey string, now time.Time, preview bool) []Candidate {
	n := len(cands)
	if n == 0 {
		return nil
	}
	var stack [stackEntries]entry
	es := stack[:0]
	if n > stackEntries {
		es = make([]entry, 0, n)
	}
	b.mu.RLock() // once for all lookups
	for i := range cands {
		c := &cands[i]
		es = append(es, entry{c: c, idx: i, ch: b.channels[c.ChannelID], m: b.models[modelKey{c.ChannelID, c.Model}]})
	}
	b.mu.RUnlock()
	bound, hasBound := b.Bound(sessionKey)
	stickyDone := false
	availN := 0
	stale := b.staleProbe()
	for i := range es {
		e := &es[i]
		e.avail, e.at = combine(e.ch, e.m, now, stale)
		if e.avail {
			availN++
			if hasBound && !stickyDone && e.c.ChannelID == bound {
				e.sticky, stickyDone = true, true
			}
		}
	}
	switch strategy {
	case RoundRobin:
		b.rankRoundRobin(es, availN, preview)
	case Weighted:
		b.rankWeighted(es)
	case LeastUsed:
		b.rankLeastUsed(es)
	case Latency:
		b.rankLatency(es)
	}
	sortEntries(es)
	out := make([]Candidate, n)
	for i := range es {
		out[i] = *es[i].c
	}
	return out
}

// sortEntries sorts stably by entry.before. Insertion sort for the usual
// handful of candidates: no allocation, nothing escapes.
func sortEntries(es []entry) {
	if len(es) > 2*stackEntries {
		slices.SortStableFunc(es, func(a, b entry) int {
			switch {
			case a.before(&b):
				return -1
			case b.before(&a):
				return 1
			}
			return 0
		})
		return
	}
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].before(&es[j-1]); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// rankRoundRobin rotates the first place among the available candidates, one
// step per call, with a counter per distinct candidate set. Rotating among
// the available ones only keeps the share even when one is down.
func (b *Balancer) rankRoundRobin(es []entry, availN int, preview bool) {
	if availN == 0 {
		return
	}
	var turn uint64
	if preview {
		turn = b.rotation(es).Load()
	} else {
		turn = b.rotation(es).Add(1) - 1
	}
	start := int(turn % uint64(availN))
	pos := 0
	for i := range es {
		if !es[i].avail {
			continue
		}
		es[i].key = float64((pos - start + availN) % availN)
		pos++
	}
}

// rotation returns the round-robin counter of the candidate set.
func (b *Balancer) rotation(es []entry) *atomic.Uint64 {
	k := setHash(es)
	b.mu.RLock()
	r := b.rotations[k]
	b.mu.RUnlock()
	if r != nil {
		return r
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if r = b.rotations[k]; r == nil {
		if len(b.rotations) >= maxRotations {
			clear(b.rotations)
		}
		r = new(atomic.Uint64)
		b.rotations[k] = r
	}
	return r
}

// setHash is FNV-1a over the candidates' channel IDs and models, in order.
func setHash(es []entry) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := range es {
		id := uint64(es[i].c.ChannelID)
		for range 8 {
			h = (h ^ (id & 0xff)) * prime
			id >>= 8
		}
		m := es[i].c.Model
		for j := 0; j < len(m); j++ {
			h = (h ^ uint64(m[j])) * prime
		}
		h = (h ^ 0xff) * prime // separator: ("a","bc") differs from ("ab","c")
	}
	return h
}

// rankWeighted draws a weighted random order without replacement in one pass
// (Efraimidis–Spirakis): each candidate gets an exponential key with rate
// equal to its weight, and the smallest key goes first, so a channel leads
// with probability weight / total. A weight of 0 or less ranks after every
// positive weight, in the given order: a last resort, never a random pick.
func (b *Balancer) rankWeighted(es []entry) {
	b.rngMu.Lock()
	defer b.rngMu.Unlock()
	for i := range es {
		w := es[i].c.Weight
		if w <= 0 {
			es[i].key = math.Inf(1)
			continue
		}
		u := 1 - b.rng.Float64() // (0, 1]: log is finite
		es[i].key = -math.Log(u) / float64(w)
	}
}

// rankLeastUsed ranks by the channel's requests in flight.
func (*Balancer) rankLeastUsed(es []entry) {
	for i := range es {
		if h := es[i].ch; h != nil {
			h.mu.Lock()
			es[i].key = float64(h.inFlight)
			h.mu.Unlock()
		}
	}
}

// rankLatency ranks by the model's TTFT moving average on the channel;
// candidates never measured go first (key -1), so they get measured.
func (*Balancer) rankLatency(es []entry) {
	for i := range es {
		es[i].key = -1
		if m := es[i].m; m != nil {
			m.mu.Lock()
			if m.measured {
				es[i].key = m.ttft
			}
			m.mu.Unlock()
		}
	}
}
