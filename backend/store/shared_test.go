package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Tests of what several instances sharing one database need, run on both
// backends: two Stores on one target stand in for two processes.

func TestBatchesWithAndWithoutBodiesKeepTheirOrder(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		base := time.UnixMilli(time.Now().UnixMilli())
		var batch []RequestLog
		for i := range 70 { // more than one multi-row INSERT on SQLite
			l := RequestLog{Time: base, ChannelName: fmt.Sprint("row-", i), Status: 200}
			if i%9 == 4 {
				l.RequestBody, l.ResponseBody = fmt.Sprint(`{"req":`, i, `}`), fmt.Sprint(`{"resp":`, i, `}`)
			}
			batch = append(batch, l)
		}
		for range 2 {
			if err := s.InsertRequestLogs(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		logs, err := s.RecentRequestLogs(ctx, 1000)
		if err != nil || len(logs) != 140 {
			t.Fatalf("got %d logs, %v; want 140", len(logs), err)
		}
		// Same time for all: newest first is by id, so the order written.
		for i, l := range logs {
			want := fmt.Sprint("row-", 69-i%70)
			if l.ChannelName != want {
				t.Fatalf("row %d is %s, want %s: the batch lost its order", i, l.ChannelName, want)
			}
			full, err := s.RequestLogByID(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			n := 69 - i%70
			wantReq := ""
			if n%9 == 4 {
				wantReq = fmt.Sprint(`{"req":`, n, `}`)
			}
			if full.RequestBody != wantReq {
				t.Errorf("%s has request body %q, want %q", l.ChannelName, full.RequestBody, wantReq)
			}
		}
	})
}

func TestConcurrentRollUpsCountEveryRowOnce(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		a, b := db.open(t), db.open(t)
		old := time.Now().Add(-48 * time.Hour)
		const rows = 300
		batch := make([]RequestLog, rows)
		for i := range batch {
			batch[i] = RequestLog{Time: old.Add(time.Duration(i) * time.Second), ChannelID: 1, ChannelName: "c",
				UpstreamModel: "m", Status: 200, InputTokens: 1}
		}
		if err := a.InsertRequestLogs(ctx, batch); err != nil {
			t.Fatal(err)
		}
		// Both instances run retention at the same moment.
		var wg sync.WaitGroup
		moved := make([]int64, 4)
		for i := range moved {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.RollUp(ctx, time.Now().Add(-24*time.Hour))
				if err != nil {
					t.Error(err)
				}
				moved[i] = n
			}()
		}
		wg.Wait()
		var total int64
		for _, n := range moved {
			total += n
		}
		sum, err := b.StatsSummary(ctx, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if total != rows || sum.Requests != rows || sum.InputTokens != rows {
			t.Errorf("roll-ups moved %v rows (total %d); totals say %d requests, %d tokens; want %d each",
				moved, total, sum.Requests, sum.InputTokens, rows)
		}
	})
}
