package observe

import (
	"context"
	"log/slog"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// discardSink stands in for the database in benchmarks: it accepts every
// batch at once, so what is measured is the enqueue on the request path,
// not SQLite.
type discardSink struct{ n atomic.Int64 }

func (d *discardSink) InsertRequestLogs(_ context.Context, logs []store.RequestLog) error {
	d.n.Add(int64(len(logs)))
	return nil
}

// benchRecord is a request log as the proxy fills it after a streamed
// passthrough reply.
func benchRecord() store.RequestLog {
	return store.RequestLog{
		Time: time.Now(), Format: "anthropic", ChannelID: 1, ChannelName: "anthropic-main",
		ClientModel: "claude-opus-4-8", UpstreamModel: "claude-opus-4-8", Status: 200, Stream: true,
		LatencyMS: 840, TTFTMS: 310, InputTokens: 12650, OutputTokens: 420, CacheReadTokens: 11800,
		UserAgent: "claude-cli/2.1.197 (external, cli)", UpstreamFormat: "anthropic", Scenario: "default",
	}
}

// benchQueue is the queue size of the benchmarks: large enough that the
// writer never falls behind between two drains.
const benchQueue = 1 << 14

// BenchmarkRecord is the request log enqueue every proxied request pays:
// one Record call on the hot path, the batch write happening elsewhere.
// The clock stops while the writer drains the queue, so what is timed is
// the enqueue and not the drop path of a full queue.
func BenchmarkRecord(b *testing.B) {
	sink := &discardSink{}
	w := NewWriter(sink, benchQueue, slog.New(slog.DiscardHandler))
	rec := benchRecord()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		w.Record(rec)
		if n++; n%(benchQueue/2) == 0 {
			b.StopTimer()
			for w.Depth() > 0 {
				time.Sleep(100 * time.Microsecond)
			}
			b.StartTimer()
		}
	}
	b.StopTimer()
	w.Close(context.Background())
	b.ReportMetric(float64(w.Dropped()), "dropped")
}

// BenchmarkRecordParallel is Record from many request goroutines at once,
// as under load: the read lock and the channel send are what contend.
// Producers yield while the queue is over half full, so the time includes
// the writer keeping up: it is the sustained rate, not a burst.
func BenchmarkRecordParallel(b *testing.B) {
	sink := &discardSink{}
	w := NewWriter(sink, benchQueue, slog.New(slog.DiscardHandler))
	rec := benchRecord()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for w.Depth() > benchQueue/2 {
				runtime.Gosched()
			}
			w.Record(rec)
		}
	})
	b.StopTimer()
	w.Close(context.Background())
	b.ReportMetric(float64(w.Dropped()), "dropped")
}
