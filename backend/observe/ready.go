package observe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/metrics"
	"time"
)

// Readiness statuses, of each check and of the whole report (the worst
// check wins).
const (
	StatusOK        = "ok"
	StatusDegraded  = "degraded"
	StatusUnhealthy = "unhealthy"
)

// Readiness limits.
const (
	DefaultHeapWarn = 1 << 30   // heap above this is degraded
	DiskWarn        = 500 << 20 // free disk below this is degraded
	DiskFail        = 50 << 20  // free disk below this is unhealthy
)

// ReadyDB is what readiness needs of the database. Ping proves the file is
// open; CheckWritable proves a write can commit (a full disk or a file
// made read-only fails it).
type ReadyDB interface {
	Ping(ctx context.Context) error
	CheckWritable(ctx context.Context) error
}

// ChannelReadiness is one channel as readiness sees it. Healthy is false
// while its breaker is open.
type ChannelReadiness struct {
	Name    string
	Enabled bool
	Healthy bool
}

// ReadyOptions are the sources of the checks. A nil DB or Channels leaves
// that check out.
type ReadyOptions struct {
	DB ReadyDB
	// DBName names a database server the messages should point at, e.g.
	// "PostgreSQL at postgres://routex:xxxxx@db/routex" (never a password);
	// "" means the SQLite file routex.db in ROUTEX_HOME.
	DBName string
	// ChangeFeed, for a database other instances share, reports whether
	// their changes reach this one at once (nil error) or only by the
	// periodic re-read: the check is then degraded, not unhealthy, since
	// this instance still serves. Nil for a database no one else shares.
	ChangeFeed func() error
	Channels   func(ctx context.Context) ([]ChannelReadiness, error)
	// Home is ROUTEX_HOME, whose disk is checked; "" skips the check.
	Home string
	// HeapWarn is the heap size reported as degraded; 0 = DefaultHeapWarn.
	HeapWarn uint64
	// FreeDisk overrides the free-space probe (tests); nil = the OS's.
	FreeDisk func(path string) (uint64, error)
	// HeapBytes overrides the heap reading (tests); nil = the runtime's.
	HeapBytes func() uint64
	// Timeout bounds the database checks; 0 = 3 seconds.
	Timeout time.Duration
}

// Check is one readiness check's outcome. Message always says what to do
// when Status is not ok.
type Check struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

// ReadyReport is the body of GET /health/ready.
type ReadyReport struct {
	Status string  `json:"status"`
	Checks []Check `json:"checks"`
}

// Ready answers GET /health/ready: whether this Routex can serve requests
// now, and if not, why and what to do. It answers without a key (load
// balancers and supervisors ask it), so it names no channel and no path.
// Safe for concurrent use.
type Ready struct {
	opt ReadyOptions
}

// NewReady returns the readiness checker.
func NewReady(opt ReadyOptions) *Ready {
	if opt.HeapWarn == 0 {
		opt.HeapWarn = DefaultHeapWarn
	}
	if opt.FreeDisk == nil {
		opt.FreeDisk = FreeDisk
	}
	if opt.HeapBytes == nil {
		opt.HeapBytes = heapBytes
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 3 * time.Second
	}
	return &Ready{opt: opt}
}

// Check runs every check.
func (rd *Ready) Check(ctx context.Context) ReadyReport {
	var checks []Check
	if rd.opt.DB != nil {
		checks = append(checks, rd.database(ctx))
	}
	if rd.opt.Channels != nil {
		checks = append(checks, rd.channels(ctx))
	}
	checks = append(checks, rd.memory())
	if rd.opt.Home != "" {
		checks = append(checks, rd.disk())
	}
	rep := ReadyReport{Status: StatusOK, Checks: checks}
	for _, c := range checks {
		rep.Status = worse(rep.Status, c.Status)
	}
	return rep
}

