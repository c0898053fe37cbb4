package observe

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/routex-app/routex/backend/store"
)

// MaxModelLabels caps the distinct values of the model label: model names
// come from clients, and an unbounded label would grow Prometheus's memory
// (and ours) without limit. Models past the cap are counted as "other".
const MaxModelLabels = 500

// ChannelState is one channel's health at scrape time, for the breaker and
// up gauges. Breaker is "closed", "half_open" or "open".
type ChannelState struct {
	Channel string
	Breaker string
	Up      bool
}

// LogQueue is what the metrics read of the request log writer; *Writer
// implements it.
type LogQueue interface {
	Depth() int
	Dropped() int64
}

// MetricsOptions carries the live sources read at scrape time. Nil fields
// leave their series out.
type MetricsOptions struct {
	// Channels reports every channel's breaker state and whether it can
	// take requests.
	Channels func() []ChannelState
	// Queue is the request log writer.
	Queue LogQueue
}

// Metrics exports what the proxy does in Prometheus's text format, from its
// own registry (never the global one, so two engines in one process, as in
// tests, do not collide). Safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests       *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	ttft           *prometheus.HistogramVec
	tokens         *prometheus.CounterVec
	cost           *prometheus.CounterVec
	upstreamErrors *prometheus.CounterVec
	failovers      prometheus.Counter

	mu     sync.RWMutex
	models map[string]struct{}
}

// NewMetrics registers every Routex series, plus the Go runtime and process
// collectors, on a new registry.
func NewMetrics(opt MetricsOptions) *Metrics {
	m := &Metrics{
		reg:    prometheus.NewRegistry(),
		models: make(map[string]struct{}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "routex_requests_total", Help: "Finished proxy requests by channel, model, HTTP status and route scenario.",
		}, []string{"channel", "model", "status", "route"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "routex_request_duration_seconds", Help: "Time from request to the last byte of the reply.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300},
		}, []string{"channel"}),
		ttft: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "routex_ttft_seconds", Help: "Time to the first byte of the upstream's reply.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 60},
		}, []string{"channel"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "routex_tokens_total", Help: "Tokens by direction: input (excluding cache), output, cache_read, cache_write.",
		}, []string{"channel", "model", "direction"}),
		cost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "routex_cost_usd_total", Help: "Cost in US dollars at the price table's prices.",
		}, []string{"channel", "model"}),
		upstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "routex_upstream_errors_total", Help: "Failed upstream tries by kind (network, timeout, rate_limit, overloaded, server_error, auth, client_error, stream).",
		}, []string{"channel", "kind"}),
		failovers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "routex_failovers_total", Help: "Times a request moved on to the next channel after a failure.",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.ttft, m.tokens, m.cost, m.upstreamErrors, m.failovers,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if opt.Channels != nil {
		m.reg.MustRegister(newChannelCollector(opt.Channels))
	}
	if q := opt.Queue; q != nil {
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "routex_log_queue_depth", Help: "Request logs waiting to be written.",
			}, func() float64 { return float64(q.Depth()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "routex_log_dropped_total", Help: "Request logs dropped because the queue was full.",
			}, func() float64 { return float64(q.Dropped()) }))
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Observe counts one finished request. It allocates nothing beyond the
// label lookups, so the recorder can call it inline.
func (m *Metrics) Observe(rec store.RequestLog) {
	ch := rec.ChannelName
	model := m.model(rec)
	m.requests.WithLabelValues(ch, model, statusLabel(rec.Status), routeLabel(rec.Scenario)).Inc()
	if ch != "" {
		m.duration.WithLabelValues(ch).Observe(float64(rec.LatencyMS) / 1000)
		if rec.TTFTMS > 0 {
			m.ttft.WithLabelValues(ch).Observe(float64(rec.TTFTMS) / 1000)
		}
	}
	m.addTokens(ch, model, "input", rec.InputTokens)
	m.addTokens(ch, model, "output", rec.OutputTokens)
	m.addTokens(ch, model, "cache_read", rec.CacheReadTokens)
	m.addTokens(ch, model, "cache_write", rec.CacheWriteTokens)
	if rec.CostUSD > 0 {
		m.cost.WithLabelValues(ch, model).Add(rec.CostUSD)
	}
	for _, a := range rec.Attempts {
		if a.Skipped == "" { // a channel passed over returned no error
			m.upstreamErrors.WithLabelValues(a.ChannelName, errorKind(a.Status)).Inc()
		}
	}
	last := len(rec.Attempts) > 0 && rec.Attempts[len(rec.Attempts)-1].ChannelID == rec.ChannelID &&
		rec.Attempts[len(rec.Attempts)-1].Status == rec.Status && rec.Status >= 400
	switch {
	case last:
		// Every channel failed; the answer is the last attempt, already counted.
		m.failovers.Add(float64(len(rec.Attempts) - 1))
	default:
		m.failovers.Add(float64(len(rec.Attempts)))
		if rec.ChannelID != 0 && rec.Status >= 400 && rec.Status != 499 {
			m.upstreamErrors.WithLabelValues(ch, errorKind(rec.Status)).Inc()
		} else if rec.ChannelID != 0 && rec.Status < 400 && rec.Error != "" && rec.Error != "client disconnected" {
			m.upstreamErrors.WithLabelValues(ch, "stream").Inc()
		}
	}
}

