package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/observe"
	"github.com/routex-app/routex/backend/pricing"
	"github.com/routex-app/routex/backend/store"
)

// observability is what the engine builds to watch its traffic: metrics for
// /metrics, the live event hub for /api/events, the readiness checks for
// /health/ready, and the recorder the proxy hands every finished request.
type observability struct {
	metrics  *observe.Metrics
	hub      *observe.Hub
	ready    *observe.Ready
	recorder *Recorder
}

// newObservability wires the observe package to the store, the request log
// writer and the balancer. It reads the user's prices once; call
// recorder.ReloadPrices after each price edit.
func newObservability(ctx context.Context, st *store.Store, w *observe.Writer, bal *balance.Balancer,
	home string, watching func() bool, log *slog.Logger) (*observability, error) {
	o := &observability{hub: observe.NewHub(observe.DefaultRingSize, log)}
	o.metrics = observe.NewMetrics(observe.MetricsOptions{
		Channels: func() []observe.ChannelState { return channelStates(st, bal) },
		Queue:    w,
	})
	ready := readyOptions(st, watching)
	ready.Channels = func(context.Context) ([]observe.ChannelReadiness, error) { return channelReadiness(st, bal), nil }
	ready.Home = home
	o.ready = observe.NewReady(ready)
	o.recorder = NewRecorder(w, o.metrics, o.hub, func(id int64) balance.Health { return bal.Health(id, time.Now()) })
	if err := o.recorder.ReloadPrices(ctx, st); err != nil {
		return nil, err
	}
	return o, nil
}

func channelStates(st *store.Store, bal *balance.Balancer) []observe.ChannelState {
	chans := st.Catalog().Channels
	now := time.Now()
	out := make([]observe.ChannelState, len(chans))
	for i, c := range chans {
		state := bal.Health(c.ID, now).State
		out[i] = observe.ChannelState{Channel: c.Name, Breaker: state, Up: c.Enabled && state != balance.StateOpen}
	}
	return out
}

func channelReadiness(st *store.Store, bal *balance.Balancer) []observe.ChannelReadiness {
	chans := st.Catalog().Channels
	now := time.Now()
	out := make([]observe.ChannelReadiness, len(chans))
	for i, c := range chans {
		out[i] = observe.ChannelReadiness{Name: c.Name, Enabled: c.Enabled,
			Healthy: bal.Health(c.ID, now).State != balance.StateOpen}
	}
	return out
}

// readyStore adapts the store to observe.ReadyDB. CheckWritable commits a
// one-row upsert: only a real commit shows a full disk, a read-only file or
// a read-only replica. It sends no change notice to other instances.
type readyStore struct{ st *store.Store }

func (r readyStore) Ping(ctx context.Context) error { return r.st.Ping(ctx) }

func (r readyStore) CheckWritable(ctx context.Context) error { return r.st.CheckWritable(ctx) }

// readyOptions names a shared database in readiness messages and reports
// its change feed; watching says whether Start began the watch that keeps
// the feed (before Start, and for SQLite, there is none to report).
func readyOptions(st *store.Store, watching func() bool) observe.ReadyOptions {
	opt := observe.ReadyOptions{DB: readyStore{st}}
	if st.Backend() != store.BackendPostgres {
		return opt
	}
	opt.DBName = "PostgreSQL at " + st.Path()
	opt.ChangeFeed = func() error {
		if watching() && !st.Listening() {
			return errors.New("no LISTEN connection")
		}
		return nil
	}
	return opt
}

// LogSink is where the Recorder queues request logs; *observe.Writer
// implements it.
type LogSink interface {
	Record(rec store.RequestLog)
}

// Recorder implements proxy.Recorder: it prices each finished request,
// queues it for the request log, counts it in the metrics, publishes it on
// the live event hub, and publishes a health event when a channel it
// touched changed breaker state. Nothing in it blocks. Safe for concurrent
// use.
type Recorder struct {
	sink    LogSink
	metrics *observe.Metrics
	hub     *observe.Hub
	health  func(channelID int64) balance.Health
	prices  atomic.Pointer[pricing.Table]
	// instance names this engine in each record; usage receives each
	// priced record of a key per person, for its counters.
	instance atomic.Pointer[string]
	usage    atomic.Pointer[func(store.RequestLog)]

	mu     sync.Mutex
	states map[int64]string // last breaker state seen per channel
}

