// Package observe records what happened to every exchange without slowing
// the proxy down: records go into a bounded queue, and one goroutine writes
// them to the database in batches.
package observe

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// Sink stores a batch of request logs in one transaction. *store.Store
// implements it.
type Sink interface {
	InsertRequestLogs(ctx context.Context, logs []store.RequestLog) error
}

// Writer queues request logs and writes them in batches. Record never
// blocks: when the queue is full the record is dropped and counted. Close
// drains the queue. Safe for concurrent use.
type Writer struct {
	sink    Sink
	log     *slog.Logger
	queue   chan store.RequestLog
	dropped atomic.Int64
	written atomic.Int64
	failed  atomic.Int64
	done    chan struct{}

	mu     sync.RWMutex // guards closed against a send on the closed queue
	closed bool
}

// Batching limits: a batch is written when it is this big or this old.
const (
	batchSize  = 256
	batchDelay = 200 * time.Millisecond
)

// retryDelays are the waits before the second and the third attempt at a
// batch the database refused. A shared PostgreSQL server that restarts or
// fails over answers again within seconds; a busy SQLite file frees up.
// A batch that fails all three is logged and counted in Failed. (A commit
// whose acknowledgement was lost can be written twice; that is the rarer
// harm.)
var retryDelays = [...]time.Duration{250 * time.Millisecond, time.Second}

// NewWriter starts the writer goroutine with a queue of the given size.
func NewWriter(sink Sink, queueSize int, log *slog.Logger) *Writer {
	if log == nil {
		log = slog.Default()
	}
	w := &Writer{sink: sink, log: log, queue: make(chan store.RequestLog, queueSize), done: make(chan struct{})}
	go w.run()
	return w
}

// Record queues rec, or counts it as dropped when the queue is full.
func (w *Writer) Record(rec store.RequestLog) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		w.dropped.Add(1)
		return
	}
	select {
	case w.queue <- rec:
	default:
		if w.dropped.Add(1) == 1 {
			w.log.Warn("request log queue full: dropping records until it drains")
		}
	}
}

// Dropped is how many records were not queued because the queue was full.
func (w *Writer) Dropped() int64 { return w.dropped.Load() }

// Written is how many records reached the database.
func (w *Writer) Written() int64 { return w.written.Load() }

// Failed is how many records the database refused after every retry.
func (w *Writer) Failed() int64 { return w.failed.Load() }

// Depth is how many records wait in the queue.
func (w *Writer) Depth() int { return len(w.queue) }

// Close stops accepting records, writes what is queued, and waits for the
// writer to finish or ctx to end.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *Writer) run() {
	defer close(w.done)
	batch := make([]store.RequestLog, 0, batchSize)
	timer := time.NewTimer(batchDelay)
	defer timer.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		var err error
		for attempt := 0; ; attempt++ {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err = w.sink.InsertRequestLogs(ctx, batch)
			cancel()
			if err == nil || attempt == len(retryDelays) {
				break
			}
			w.log.Warn("write request logs: will retry", "count", len(batch), "attempt", attempt+1, "error", err)
			time.Sleep(retryDelays[attempt])
		}
		if err != nil {
			w.log.Error("write request logs", "count", len(batch), "error", err)
			w.failed.Add(int64(len(batch)))
		} else {
			w.written.Add(int64(len(batch)))
		}
		batch = batch[:0]
	}
	for {
		select {
		case rec, ok := <-w.queue:
			if !ok {
				flush()
				return
			}
			batch = append(batch, rec)
			if len(batch) >= batchSize {
				flush()
			}
		case <-timer.C:
			flush()
			timer.Reset(batchDelay)
		}
	}
}
