package observe

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// memSink stands in for the database so the tests can count batches and
// make a write block or fail on purpose.
type memSink struct {
	mu      sync.Mutex
	batches [][]store.RequestLog
	block   chan struct{}
	err     error
}

func (m *memSink) InsertRequestLogs(ctx context.Context, logs []store.RequestLog) error {
	if m.block != nil {
		<-m.block
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.batches = append(m.batches, append([]store.RequestLog(nil), logs...))
	return m.err
}

func (m *memSink) total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, b := range m.batches {
		n += len(b)
	}
	return n
}

func TestCloseDrainsEveryQueuedRecord(t *testing.T) {
	t.Parallel()
	sink := &memSink{}
	w := NewWriter(sink, 2000, nil)
	for i := range 1000 {
		w.Record(store.RequestLog{ClientModel: "m", Status: 200 + i%2})
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sink.total(); got != 1000 {
		t.Fatalf("wrote %d records, want 1000", got)
	}
	if len(sink.batches) >= 1000 {
		t.Fatalf("records were not batched: %d batches", len(sink.batches))
	}
	if w.Written() != 1000 || w.Dropped() != 0 {
		t.Fatalf("written %d dropped %d", w.Written(), w.Dropped())
	}
}

func TestFullQueueCountsDropsWithoutBlocking(t *testing.T) {
	t.Parallel()
	sink := &memSink{block: make(chan struct{})}
	w := NewWriter(sink, 4, nil)
	done := make(chan struct{})
	go func() {
		for range 100 {
			w.Record(store.RequestLog{})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Record blocked on a full queue")
	}
	if w.Dropped() == 0 {
		t.Fatal("a full queue must count drops")
	}
	close(sink.block)
	w.Close(context.Background())
	if int64(sink.total())+w.Dropped() != 100 {
		t.Fatalf("written %d + dropped %d != 100", sink.total(), w.Dropped())
	}
}

func TestRecordAfterCloseIsCountedNotPanicking(t *testing.T) {
	t.Parallel()
	w := NewWriter(&memSink{err: errors.New("disk full")}, 8, nil)
	w.Record(store.RequestLog{})
	w.Close(context.Background())
	w.Record(store.RequestLog{})
	if w.Dropped() != 1 || w.Written() != 0 {
		t.Fatalf("dropped %d written %d; a failed write must not count as written", w.Dropped(), w.Written())
	}
}
