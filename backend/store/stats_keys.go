package store

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// KeyStats is one key's share of the traffic over a range. KeyID 0 gathers
// the requests made with the access key. KeyName is the most recent name
// logged for the id.
type KeyStats struct {
	KeyID                                       int64
	KeyName                                     string
	Requests, Failed                            int64
	Share, SuccessRate, AvgLatencyMS, AvgTTFTMS float64
	CostUSD                                     float64
	InputTokens, OutputTokens                   int64
}

// StatsKeys returns per-key totals over [from, to) (zero ends are open),
// most requests first, daily totals of rolled-up rows included. Shares add
// up to 1 when there are requests.
func (s *Store) StatsKeys(ctx context.Context, from, to time.Time) ([]KeyStats, error) {
	dCond, dArgs := rangeSQL("time", from, to)
	yCond, yArgs := rangeSQL("day", from, to)
	rows, err := s.db.QueryContext(ctx, `SELECT 0, key_id, `+s.d.newest("key_name", "id")+`, MAX(id), `+detailAgg+`
		FROM request_logs WHERE `+dCond+` GROUP BY key_id
		UNION ALL SELECT 1, key_id, `+s.d.newest("key_name", "last_time")+`, MAX(last_time), `+dailyAgg+`
		FROM request_daily WHERE `+yCond+` GROUP BY key_id`, append(dArgs, yArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: stats keys in %s: %w", s.path, err)
	}
	byID, names, err := scanTotalsByID(rows)
	if err != nil {
		return nil, fmt.Errorf("store: stats keys in %s: %w", s.path, err)
	}
	var all int64
	for _, t := range byID {
		all += t.requests
	}
	out := make([]KeyStats, 0, len(byID))
	for id, t := range byID {
		out = append(out, KeyStats{
			KeyID: id, KeyName: names[id], Requests: t.requests, Failed: t.failed,
			Share: ratio(t.requests, all), SuccessRate: t.successRate(), AvgLatencyMS: t.avgLatency(),
			AvgTTFTMS: t.avgTTFT(), CostUSD: t.cost, InputTokens: t.in, OutputTokens: t.out,
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Requests != out[j].Requests {
			return out[i].Requests > out[j].Requests
		}
		return out[i].KeyID < out[j].KeyID
	})
	return out, nil
}
