package balance

import (
	"testing"
	"time"
)

func TestBreaker(t *testing.T) {
	t.Parallel()
	const cool = 30 * time.Second
	type step struct {
		at      time.Duration // since t0
		outcome *Outcome      // nil: only check
		state   string
		avail   bool
		until   time.Duration // CooldownUntil since t0; -1 for none
	}
	fail := &Outcome{Kind: Server, Status: 503, Err: "HTTP 503"}
	ok := &Outcome{OK: true, Status: 200}
	tests := []struct {
		name  string
		steps []step
	}{
		{"failures below the threshold keep the breaker closed", []step{
			{0, fail, StateClosed, true, -1},
			{0, fail, StateClosed, true, -1},
		}},
		{"the threshold opens the breaker for the cooldown", []step{
			{0, fail, StateClosed, true, -1},
			{0, fail, StateClosed, true, -1},
			{0, fail, StateOpen, false, cool},
			{cool - time.Second, nil, StateOpen, false, cool},
			{cool, nil, StateHalfOpen, true, -1},
		}},
		{"a success resets the failure streak", []step{
			{0, fail, StateClosed, true, -1},
			{0, fail, StateClosed, true, -1},
			{0, ok, StateClosed, true, -1},
			{0, fail, StateClosed, true, -1},
			{0, fail, StateClosed, true, -1},
		}},
		{"a successful probe closes the breaker", []step{
			{0, fail, StateClosed, true, -1},
			{0, fail, StateClosed, true, -1},
			{0, fail, StateOpen, false, cool},
			{cool, ok, StateClosed, true, -1},
		}},
		{"a failed probe reopens with double the cooldown", []step{
			{0, fail, StateClosed, true, -1},
			{0, fail, StateClosed, true, -1},
			{0, fail, StateOpen, false, cool},
			{cool, fail, StateOpen, false, cool + 2*cool},
			{3 * cool, fail, StateOpen, false, 3*cool + 4*cool},
			{7 * cool, ok, StateClosed, true, -1},
			{7 * cool, fail, StateClosed, true, -1},
			{7 * cool, fail, StateClosed, true, -1},
			{7 * cool, fail, StateOpen, false, 8 * cool}, // back to the base cooldown
		}},
		{"the doubled cooldown stops at the maximum", []step{
			{0, fail, StateClosed, true, -1},
			{0, fail, StateClosed, true, -1},
			{0, fail, StateOpen, false, cool},
			{cool, fail, StateOpen, false, 3 * cool},
			{3 * cool, fail, StateOpen, false, 3*cool + 4*cool},
			{7 * cool, fail, StateOpen, false, 7*cool + 4*cool}, // MaxCooldown is 4 × cool
		}},
		{"client errors never count", []step{
			{0, fail, StateClosed, true, -1},
			{0, fail, StateClosed, true, -1},
			{0, &Outcome{Kind: Client, Status: 400}, StateClosed, true, -1},
			{0, &Outcome{Status: 404}, StateClosed, true, -1},
			{0, &Outcome{Status: 413}, StateClosed, true, -1},
			{0, fail, StateOpen, false, cool},
		}},
		{"rate limits cool down without counting toward the breaker", []step{
			{0, fail, StateClosed, true, -1},
			{0, fail, StateClosed, true, -1},
			{0, &Outcome{Kind: RateLimit, Status: 429}, StateClosed, false, cool},
			{cool, nil, StateClosed, true, -1},
		}},
		{"a 429 cools down until the upstream's reset", []step{
			{0, &Outcome{Status: 429, CoolUntil: t0.Add(7 * time.Second)}, StateClosed, false, 7 * time.Second},
			{7 * time.Second, nil, StateClosed, true, -1},
		}},
		{"timeouts, connect and stream errors count like 5xx", []step{
			{0, &Outcome{Kind: Timeout}, StateClosed, true, -1},
			{0, &Outcome{Kind: Connect}, StateClosed, true, -1},
			{0, &Outcome{Kind: Stream}, StateOpen, false, cool},
		}},
		{"a failure without a kind or status counts against the channel", []step{
			{0, &Outcome{}, StateClosed, true, -1},
			{0, &Outcome{}, StateClosed, true, -1},
			{0, &Outcome{}, StateOpen, false, cool},
		}},
		{"a client error on the probe leaves the breaker half-open for the next one", []step{
			{0, fail, StateClosed, true, -1},
			{0, fail, StateClosed, true, -1},
			{0, fail, StateOpen, false, cool},
			{cool, &Outcome{Kind: Client, Status: 400}, StateHalfOpen, true, -1},
			{cool, ok, StateClosed, true, -1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newTest(t, Options{FailureThreshold: 3, Cooldown: cool, MaxCooldown: 4 * cool})
			c := cands(ch(1, 1))[0]
			for i, s := range tt.steps {
				now := t0.Add(s.at)
				if s.outcome != nil {
					o := *s.outcome
					o.Now = now
					b.Begin(c, now)(o)
				}
				h := b.Health(1, now)
				if h.State != s.state {
					t.Errorf("step %d: state %q, want %q", i, h.State, s.state)
				}
				if got := b.Available(c, now); got != s.avail {
					t.Errorf("step %d: available %v, want %v", i, got, s.avail)
				}
				var want time.Time
				if s.until >= 0 {
					want = t0.Add(s.until)
				}
				if !h.CooldownUntil.Equal(want) {
					t.Errorf("step %d: cooldown until %v, want %v", i, h.CooldownUntil, want)
				}
			}
		})
	}
}

func TestHalfOpenLetsOneProbeThrough(t *testing.T) {
	t.Parallel()
	b := newTest(t, Options{Cooldown: time.Minute})
	cs := cands(ch(1, 1), ch(2, 1))
	fail(b, cs[0], Connect, 3, t0)
	now := t0.Add(time.Minute)
	if got := b.Order(Priority, cs, "", now); got[0].ChannelID != 1 {
		t.Fatalf("after the cooldown the channel is not offered for a probe: %v", ids(got))
	}
	end := b.Begin(cs[0], now) // the probe
	if got := b.Order(Priority, cs, "", now); got[0].ChannelID != 2 {
		t.Errorf("a second request sees the probing channel first: %v", ids(got))
	}
	if b.Available(cs[0], now) {
		t.Error("the probing channel is available to a concurrent request")
	}
	second := b.Begin(cs[0], now) // a last-resort attempt, not a probe
	second(Outcome{Kind: Server, Now: now})
	if h := b.Health(1, now); h.State != StateHalfOpen {
		t.Errorf("a non-probe failure changed the state to %q", h.State)
	}
	end(Outcome{OK: true, Now: now.Add(time.Second)})
	if h := b.Health(1, now); h.State != StateClosed || !b.Available(cs[0], now) {
		t.Errorf("after the probe succeeded: state %q, available %v", h.State, b.Available(cs[0], now))
	}
}

func TestStaleReplyDoesNotCloseTheBreaker(t *testing.T) {
	t.Parallel()
	b := newTest(t, Options{Cooldown: time.Minute})
	c := cands(ch(1, 1))[0]
	slow := b.Begin(c, t0) // began before the failures
	fail(b, c, Server, 3, t0.Add(time.Second))
	slow(Outcome{OK: true, Now: t0.Add(2 * time.Second)})
	if h := b.Health(1, t0.Add(2*time.Second)); h.State != StateOpen {
		t.Errorf("a reply that began before the breaker opened closed it: state %q", h.State)
	}
}

func TestStaleProbeIsReclaimed(t *testing.T) {
	t.Parallel()
	b := newTest(t, Options{Cooldown: time.Second, MaxCooldown: time.Minute})
	c := cands(ch(1, 1))[0]
	fail(b, c, Server, 3, t0)
	b.Begin(c, t0.Add(time.Second)) // a probe whose end is never called
	if b.Available(c, t0.Add(30*time.Second)) {
		t.Error("another request may probe while the first probe is fresh")
	}
	if !b.Available(c, t0.Add(2*time.Minute)) {
		t.Error("a probe never ended blocks the channel forever")
	}
}

func TestHealthCounters(t *testing.T) {
	t.Parallel()
	b := newTest(t, Options{})
	c := cands(ch(1, 1))[0]
	other := Candidate{ChannelID: c.ChannelID, Model: "other"}
	inflight := b.Begin(c, t0)
	succeed(b, c, 200*time.Millisecond, t0)
	b.Begin(c, t0)(Outcome{Kind: Client, Status: 400, Err: "bad request"})
	b.Begin(other, t0)(Outcome{Kind: Server, Status: 502, Err: "HTTP 502"})
	end := b.Begin(c, t0)
	end(Outcome{Kind: RateLimit, Status: 429, Err: "HTTP 429"})
	end(Outcome{Kind: Server}) // a second call is ignored

	h := b.Health(1, t0)
	want := Health{State: StateClosed, Failures: 1, CooldownUntil: t0.Add(30 * time.Second),
		LastError: "HTTP 429", TTFTMillis: 200, InFlight: 1, Requests: 4, Failed: 2}
	if h != want {
		t.Errorf("channel health = %+v\nwant %+v", h, want)
	}
	mh := b.ModelHealth(1, "m", t0)
	wantM := Health{State: StateClosed, LastError: "HTTP 429", TTFTMillis: 200, InFlight: 1, Requests: 3, Failed: 1}
	if mh != wantM {
		t.Errorf("model health = %+v\nwant %+v", mh, wantM)
	}
	if got := b.Health(9, t0); got != (Health{State: StateClosed}) {
		t.Errorf("health of an unknown channel = %+v", got)
	}
	inflight(Outcome{OK: true})
	if got := b.Health(1, t0).InFlight; got != 0 {
		t.Errorf("in flight after every end = %d, want 0", got)
	}
	b.Reset(1)
	if got := b.Health(1, t0); got != (Health{State: StateClosed}) {
		t.Errorf("health after Reset = %+v", got)
	}
}

func TestKindForStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status   int
		want     FailureKind
		failover bool
	}{
		{0, Connect, true}, {200, None, false}, {304, None, false}, {400, Client, false},
		{401, Client, false}, {408, Timeout, true}, {429, RateLimit, true}, {500, Server, true},
		{503, Server, true}, {529, Server, true},
	}
	for _, tt := range tests {
		if got := KindForStatus(tt.status); got != tt.want || got.Failover() != tt.failover {
			t.Errorf("KindForStatus(%d) = %v (failover %v), want %v (failover %v)",
				tt.status, got, got.Failover(), tt.want, tt.failover)
		}
	}
	if got := Stream.String(); got != "stream" {
		t.Errorf("Stream.String() = %q", got)
	}
}

