// Package balance decides in which order a request tries its candidate
// channels, and remembers what each attempt taught: in-flight counts, time to
// first token, consecutive failures (the circuit breaker), rate-limit
// cooldowns, which channel served a conversation (session affinity) and which
// API key of a channel to use next.
//
// Everything is in memory and time is passed in, so the logic is pure and the
// tests are deterministic. The proxy asks Order for the candidates, Begin
// before each attempt, calls the returned end with the Outcome, and Bind after
// a success.
package balance

import (
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// Strategy names, as stored in store.Routes.Strategy and Strategies.
const (
	Priority   = "priority"    // as given: route order, or channels by priority
	RoundRobin = "round_robin" // rotate the first candidate per call
	Weighted   = "weighted"    // weighted random by Candidate.Weight
	LeastUsed  = "least_used"  // fewest in-flight requests first
	Latency    = "latency"     // lowest recent time to first token first
)

// Strategies lists every strategy name, the default first. It is the one
// list of them: the API and the CLI validate with it, and the dashboard gets
// it through the generated API types.
var Strategies = []string{Priority, RoundRobin, Weighted, LeastUsed, Latency}

// KnownStrategy reports whether s names a strategy, so the API can refuse a
// typo at save time instead of Order silently falling back to priority.
func KnownStrategy(s string) bool { return slices.Contains(Strategies, s) }

// Candidate is one way to serve a request: a channel and the upstream model
// to ask it for. It holds only what balancing reads, so the package knows
// nothing of how channels are stored; the caller keeps the channel itself
// and finds it again by ChannelID.
type Candidate struct {
	ChannelID int64
	// Weight is the channel's share under the weighted strategy; 0 or
	// less makes it a last resort.
	Weight int
	Model  string // the upstream model for this channel
}

// Options tunes a Balancer. Zero fields take the defaults noted.
type Options struct {
	// FailureThreshold is the number of consecutive failures (connect,
	// timeout, 5xx/529, stream error) that opens a breaker. Default 3.
	FailureThreshold int
	// Cooldown is how long a breaker stays open before one probe request is
	// let through. It doubles after each failed probe, up to MaxCooldown.
	// It is also the cooldown after a 429 that does not say how long to wait.
	// Default 30s.
	Cooldown time.Duration
	// MaxCooldown caps the doubling of Cooldown. Default 10m.
	MaxCooldown time.Duration
	// AffinitySize bounds the number of remembered sessions. Default 10000;
	// negative turns session affinity off.
	AffinitySize int
	// AffinityTTL is how long a session stays bound after its last success.
	// Default 1h.
	AffinityTTL time.Duration
	// LatencyWindow is the number of samples the TTFT moving average spans
	// (an EWMA with alpha = 2/(n+1)). Default 20.
	LatencyWindow int
	// Seed seeds the weighted strategy's random source; 0 picks a random seed.
	// Tests set it to get the same draws every run.
	Seed uint64
}

func (o Options) withDefaults() Options {
	if o.FailureThreshold <= 0 {
		o.FailureThreshold = 3
	}
	if o.Cooldown <= 0 {
		o.Cooldown = 30 * time.Second
	}
	if o.MaxCooldown <= 0 {
		o.MaxCooldown = 10 * time.Minute
	}
	if o.MaxCooldown < o.Cooldown {
		o.MaxCooldown = o.Cooldown
	}
	if o.AffinitySize == 0 {
		o.AffinitySize = 10000
	}
	if o.AffinityTTL <= 0 {
		o.AffinityTTL = time.Hour
	}
	if o.LatencyWindow <= 0 {
		o.LatencyWindow = 20
	}
	if o.Seed == 0 {
		o.Seed = rand.Uint64() | 1
	}
	return o
}

// maxRotations bounds the round-robin counters kept per distinct candidate
// set. Sets come from the routing table, so there are few; the bound only
// protects against a caller that builds a new set per request.
const maxRotations = 4096

// modelKey names the health of one model on one channel.
type modelKey struct {
	channel int64
	model   string
}

// Balancer orders candidates and keeps their health. Safe for concurrent use:
// the maps are under one read-mostly lock, each channel's counters under its
// own small mutex (like Caddy's Host), so requests to different channels do
// not contend.
//
// A Balancer is meant to live as long as the engine: the expirable LRU behind
// session affinity runs a cleanup goroutine that golang-lru v2.0.7 never stops.
type Balancer struct {
	opt   Options
	alpha float64 // EWMA weight of a new TTFT sample

	mu        sync.RWMutex
	channels  map[int64]*host
	models    map[modelKey]*host
	rotations map[uint64]*atomic.Uint64

	rngMu sync.Mutex
	rng   *rand.Rand

	affinity *expirable.LRU[string, int64] // nil when affinity is off

	// exhausted maps the channels whose account has nothing left to why
	// (see SetExhausted); nil when none.
	exhausted atomic.Pointer[map[int64]string]
}

// New returns a Balancer with o's settings (defaults for zero fields).
func New(o Options) *Balancer {
	o = o.withDefaults()
	b := &Balancer{
		opt:       o,
		alpha:     2 / (float64(o.LatencyWindow) + 1),
		channels:  map[int64]*host{},
		models:    map[modelKey]*host{},
		rotations: map[uint64]*atomic.Uint64{},
		rng:       rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
	}
	if o.AffinitySize > 0 {
		b.affinity = expirable.NewLRU[string, int64](o.AffinitySize, nil, o.AffinityTTL)
	}
	return b
}

// lookup returns the channel's and the model's state, nil for what has never
// been used. It never creates state, so Order stays on the read lock.
func (b *Balancer) lookup(id int64, model string) (ch, m *host) {
	b.mu.RLock()
	ch = b.channels[id]
	m = b.models[modelKey{id, model}]
	b.mu.RUnlock()
	return ch, m
}

// hosts returns the channel's and the model's state, creating them.
func (b *Balancer) hosts(id int64, model string) (ch, m *host) {
	ch, m = b.lookup(id, model)
	if ch != nil && m != nil {
		return ch, m
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if ch = b.channels[id]; ch == nil {
		ch = &host{}
		b.channels[id] = ch
	}
	k := modelKey{id, model}
	if m = b.models[k]; m == nil {
		m = &host{}
		b.models[k] = m
	}
	return ch, m
}

// channel returns the channel's state, creating it.
func (b *Balancer) channel(id int64) *host {
	b.mu.RLock()
	h := b.channels[id]
	b.mu.RUnlock()
	if h != nil {
		return h
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if h = b.channels[id]; h == nil {
		h = &host{}
		b.channels[id] = h
	}
	return h
}

// Reset forgets what was learned about a channel: breakers, cooldowns,
// latency, counters and key rotation, for the channel and each of its models.
// Sessions bound to it stay bound. Call it when the user edits a channel's
// URL or keys, so an old failure streak does not hold the new setup back.
func (b *Balancer) Reset(channelID int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.channels, channelID)
	for k := range b.models {
		if k.channel == channelID {
			delete(b.models, k)
		}
	}
}