// ServeHTTP answers 200 for ok and degraded, 503 for unhealthy, so load
// balancers and supervisors take the instance out only when it cannot serve.
func (rd *Ready) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep := rd.Check(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if rep.Status == StatusUnhealthy {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(rep)
}

func (rd *Ready) database(ctx context.Context) Check {
	ctx, cancel := context.WithTimeout(ctx, rd.opt.Timeout)
	defer cancel()
	c := Check{Name: "database", Status: StatusOK, Message: "the database is open and writable"}
	server := rd.opt.DBName
	if err := rd.opt.DB.Ping(ctx); err != nil {
		c.Status = StatusUnhealthy
		c.Message = fmt.Sprintf("cannot reach the database (%v): restart Routex; if it persists, run `routex doctor`", err)
		if server != "" {
			c.Message = fmt.Sprintf("cannot reach %s (%v): check that the server runs and accepts this instance, and that database_url is right; `routex doctor` tests the connection", server, err)
		}
		return c
	}
	if err := rd.opt.DB.CheckWritable(ctx); err != nil {
		c.Status = StatusUnhealthy
		c.Message = fmt.Sprintf("the database cannot be written (%v): free disk space and check that routex.db in ROUTEX_HOME is writable by this user", err)
		if server != "" {
			c.Message = fmt.Sprintf("%s refuses writes (%v): check the user's rights and that database_url names the primary, not a read-only replica", server, err)
		}
		return c
	}
	if server != "" {
		c.Message = server + " is reachable and writable"
	}
	if rd.opt.ChangeFeed == nil {
		return c
	}
	if err := rd.opt.ChangeFeed(); err != nil {
		c.Status = StatusDegraded
		c.Message += fmt.Sprintf(", but the change feed is down (%v): changes made on other instances arrive only by re-reading, within seconds; check the connection to the database", err)
		return c
	}
	c.Message += "; changes made on other instances arrive at once"
	return c
}

func (rd *Ready) channels(ctx context.Context) Check {
	c := Check{Name: "channels", Status: StatusOK}
	chans, err := rd.opt.Channels(ctx)
	if err != nil {
		c.Status = StatusUnhealthy
		c.Message = fmt.Sprintf("cannot read the channels (%v): restart Routex; if it persists, run `routex doctor`", err)
		return c
	}
	enabled, healthy := 0, 0
	for _, ch := range chans {
		if ch.Enabled {
			enabled++
			if ch.Healthy {
				healthy++
			}
		}
	}
	switch {
	case enabled == 0:
		c.Status = StatusUnhealthy
		c.Message = "no channel is enabled: add a channel (or enable one) in the dashboard or with `routex channel add`"
	case healthy == 0:
		c.Status = StatusDegraded
		c.Message = fmt.Sprintf("all %d enabled channels are failing (circuit breaker open): run a connection test in the dashboard and check their keys and base URLs", enabled)
	default:
		c.Message = fmt.Sprintf("%d of %d enabled channels are healthy", healthy, enabled)
	}
	return c
}

func (rd *Ready) memory() Check {
	heap := rd.opt.HeapBytes()
	c := Check{Name: "memory", Status: StatusOK, Message: fmt.Sprintf("heap %s", mib(heap))}
	if heap > rd.opt.HeapWarn {
		c.Status = StatusDegraded
		c.Message = fmt.Sprintf("heap is %s, over %s: turn off body capture if it is on, and restart Routex if it keeps growing", mib(heap), mib(rd.opt.HeapWarn))
	}
	return c
}

func (rd *Ready) disk() Check {
	c := Check{Name: "disk", Status: StatusOK}
	free, err := rd.opt.FreeDisk(rd.opt.Home)
	switch {
	case errors.Is(err, ErrDiskUnsupported):
		c.Message = "free disk space is not measured on this platform"
	case err != nil:
		c.Status = StatusDegraded
		c.Message = "cannot read the free disk space of ROUTEX_HOME: check that the folder exists"
	default:
		switch c.Status = DiskStatus(free); c.Status {
		case StatusUnhealthy:
			c.Message = fmt.Sprintf("only %s free in ROUTEX_HOME: free disk space now; request logs and settings cannot be saved", mib(free))
		case StatusDegraded:
			c.Message = fmt.Sprintf("only %s free in ROUTEX_HOME: free disk space, or shorten log retention in settings", mib(free))
		default:
			c.Message = fmt.Sprintf("%s free in ROUTEX_HOME", mib(free))
		}
	}
	return c
}

// DiskStatus rates the free space under ROUTEX_HOME: unhealthy below
// DiskFail, degraded below DiskWarn, else ok. Readiness and `routex doctor`
// judge by it, so they never disagree.
func DiskStatus(free uint64) string {
	switch {
	case free < DiskFail:
		return StatusUnhealthy
	case free < DiskWarn:
		return StatusDegraded
	}
	return StatusOK
}

func worse(a, b string) string {
	rank := func(s string) int {
		switch s {
		case StatusUnhealthy:
			return 2
		case StatusDegraded:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

func mib(n uint64) string { return fmt.Sprintf("%d MiB", n>>20) }

// heapBytes reads the live heap from runtime/metrics, which unlike
// runtime.ReadMemStats does not stop the world.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
