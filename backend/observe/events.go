package observe

import (
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Topics of the live event stream.
const (
	// TopicRequest carries a RequestEvent for each finished request.
	TopicRequest = "request"
	// TopicHealth carries a HealthEvent when a channel's health changes.
	TopicHealth = "health"
	// TopicChange carries a ChangeEvent after a write changed what the
	// window shows (channels, routes and so the active provider, settings,
	// attached clients), from this process or another.
	TopicChange = "change"
	// TopicDropped is sent to a subscriber that fell behind and lost events;
	// it should re-read what it shows (or poll with since).
	TopicDropped = "dropped"
)

// Hub sizes: how many recent events are kept for replay, and how many a
// subscriber may have waiting before new ones are dropped for it.
const (
	DefaultRingSize    = 500
	DefaultSubscriberQ = 256
)

// Event is one published event. Seq increases by one per Publish across all
// topics, so a client can resume from the last Seq it saw.
type Event struct {
	Seq   uint64          `json:"seq"`
	Topic string          `json:"topic"`
	Data  json.RawMessage `json:"data"`
}

// RequestEvent is the compact form of a finished request on the "request"
// topic: enough for the dashboard's live table and counters.
type RequestEvent struct {
	ID        int64     `json:"id,omitempty"` // 0 until the log row is written
	Time      time.Time `json:"time"`
	ChannelID int64     `json:"channel_id"`
	Channel   string    `json:"channel"`
	Model     string    `json:"model"`
	Upstream  string    `json:"upstream_model,omitempty"`
	Status    int       `json:"status"`
	Stream    bool      `json:"stream"`
	LatencyMS int64     `json:"latency_ms"`
	TTFTMS    int64     `json:"ttft_ms"`
	Tokens    Tokens    `json:"tokens"`
	CostUSD   float64   `json:"cost"`
	Scenario  string    `json:"scenario,omitempty"`
	Attempts  int       `json:"attempts"`
	Error     string    `json:"error,omitempty"`
}

// Tokens are the token counts of a RequestEvent.
type Tokens struct {
	Input      int64 `json:"input"`
	Output     int64 `json:"output"`
	CacheRead  int64 `json:"cache_read"`
	CacheWrite int64 `json:"cache_write"`
	Estimated  bool  `json:"estimated,omitempty"`
}

// ChangeEvent says what changed on the "change" topic: "channels",
// "routes", "settings", "clients", or "catalog" (channels and routes
// changed by another process).
type ChangeEvent struct {
	What string `json:"what"`
}

// HealthEvent is a channel's health change on the "health" topic.
type HealthEvent struct {
	ChannelID int64  `json:"channel_id"`
	Channel   string `json:"channel"`
	State     string `json:"state"` // closed, half_open, open
	Previous  string `json:"previous"`
	LastError string `json:"last_error,omitempty"`
}

// Hub fans published events out to subscribers and keeps the last ones for
// replay. Publish never blocks: a subscriber whose queue is full loses the
// event and is told so (TopicDropped). Safe for concurrent use.
type Hub struct {
	log       *slog.Logger
	pingEvery time.Duration

	mu   sync.Mutex
	seq  uint64
	ring []Event // circular, len <= cap; ring[head] is the oldest when full
	head int
	subs map[*Subscription]struct{}
}

// NewHub returns a hub keeping ringSize recent events (DefaultRingSize
// when <= 0).
func NewHub(ringSize int, log *slog.Logger) *Hub {
	if ringSize <= 0 {
		ringSize = DefaultRingSize
	}
	if log == nil {
		log = slog.Default()
	}
	return &Hub{log: log, pingEvery: 15 * time.Second, ring: make([]Event, 0, ringSize),
		subs: make(map[*Subscription]struct{})}
}

// Subscription receives a hub's events on C until Close.
type Subscription struct {
	C       <-chan Event
	c       chan Event
	topics  []string // nil = all
	missed  atomic.Int64
	hub     *Hub
	closeMu sync.Once
}

// Missed returns and resets how many events were dropped for this
// subscriber since the last call.
func (s *Subscription) Missed() int64 { return s.missed.Swap(0) }

// Close ends the subscription; C is not closed (Publish may race with it),
// so readers stop on their own signal.
func (s *Subscription) Close() {
	s.closeMu.Do(func() {
		s.hub.mu.Lock()
		delete(s.hub.subs, s)
		s.hub.mu.Unlock()
	})
}

func (s *Subscription) wants(topic string) bool {
	return s.topics == nil || slices.Contains(s.topics, topic)
}

// Publish sends v, encoded as JSON once, to every subscriber of topic and
// keeps it for replay. It returns the event's sequence number (0 when v
// cannot be encoded, which is logged).
func (h *Hub) Publish(topic string, v any) uint64 {
	data, err := json.Marshal(v)
	if err != nil {
		h.log.Error("encode live event", "topic", topic, "error", err)
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	ev := Event{Seq: h.seq, Topic: topic, Data: data}
	if len(h.ring) < cap(h.ring) {
		h.ring = append(h.ring, ev)
	} else {
		h.ring[h.head] = ev
		h.head = (h.head + 1) % len(h.ring)
	}
	for s := range h.subs {
		if !s.wants(topic) {
			continue
		}
		select {
		case s.c <- ev:
		default:
			s.missed.Add(1)
		}
	}
	return ev.Seq
}

// Subscribe registers a subscriber for topics (all when empty) with a queue
// of DefaultSubscriberQ. Call Close when done.
func (h *Hub) Subscribe(topics []string) *Subscription {
	s, _ := h.subscribe(topics, 0, false)
	return s
}

// SubscribeAfter is Subscribe for a client resuming after event seq: it
// returns the kept events after seq as well, atomically with the
// registration, so nothing is missed or repeated between replay and live
// events. A seq beyond the last one (the engine restarted) replays all.
func (h *Hub) SubscribeAfter(topics []string, seq uint64) (*Subscription, []Event) {
	return h.subscribe(topics, seq, true)
}

func (h *Hub) subscribe(topics []string, seq uint64, replay bool) (*Subscription, []Event) {
	c := make(chan Event, DefaultSubscriberQ)
	s := &Subscription{C: c, c: c, hub: h}
	if len(topics) > 0 {
		s.topics = topics
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var events []Event
	if replay {
		if seq > h.seq {
			seq = 0
		}
		events = h.since(seq, s.topics)
	}
	h.subs[s] = struct{}{}
	return s, events
}

// Since returns the kept events after seq on topics (all when empty), oldest
// first, and the sequence number to ask from next time. A seq beyond the
// last one (the engine restarted) replays everything kept.
func (h *Hub) Since(seq uint64, topics []string) (events []Event, next uint64) {
	if len(topics) == 0 {
		topics = nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if seq > h.seq {
		seq = 0
	}
	return h.since(seq, topics), h.seq
}

// since walks the ring oldest first; h.mu must be held.
func (h *Hub) since(seq uint64, topics []string) []Event {
	out := []Event{}
	n := len(h.ring)
	for i := range n {
		ev := h.ring[(h.head+i)%n]
		if ev.Seq > seq && (topics == nil || slices.Contains(topics, ev.Topic)) {
			out = append(out, ev)
		}
	}
	return out
}

// Subscribers is how many subscriptions are open (for tests and /metrics).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
