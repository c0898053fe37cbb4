package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// LogStore keeps the request log.
type LogStore interface {
	ListRequestLogs(ctx context.Context, f store.LogFilter) ([]store.RequestLog, int64, error)
	RequestLogByID(ctx context.Context, id int64) (store.RequestLog, error)
}

// observeAPI holds what the log, stats, price and live event endpoints use
// beyond the Store.
type observeAPI struct {
	events        http.Handler
	pricesChanged func(ctx context.Context)
	now           func() time.Time
}

// observeRoutes registers the request log, stats, price and event endpoints.
func (s *Server) observeRoutes() {
	s.mux.HandleFunc("GET /api/logs", s.listLogs)
	s.mux.HandleFunc("GET /api/logs/{id}", s.getLog)
	s.mux.HandleFunc("GET /api/stats/summary", s.statsSummary)
	s.mux.HandleFunc("GET /api/stats/timeline", s.statsTimeline)
	s.mux.HandleFunc("GET /api/stats/channels", s.statsChannels)
	s.mux.HandleFunc("GET /api/stats/keys", s.statsKeys)
	s.mux.HandleFunc("GET /api/prices", s.listPrices)
	s.mux.HandleFunc("PUT /api/prices", s.putPrice)
	s.mux.HandleFunc("DELETE /api/prices", s.deletePrice)
	s.mux.HandleFunc("DELETE /api/prices/{model...}", s.deletePrice)
	s.mux.HandleFunc("GET /api/events", func(w http.ResponseWriter, r *http.Request) {
		if s.obs.events == nil {
			writeError(w, http.StatusNotImplemented, "not_implemented", "live events are not available in this build", nil)
			return
		}
		s.obs.events.ServeHTTP(w, r)
	})
}

// logView is a request log as the API shows it. Bodies appear only on
// GET /api/logs/{id}.
type logView struct {
	ID               int64           `json:"id"`
	Time             time.Time       `json:"time"`
	Format           string          `json:"format"`
	UpstreamFormat   string          `json:"upstream_format"`
	ChannelID        int64           `json:"channel_id"`
	Channel          string          `json:"channel"`
	ClientModel      string          `json:"client_model"`
	UpstreamModel    string          `json:"upstream_model"`
	Status           int             `json:"status"`
	Stream           bool            `json:"stream"`
	LatencyMS        int64           `json:"latency_ms"`
	TTFTMS           int64           `json:"ttft_ms"`
	OutputTPS        float64         `json:"output_tps"`
	InputTokens      int64           `json:"input_tokens"`
	OutputTokens     int64           `json:"output_tokens"`
	CacheReadTokens  int64           `json:"cache_read_tokens"`
	CacheWriteTokens int64           `json:"cache_write_tokens"`
	UsageEstimated   bool            `json:"usage_estimated"`
	CostUSD          float64         `json:"cost_usd"`
	RequestBytes     int64           `json:"request_bytes"`
	ResponseBytes    int64           `json:"response_bytes"`
	Scenario         string          `json:"scenario"`
	Rule             string          `json:"rule"`
	Attempts         []store.Attempt `json:"attempts"`
	Error            string          `json:"error"`
	UserAgent        string          `json:"user_agent"`
	SessionKey       string          `json:"session_key"`
	KeyID            int64           `json:"key_id"`
	KeyName          string          `json:"key_name"`
	Instance         string          `json:"instance"`
	RequestBody      *string         `json:"request_body,omitempty"`
	ResponseBody     *string         `json:"response_body,omitempty"`
}