// A model the channel lacks (404) fails over and is counted against the
// channel, but opens only that model's breaker: other models of the channel
// stay available, and a client asking every channel for a model none has
// cannot take the channels out.
func TestNotFoundOpensTheModelOnly(t *testing.T) {
	t.Parallel()
	b := newTest(t, Options{})
	c := cands(ch(1, 1))[0]
	other := Candidate{ChannelID: c.ChannelID, Model: "other"}
	fail(b, c, NotFound, 3, t0)
	if !NotFound.Failover() {
		t.Error("NotFound does not fail over")
	}
	if b.Available(c, t0) {
		t.Error("the missing model is still available after 3 not-found failures")
	}
	if !b.Available(other, t0) {
		t.Error("another model of the channel became unavailable")
	}
	h := b.Health(1, t0)
	if h.State != StateClosed || h.Failed != 3 || h.LastError != "boom" {
		t.Errorf("channel health = %+v, want closed with 3 failed and the last error", h)
	}
	if mh := b.ModelHealth(1, "m", t0); mh.State != StateOpen {
		t.Errorf("model health = %+v, want open", mh)
	}
	if NotFound.String() != "not_found" {
		t.Errorf("NotFound.String() = %q", NotFound.String())
	}
}

func TestWhy(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := New(Options{FailureThreshold: 2, Cooldown: 30 * time.Second, Seed: 1})
	c := cands(ch(1, 1))[0]
	if w := b.Why(c, t0); w.Reason != "" {
		t.Fatalf("a channel never used: Why = %+v, want available", w)
	}
	for range 2 {
		b.Begin(c, t0)(Outcome{Kind: Server, Status: 500, Now: t0})
	}
	if w := b.Why(c, t0.Add(time.Second)); w.Reason != SkipPaused || w.Failures != 2 || !w.Until.Equal(t0.Add(30*time.Second)) {
		t.Errorf("after 2 failures: Why = %+v, want paused after 2 failures until +30s", w)
	}
	at := t0.Add(30 * time.Second)
	end := b.Begin(c, at) // the probe
	if w := b.Why(c, at); w.Reason != SkipProbing {
		t.Errorf("with the probe out: Why = %+v, want probing", w)
	}
	end(Outcome{OK: true, Status: 200, Now: at})
	if w := b.Why(c, at); w.Reason != "" {
		t.Errorf("after a good probe: Why = %+v, want available", w)
	}
	b.Begin(c, at)(Outcome{Kind: RateLimit, Status: 429, CoolUntil: at.Add(time.Minute), Now: at})
	if w := b.Why(c, at); w.Reason != SkipRateLimited || !w.Until.Equal(at.Add(time.Minute)) {
		t.Errorf("after a 429: Why = %+v, want rate_limited for a minute", w)
	}
}