func (m *Metrics) addTokens(ch, model, dir string, n int64) {
	if n > 0 {
		m.tokens.WithLabelValues(ch, model, dir).Add(float64(n))
	}
}

// model is the label for rec's model: the upstream's name (what was
// billed), or the client's when no upstream answered; "other" past the cap.
func (m *Metrics) model(rec store.RequestLog) string {
	name := rec.UpstreamModel
	if name == "" {
		name = rec.ClientModel
	}
	m.mu.RLock()
	_, seen := m.models[name]
	full := len(m.models) >= MaxModelLabels
	m.mu.RUnlock()
	if seen {
		return name
	}
	if full {
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.models[name]; ok || len(m.models) < MaxModelLabels {
		m.models[name] = struct{}{}
		return name
	}
	return "other"
}

// statusLabel formats common statuses without allocating.
func statusLabel(code int) string {
	switch code {
	case 200:
		return "200"
	case 400:
		return "400"
	case 401:
		return "401"
	case 403:
		return "403"
	case 404:
		return "404"
	case 429:
		return "429"
	case 499:
		return "499"
	case 500:
		return "500"
	case 502:
		return "502"
	case 503:
		return "503"
	case 504:
		return "504"
	case 529:
		return "529"
	}
	return strconv.Itoa(code)
}

func routeLabel(scenario string) string {
	if scenario == "" {
		return "none"
	}
	return scenario
}

// errorKind classifies a failed try by its status; 0 means no HTTP answer
// came at all (connection refused, reset, DNS).
func errorKind(status int) string {
	switch {
	case status == 0:
		return "network"
	case status == 408 || status == 504:
		return "timeout"
	case status == 429:
		return "rate_limit"
	case status == 503 || status == 529:
		return "overloaded"
	case status >= 500:
		return "server_error"
	case status == 401 || status == 403:
		return "auth"
	default:
		return "client_error"
	}
}

// channelCollector reads breaker states at scrape time, so the gauges are
// never stale and nothing has to push updates.
type channelCollector struct {
	states  func() []ChannelState
	breaker *prometheus.Desc
	up      *prometheus.Desc
}

func newChannelCollector(states func() []ChannelState) *channelCollector {
	return &channelCollector{
		states: states,
		breaker: prometheus.NewDesc("routex_breaker_state",
			"Circuit breaker per channel: 0 closed, 1 half_open, 2 open.", []string{"channel"}, nil),
		up: prometheus.NewDesc("routex_channel_up",
			"1 when the channel is enabled and its breaker lets requests through.", []string{"channel"}, nil),
	}
}

func (c *channelCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.breaker
	ch <- c.up
}

func (c *channelCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.states() {
		ch <- prometheus.MustNewConstMetric(c.breaker, prometheus.GaugeValue, breakerValue(s.Breaker), s.Channel)
		up := 0.0
		if s.Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up, s.Channel)
	}
}

func breakerValue(state string) float64 {
	switch state {
	case "half_open":
		return 1
	case "open":
		return 2
	}
	return 0
}
