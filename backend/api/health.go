package api

import (
	"sync"
	"time"

	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/channeltest"
)

// tests remembers each stored channel's latest connection test (and each
// key's, tested alone) since the engine started, so its health can say
// "Test failed" until traffic says otherwise. Safe for concurrent use.
type tests struct {
	mu   sync.Mutex
	last map[int64]testRecord
	keys map[int64]map[int]wire.LastTest
}

// testRecord is one channel test, with how many requests the channel had
// ended when it ran: traffic after the test decides the health again.
type testRecord struct {
	wire.LastTest
	requests int64
}

func (t *tests) record(id int64, key int, verdict string, at time.Time, requests int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	lt := wire.LastTest{Verdict: verdict, At: at.UTC(), Key: key}
	if t.last == nil {
		t.last, t.keys = map[int64]testRecord{}, map[int64]map[int]wire.LastTest{}
	}
	if key >= 0 {
		if t.keys[id] == nil {
			t.keys[id] = map[int]wire.LastTest{}
		}
		t.keys[id][key] = lt
	}
	t.last[id] = testRecord{LastTest: lt, requests: requests}
}

func (t *tests) get(id int64) (testRecord, map[int]wire.LastTest, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.last[id]
	return r, t.keys[id], ok
}

// forget drops a channel's tests: after an edit of its URL or keys, or its
// deletion, they say nothing about it any more.
func (t *tests) forget(id int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.last, id)
	delete(t.keys, id)
}

// testPassed reports whether a verdict means the channel works.
func testPassed(verdict string) bool {
	return verdict == string(channeltest.OK) || verdict == string(channeltest.Slow)
}

// healthStatus words a channel's health plainly (wire.HealthStatuses):
// the breaker and cooldowns first, then a failed test no request has
// contradicted since, then failures in a row, then whether anything was
// ever seen of it.
func healthStatus(h wire.ChannelHealth, test *testRecord, now time.Time) string {
	cooling := h.CooldownUntil != nil && h.CooldownUntil.After(now)
	switch {
	case h.State == "open":
		return wire.HealthPaused
	case h.State == "half_open":
		return wire.HealthRetrying
	case cooling:
		return wire.HealthRateLimited
	case test != nil && !testPassed(test.Verdict) && h.Requests <= test.requests:
		return wire.HealthTestFailed
	case h.Failures > 0:
		return wire.HealthFailing
	case h.Requests == 0 && test == nil:
		return wire.HealthUntested
	}
	return wire.HealthHealthy
}

// withTests completes a channel's health with its tests, its keys' states
// and its plain status.
func (s *Server) withTests(h wire.ChannelHealth, id int64, keyCount int) wire.ChannelHealth {
	now := time.Now()
	rec, keyTests, tested := s.tests.get(id)
	var test *testRecord
	if tested {
		test = &rec
		lt := rec.LastTest
		h.LastTest = &lt
	}
	if keyCount > 1 {
		var cools []time.Time
		if s.keyCooldowns != nil {
			cools = s.keyCooldowns(id, keyCount)
		}
		h.Keys = make([]wire.KeyHealth, keyCount)
		for i := range h.Keys {
			if i < len(cools) && cools[i].After(now) {
				t := cools[i].UTC()
				h.Keys[i].CooldownUntil = &t
			}
			if lt, ok := keyTests[i]; ok {
				h.Keys[i].LastTest = &lt
			}
		}
	}
	h.Status = healthStatus(h, test, now)
	return h
}

// Topics of the change notices Deps.Changed receives.
const (
	// ChangedChannels: a channel was added, edited, removed, reordered
	// or tested.
	ChangedChannels = "channels"
	// ChangedRoutes: the routes, and so maybe the active provider.
	ChangedRoutes = "routes"
	// ChangedSettings: the settings.
	ChangedSettings = "settings"
	// ChangedClients: a coding tool was attached or detached.
	ChangedClients = "clients"
)

func (s *Server) notify(what string) {
	if s.changed != nil {
		s.changed(what)
	}
}
