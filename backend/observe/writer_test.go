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
	// failFirst fails that many calls, as a database that restarts would.
	failFirst int
	calls     int
}

func (m *memSink) InsertRequestLogs(ctx context.Context, logs []store.RequestLog) error {
	if m.block != nil {
		<-m.block
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.failFirst > 0 {
		m.failFirst--
		return errors.New("connection reset by peer")
	}
	if m.err != nil {
		return m.err
	}
	m.batches = append(m.batches, append([]store.RequestLog(nil), logs...))
	return nil
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

func TestAFailedBatchIsRetriedThenCounted(t *testing.T) {
	t.Parallel()
	t.Run("a database back within the retries loses nothing", func(t *testing.T) {
		t.Parallel()
		sink := &memSink{failFirst: 2}
		w := NewWriter(sink, 100, nil)
		for range 10 {
			w.Record(store.RequestLog{Status: 200})
		}
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if sink.total() != 10 || w.Written() != 10 || w.Failed() != 0 || sink.calls != 3 {
			t.Errorf("stored %d in %d calls, written %d, failed %d; want 10 stored once after 2 failures",
				sink.total(), sink.calls, w.Written(), w.Failed())
		}
	})
	t.Run("a database that stays down costs the batch, counted", func(t *testing.T) {
		t.Parallel()
		sink := &memSink{err: errors.New("server closed the connection")}
		w := NewWriter(sink, 100, nil)
		for range 7 {
			w.Record(store.RequestLog{Status: 200})
		}
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if w.Failed() != 7 || w.Written() != 0 || sink.calls != 1+len(retryDelays) {
			t.Errorf("failed %d written %d after %d calls; want 7 failed after %d", w.Failed(), w.Written(),
				sink.calls, 1+len(retryDelays))
		}
	})
}