func newLogView(l store.RequestLog, bodies bool) logView {
	v := logView{ID: l.ID, Time: l.Time.UTC(), Format: l.Format, UpstreamFormat: l.UpstreamFormat,
		ChannelID: l.ChannelID, Channel: l.ChannelName, ClientModel: l.ClientModel, UpstreamModel: l.UpstreamModel,
		Status: l.Status, Stream: l.Stream, LatencyMS: l.LatencyMS, TTFTMS: l.TTFTMS, OutputTPS: l.OutputTPS,
		InputTokens: l.InputTokens, OutputTokens: l.OutputTokens, CacheReadTokens: l.CacheReadTokens,
		CacheWriteTokens: l.CacheWriteTokens, UsageEstimated: l.UsageEstimated, CostUSD: l.CostUSD,
		RequestBytes: l.RequestBytes, ResponseBytes: l.ResponseBytes, Scenario: l.Scenario, Rule: l.Rule,
		Attempts: l.Attempts, Error: l.Error, UserAgent: l.UserAgent, SessionKey: l.SessionKey,
		KeyID: l.KeyID, KeyName: l.KeyName, Instance: l.Instance}
	if v.Attempts == nil {
		v.Attempts = []store.Attempt{}
	}
	if bodies {
		v.RequestBody, v.ResponseBody = &l.RequestBody, &l.ResponseBody
	}
	return v
}

// listLogs answers GET /api/logs?from&to&channel_id&key_id&instance&model&status&scenario&q&cursor&limit
// with {"logs":[…],"next_cursor":n}; next_cursor 0 means the last page.
func (s *Server) listLogs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ve := ValidationError{}
	f := store.LogFilter{
		From: parseTime(ve, "from", q.Get("from")), To: parseTime(ve, "to", q.Get("to")),
		ChannelID: parseInt(ve, "channel_id", q.Get("channel_id")),
		Model:     strings.TrimSpace(q.Get("model")), Status: strings.TrimSpace(q.Get("status")),
		Scenario: strings.TrimSpace(q.Get("scenario")), Query: strings.TrimSpace(q.Get("q")),
		KeyID: parseInt(ve, "key_id", q.Get("key_id")), Instance: strings.TrimSpace(q.Get("instance")),
		Cursor: parseInt(ve, "cursor", q.Get("cursor")), Limit: int(parseInt(ve, "limit", q.Get("limit"))),
	}
	if len(ve) > 0 {
		s.fail(w, r, ve)
		return
	}
	logs, next, err := s.store.ListRequestLogs(r.Context(), f)
	if err != nil {
		s.failObserve(w, r, err, "")
		return
	}
	views := make([]logView, len(logs))
	for i, l := range logs {
		views[i] = newLogView(l, false)
	}
	writeJSON(w, http.StatusOK, map[string]any{"logs": views, "next_cursor": next})
}

// getLog answers GET /api/logs/{id} with the log, its attempts and any
// captured bodies.
func (s *Server) getLog(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, "not_found", "no such request log: ids are positive integers", nil)
		return
	}
	l, err := s.store.RequestLogByID(r.Context(), id)
	if err != nil {
		s.failObserve(w, r, err, "no such request log: it may have been rolled up into daily totals")
		return
	}
	writeJSON(w, http.StatusOK, newLogView(l, true))
}

// failObserve maps the store's errors for logs, stats and prices.
func (s *Server) failObserve(w http.ResponseWriter, r *http.Request, err error, notFound string) {
	switch {
	case errors.Is(err, store.ErrInvalidFilter):
		msg := err.Error()
		if i := strings.Index(msg, store.ErrInvalidFilter.Error()+": "); i >= 0 {
			msg = msg[i+len(store.ErrInvalidFilter.Error())+2:]
		}
		writeError(w, http.StatusBadRequest, "validation_error", msg, nil)
	case errors.Is(err, store.ErrNotFound) && notFound != "":
		writeError(w, http.StatusNotFound, "not_found", notFound, nil)
	default:
		s.fail(w, r, err)
	}
}

// parseTime reads an RFC 3339 time or Unix milliseconds; "" is zero.
func parseTime(ve ValidationError, field, v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms)
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		ve.add(field, "invalid_time", "%s must be an RFC 3339 time (2026-01-02T15:04:05Z) or Unix milliseconds, not %q", field, v)
	}
	return t
}

func parseInt(ve ValidationError, field, v string) int64 {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		ve.add(field, "invalid_number", "%s must be a whole number >= 0, not %q", field, v)
	}
	return n
}
