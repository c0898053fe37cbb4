package store

import (
	"context"
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
	ids, err := s.statsByID(ctx, "keys", "key_id", "key_name", from, to)
	if err != nil {
		return nil, err
	}
	out := make([]KeyStats, 0, len(ids))
	for _, t := range ids {
		out = append(out, KeyStats{
			KeyID: t.id, KeyName: t.name, Requests: t.requests, Failed: t.failed,
			Share: t.share, SuccessRate: t.successRate(), AvgLatencyMS: t.avgLatency(),
			AvgTTFTMS: t.avgTTFT(), CostUSD: t.cost, InputTokens: t.in, OutputTokens: t.out,
		})
	}
	return out, nil
}
