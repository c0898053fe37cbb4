package api

import (
	"context"
	"net/http"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// LatencyStore is what GET /api/stats/latency needs; *store.Store
// implements it.
type LatencyStore interface {
	ChannelLatencies(ctx context.Context, from, to time.Time) (map[int64]store.ChannelLatency, error)
}

// latencyView is one channel's recent service, for the channel list.
type latencyView struct {
	ChannelID   int64   `json:"channel_id"`
	Requests    int64   `json:"requests"`
	Failed      int64   `json:"failed"`
	SuccessRate float64 `json:"success_rate"`
	P50TTFTMS   float64 `json:"p50_ttft_ms"`
}

// channelLatencies answers GET /api/stats/latency?range=1h (the default;
// any range the other stats take) with each channel's success rate and
// median time to first token, from the request log.
func (s *Server) channelLatencies(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("range") == "" && q.Get("from") == "" {
		q.Set("range", "1h")
	}
	from, to, err := s.statsRange(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	by, err := s.store.ChannelLatencies(r.Context(), from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]latencyView, 0, len(by))
	for _, l := range by {
		out = append(out, latencyView{ChannelID: l.ChannelID, Requests: l.Requests, Failed: l.Failed,
			SuccessRate: l.SuccessRate, P50TTFTMS: l.P50TTFTMS})
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from.UTC(), "to": to.UTC(), "channels": out})
}
