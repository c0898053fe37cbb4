package observe

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// BenchmarkWriter measures rows per second through a Writer into a real
// SQLite file, queue and batching as the engine configures them (8192,
// batches of 256). The producer waits for room rather than letting Record
// drop, so every one of b.N rows is written; the time includes Close's
// final drain.
func BenchmarkWriter(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "routex.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const queue = 8192
	rows := make([]store.RequestLog, 64)
	for i := range rows {
		rows[i] = store.RequestLog{Format: "anthropic", ChannelID: 1, ChannelName: "anthropic-main",
			ClientModel: "claude-sonnet-4-5", UpstreamModel: "claude-sonnet-4-5", UpstreamFormat: "anthropic",
			Status: 200, Stream: true, LatencyMS: 1800, TTFTMS: 420, InputTokens: 1200, OutputTokens: 42,
			CacheReadTokens: 300, CostUSD: 0.00432, RequestBytes: 14_000, ResponseBytes: 2_600, OutputTPS: 31.5,
			UserAgent: "claude-cli/2.1.197 (external, sdk-cli)", Scenario: "default",
			SessionKey: fmt.Sprintf("session-%d", i)}
	}
	w := NewWriter(st, queue, slog.New(slog.DiscardHandler))
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		for w.Depth() >= queue-1 {
			runtime.Gosched()
		}
		rec := rows[i%len(rows)]
		rec.Time = start
		w.Record(rec)
	}
	if err := w.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if w.Dropped() != 0 || w.Written() != int64(b.N) {
		b.Fatalf("written %d, dropped %d of %d", w.Written(), w.Dropped(), b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