// NewRecorder fans records out to sink, metrics and hub; any of them may be
// nil. health reads a channel's breaker state (nil: no health events).
// Until ReloadPrices runs, costs use the shipped default prices.
func NewRecorder(sink LogSink, metrics *observe.Metrics, hub *observe.Hub, health func(channelID int64) balance.Health) *Recorder {
	r := &Recorder{sink: sink, metrics: metrics, hub: hub, health: health, states: make(map[int64]string)}
	r.prices.Store(pricing.NewTable(nil))
	return r
}

// SetInstance names the instance in every record from now on.
func (r *Recorder) SetInstance(name string) { r.instance.Store(&name) }

// SetUsage hands every priced record to fn (keys.Service.Account), which
// must not block.
func (r *Recorder) SetUsage(fn func(store.RequestLog)) { r.usage.Store(&fn) }

// PriceStore is where ReloadPrices reads the user's prices; *store.Store
// implements it.
type PriceStore interface {
	Prices(ctx context.Context) ([]pricing.Price, error)
}

// ReloadPrices rebuilds the price table from the shipped defaults and the
// user's prices in ps.
func (r *Recorder) ReloadPrices(ctx context.Context, ps PriceStore) error {
	user, err := ps.Prices(ctx)
	if err != nil {
		return fmt.Errorf("engine: load prices: %w", err)
	}
	r.prices.Store(pricing.NewTable(user))
	return nil
}

// Prices is the table costs are computed with.
func (r *Recorder) Prices() *pricing.Table { return r.prices.Load() }

// Record observes one finished request. A record without a cost is priced
// here, by the upstream model (the one billed), or the client's when no
// upstream answered.
func (r *Recorder) Record(rec store.RequestLog) {
	if rec.CostUSD == 0 {
		model := rec.UpstreamModel
		if model == "" {
			model = rec.ClientModel
		}
		rec.CostUSD = r.prices.Load().Cost(model, rec.InputTokens, rec.OutputTokens, rec.CacheReadTokens, rec.CacheWriteTokens)
	}
	if name := r.instance.Load(); name != nil {
		rec.Instance = *name
	}
	if fn := r.usage.Load(); fn != nil {
		(*fn)(rec)
	}
	if r.sink != nil {
		r.sink.Record(rec)
	}
	if r.metrics != nil {
		r.metrics.Observe(rec)
	}
	if r.hub == nil {
		return
	}
	r.hub.Publish(observe.TopicRequest, requestEvent(rec))
	if r.health != nil {
		for _, a := range rec.Attempts {
			r.checkHealth(a.ChannelID, a.ChannelName)
		}
		if len(rec.Attempts) == 0 || rec.Attempts[len(rec.Attempts)-1].ChannelID != rec.ChannelID {
			r.checkHealth(rec.ChannelID, rec.ChannelName)
		}
	}
}

// checkHealth publishes a health event when the channel's breaker state
// differs from the last one seen. A channel first seen closed is not news.
func (r *Recorder) checkHealth(id int64, name string) {
	if id == 0 {
		return
	}
	h := r.health(id)
	r.mu.Lock()
	prev, seen := r.states[id]
	if !seen {
		prev = balance.StateClosed
	}
	r.states[id] = h.State
	r.mu.Unlock()
	if h.State == prev {
		return
	}
	r.hub.Publish(observe.TopicHealth, observe.HealthEvent{ChannelID: id, Channel: name, State: h.State,
		Previous: prev, LastError: h.LastError})
}

func requestEvent(rec store.RequestLog) observe.RequestEvent {
	return observe.RequestEvent{
		ID: rec.ID, Time: rec.Time.UTC(), ChannelID: rec.ChannelID, Channel: rec.ChannelName,
		Model: rec.ClientModel, Upstream: rec.UpstreamModel, Status: rec.Status, Stream: rec.Stream,
		LatencyMS: rec.LatencyMS, TTFTMS: rec.TTFTMS, CostUSD: rec.CostUSD, Scenario: rec.Scenario,
		Attempts: len(rec.Attempts) + 1, Error: rec.Error,
		Tokens: observe.Tokens{Input: rec.InputTokens, Output: rec.OutputTokens, CacheRead: rec.CacheReadTokens,
			CacheWrite: rec.CacheWriteTokens, Estimated: rec.UsageEstimated},
	}
}
