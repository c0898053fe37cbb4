package balance

import (
	"sync"
	"sync/atomic"
	"time"
)

// Breaker states as Health reports them.
const (
	StateClosed   = "closed"
	StateOpen     = "open"
	StateHalfOpen = "half_open"
)

// host is what the balancer knows of one channel, or of one model on one
// channel: the same fields serve both levels. All fields are under mu.
type host struct {
	mu sync.Mutex

	// Circuit breaker. open with now < openUntil is "open"; open with
	// now >= openUntil is "half_open", where one probe may go.
	open       bool
	failures   int // consecutive breaker failures
	openedAt   time.Time
	openUntil  time.Time
	cooldown   time.Duration // length of the current opening; doubles per failed probe
	probing    bool
	probeSince time.Time

	coolUntil time.Time // rate-limit cooldown (429)

	lastErr  string
	ttft     float64 // EWMA in milliseconds
	measured bool
	inFlight int
	requests int64
	failed   int64

	// Keys, on the channel level only.
	keyCool []time.Time
	nextKey int
}

// availability reports whether the host can take a request now, and if not,
// when it can: when the breaker's cooldown ends, when a rate-limit cooldown
// ends, or now for a half-open breaker whose probe is still out (its answer
// decides). staleProbe is how long a probe claim holds: one whose end was
// never called must not block the channel forever.
func (h *host) availability(now time.Time, staleProbe time.Duration) (ok bool, at time.Time) {
	if h == nil {
		return true, time.Time{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	ok = true
	if h.open {
		switch {
		case now.Before(h.openUntil):
			ok, at = false, h.openUntil
		case h.probing && now.Sub(h.probeSince) < staleProbe:
			ok, at = false, now
		}
	}
	if now.Before(h.coolUntil) {
		ok = false
		if h.coolUntil.After(at) {
			at = h.coolUntil
		}
	}
	return ok, at
}

// begin counts an attempt in flight and claims the half-open probe if the
// breaker's cooldown is over and no fresh probe is out.
func (h *host) begin(now time.Time, staleProbe time.Duration) (probe bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inFlight++
	if h.open && !now.Before(h.openUntil) && (!h.probing || now.Sub(h.probeSince) >= staleProbe) {
		h.probing, h.probeSince = true, now
		return true
	}
	return false
}

// end records an attempt's outcome. start is when it began: a success closes
// an open breaker only if the attempt began after the breaker opened (a probe,
// or a last-resort try), not when it is a slow reply from before the failures.
func (b *Balancer) end(h *host, o Outcome, kind FailureKind, start time.Time, probe, channelLevel bool) {
	now := o.Now
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inFlight--
	h.requests++
	if probe {
		h.probing = false
	}
	switch {
	case kind == None:
		h.failures = 0
		if h.open && (probe || !start.Before(h.openedAt)) {
			h.open, h.cooldown = false, 0
		}
		if o.TTFT > 0 {
			ms := float64(o.TTFT) / float64(time.Millisecond)
			if h.measured {
				h.ttft += b.alpha * (ms - h.ttft)
			} else {
				h.ttft, h.measured = ms, true
			}
		}
	case kind == Client:
		// The request's fault: the channel answered, so nothing to learn.
	case kind == RateLimit:
		h.failed++
		h.lastErr = o.Err
		if channelLevel {
			until := o.CoolUntil
			if until.IsZero() {
				until = now.Add(b.opt.Cooldown)
			}
			h.coolKeyLocked(o.KeyIndex, until)
		}
	case kind == NotFound && channelLevel:
		h.failed++
		h.lastErr = o.Err
	case kind.breaks() || kind == NotFound:
		h.failed++
		h.lastErr = o.Err
		h.failures++
		switch {
		case probe:
			h.cooldown = min(2*h.cooldown, b.opt.MaxCooldown)
			h.trip(now)
		case !h.open && h.failures >= b.opt.FailureThreshold:
			h.cooldown = b.opt.Cooldown
			h.trip(now)
		}
	}
}

// trip opens the breaker for the current cooldown.
func (h *host) trip(now time.Time) {
	h.open, h.openedAt, h.openUntil = true, now, now.Add(h.cooldown)
}

// staleProbe is how long a probe claim blocks others: past it, the probe's
// end was probably never called, and another request may probe.
func (b *Balancer) staleProbe() time.Duration { return b.opt.MaxCooldown }

// Begin marks an attempt at c in flight (least_used counts it) and, when a
// breaker is half-open, makes this attempt its one probe. Call the returned
// end exactly once, with the attempt's Outcome; later calls are ignored.
// Begin never refuses: Order already put unavailable candidates last, and a
// last-resort attempt at one is still worth making.
func (b *Balancer) Begin(c Candidate, now time.Time) (end func(Outcome)) {
	ch, m := b.hosts(c.ChannelID, c.Model)
	stale := b.staleProbe()
	chProbe := ch.begin(now, stale)
	mProbe := m.begin(now, stale)
	var done atomic.Bool
	return func(o Outcome) {
		if done.Swap(true) {
			return
		}
		if o.Now.IsZero() {
			o.Now = now
		}
		kind := o.kind()
		b.end(ch, o, kind, now, chProbe, true)
		b.end(m, o, kind, now, mProbe, false)
	}
}

// Available reports whether Order would count c as available now: neither
// the channel nor the model has an open breaker, a rate-limit cooldown, or a
// half-open breaker whose probe is out.
func (b *Balancer) Available(c Candidate, now time.Time) bool {
	ok, _ := b.availability(c, now)
	return ok
}

// availability combines the channel's and the model's availability.
func (b *Balancer) availability(c Candidate, now time.Time) (bool, time.Time) {
	ch, m := b.lookup(c.ChannelID, c.Model)
	return combine(ch, m, now, b.staleProbe())
}

// combine is a candidate's availability from its channel's and its model's:
// available when both are, else from when the later of the two is.
func combine(ch, m *host, now time.Time, staleProbe time.Duration) (bool, time.Time) {
	ok1, at1 := ch.availability(now, staleProbe)
	ok2, at2 := m.availability(now, staleProbe)
	if at2.After(at1) {
		at1 = at2
	}
	return ok1 && ok2, at1
}

// Health is a snapshot of a channel's (or a channel's model's) state for the
// dashboard and /api/channels.
type Health struct {
	State         string    // StateClosed, StateOpen or StateHalfOpen
	Failures      int       // consecutive breaker failures
	CooldownUntil time.Time // end of the open breaker or 429 cooldown, whichever is later; zero when none
	LastError     string    // Outcome.Err of the last failure that was the channel's
	TTFTMillis    float64   // moving average; 0 when unknown
	InFlight      int
	Requests      int64 // attempts ended since start
	Failed        int64 // of which failed for the channel's reasons (client errors excluded)
}

// Health returns the channel's state at now; a channel never used is closed
// and empty.
func (b *Balancer) Health(channelID int64, now time.Time) Health {
	b.mu.RLock()
	h := b.channels[channelID]
	b.mu.RUnlock()
	return h.health(now)
}

// ModelHealth returns the state of one model on the channel.
func (b *Balancer) ModelHealth(channelID int64, model string, now time.Time) Health {
	_, m := b.lookup(channelID, model)
	return m.health(now)
}

func (h *host) health(now time.Time) Health {
	if h == nil {
		return Health{State: StateClosed}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	out := Health{
		State:      StateClosed,
		Failures:   h.failures,
		LastError:  h.lastErr,
		InFlight:   h.inFlight,
		Requests:   h.requests,
		Failed:     h.failed,
		TTFTMillis: h.ttft,
	}
	if h.open {
		out.State = StateHalfOpen
		if now.Before(h.openUntil) {
			out.State, out.CooldownUntil = StateOpen, h.openUntil
		}
	}
	if now.Before(h.coolUntil) && h.coolUntil.After(out.CooldownUntil) {
		out.CooldownUntil = h.coolUntil
	}
	return out
}

// Reasons Why gives for a candidate left out of the first places.
const (
	// SkipPaused: the breaker is open after Failures failures in a row,
	// until Until.
	SkipPaused = "paused"
	// SkipProbing: the breaker's pause is over and one probe request is
	// out; the others wait for its answer.
	SkipProbing = "probing"
	// SkipRateLimited: the upstream rate-limited the channel (or every key
	// of it) until Until.
	SkipRateLimited = "rate_limited"
	// SkipExhausted: the channel's account has no balance left (see
	// SplitExhausted); it is not tried at all.
	SkipExhausted = "exhausted"
)

// Skip says why Order put a candidate after the available ones.
type Skip struct {
	Reason   string    // one of the Skip* constants; "" when available
	Failures int       // consecutive failures, for SkipPaused
	Until    time.Time // when it may serve again; zero for SkipProbing
}

// Why tells why c is unavailable at now, the model's state before the
// channel's (the narrower one explains more); Reason "" means it is
// available. The proxy records it for a request that went elsewhere.
func (b *Balancer) Why(c Candidate, now time.Time) Skip {
	ch, m := b.lookup(c.ChannelID, c.Model)
	stale := b.staleProbe()
	for _, h := range [...]*host{m, ch} {
		if s := h.why(now, stale); s.Reason != "" {
			return s
		}
	}
	return Skip{}
}

func (h *host) why(now time.Time, staleProbe time.Duration) Skip {
	if h == nil {
		return Skip{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.open && now.Before(h.openUntil):
		return Skip{Reason: SkipPaused, Failures: h.failures, Until: h.openUntil}
	case h.open && h.probing && now.Sub(h.probeSince) < staleProbe:
		return Skip{Reason: SkipProbing}
	case now.Before(h.coolUntil):
		return Skip{Reason: SkipRateLimited, Until: h.coolUntil}
	}
	return Skip{}
}
