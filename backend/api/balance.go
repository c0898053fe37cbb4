package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/routex-app/routex/backend/credit"
	"github.com/routex-app/routex/backend/logging"
	"github.com/routex-app/routex/backend/store"
)

// BalanceStore keeps each channel's last known provider balance.
type BalanceStore interface {
	ChannelBalance(ctx context.Context, channelID int64) (store.Balance, bool, error)
	Balances(ctx context.Context) (map[int64]store.Balance, error)
	SetChannelBalance(ctx context.Context, b store.Balance) (store.Balance, error)
}

// Limits of a balance query's HTTP exchange.
const (
	balanceTimeout = 10 * time.Second
	maxBalanceBody = 1 << 20
	// balanceWorkers is how many channels RefreshBalances asks at once.
	balanceWorkers = 4
)

// balanceView is a channel's balance as GET /api/channels/{id}/balance and
// GET /api/balances show it. remaining, used and reset_at are null when the
// provider does not say; error is the last refresh's failure ("" if none).
type balanceView struct {
	ChannelID int64        `json:"channel_id"`
	Channel   string       `json:"channel"`
	Remaining *float64     `json:"remaining"`
	Used      *float64     `json:"used"`
	Unit      string       `json:"unit"`
	Available *bool        `json:"available,omitempty"`
	ResetAt   *time.Time   `json:"reset_at"`
	UpdatedAt *time.Time   `json:"updated_at"`
	CheckedAt *time.Time   `json:"checked_at"`
	Error     string       `json:"error"`
	Level     credit.Level `json:"level"`
	// Provider names the query: a built-in provider, "custom", or "" when
	// the channel has none.
	Provider string `json:"provider"`
	Docs     string `json:"docs,omitempty"`
}

func (s *Server) notifyBalances() {
	if s.balanceChanged != nil {
		s.balanceChanged()
	}
}

// queryOf names a channel's balance query, or "" for none.
func queryOf(c store.Channel) (provider, docs string) {
	spec, err := credit.Plan(credit.Account{BaseURL: c.BaseURL, Key: c.Keys()[0], Query: c.BalanceQuery})
	switch {
	case errors.Is(err, credit.ErrNoQuery):
		return "", ""
	case err != nil:
		return "custom", ""
	}
	return spec.Provider, spec.Docs
}

// newBalanceView is a stored balance (ok false: never asked) as JSON.
func newBalanceView(c store.Channel, b store.Balance, ok bool, th credit.Thresholds, now time.Time) balanceView {
	v := balanceView{ChannelID: c.ID, Channel: c.Name, Level: credit.Unknown}
	v.Provider, v.Docs = queryOf(c)
	if !ok {
		return v
	}
	v.Remaining, v.Used, v.Unit, v.Available, v.Error = b.Remaining, b.Used, b.Unit, b.Available, b.Error
	v.ResetAt, v.UpdatedAt, v.CheckedAt = timePtr(b.ResetAt), timePtr(b.UpdatedAt), timePtr(b.CheckedAt)
	v.Level = credit.Assess(State(b), th, now)
	return v
}

// State is a stored balance as credit.Assess reads it.
func State(b store.Balance) credit.State {
	return credit.State{Result: credit.Result{Remaining: b.Remaining, Used: b.Used, Unit: b.Unit,
		Available: b.Available, ResetAt: b.ResetAt}, Failed: b.Error != "", CheckedAt: b.CheckedAt}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// getBalance answers GET /api/channels/{id}/balance with the cached
// balance; a channel with a query that was never asked is asked now.
func (s *Server) getBalance(w http.ResponseWriter, r *http.Request) {
	c, err := s.channelOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, found, err := s.store.ChannelBalance(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p, _ := queryOf(c); !found && p != "" {
		if b, err = s.refreshBalance(r.Context(), c); err != nil {
			s.fail(w, r, err)
			return
		}
		found = true
	}
	writeJSON(w, http.StatusOK, newBalanceView(c, b, found, s.Thresholds(r.Context()), time.Now()))
}

// refreshBalanceHandler answers POST /api/channels/{id}/balance/refresh: the
// provider is asked now. A failed query answers 200 with its error in the
// view (the last numbers kept); a channel without a query answers 422.
func (s *Server) refreshBalanceHandler(w http.ResponseWriter, r *http.Request) {
	c, err := s.channelOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p, _ := queryOf(c); p == "" {
		writeError(w, http.StatusUnprocessableEntity, "no_balance_query",
			"channel "+c.Name+" has no balance query: its provider publishes no balance endpoint Routex knows; add a custom query in the channel editor", nil)
		return
	}
	b, err := s.refreshBalance(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newBalanceView(c, b, true, s.Thresholds(r.Context()), time.Now()))
}

// listBalances answers GET /api/balances: every channel's balance and the
// thresholds the levels were judged by.
func (s *Server) listBalances(w http.ResponseWriter, r *http.Request) {
	out, th, err := s.balanceViews(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"balances": out, "thresholds": th})
}

// refreshAllBalances answers POST /api/balances/refresh: every enabled
// channel with a query is asked now, then the list is answered.
func (s *Server) refreshAllBalances(w http.ResponseWriter, r *http.Request) {
	if err := s.RefreshBalances(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.listBalances(w, r)
}

func (s *Server) balanceViews(ctx context.Context) ([]balanceView, credit.Thresholds, error) {
	th := s.Thresholds(ctx)
	chs, err := s.store.Channels(ctx)
	if err != nil {
		return nil, th, err
	}
	all, err := s.store.Balances(ctx)
	if err != nil {
		return nil, th, err
	}
	// Channels with a query that was never asked are asked now, as GET
	// /api/channels/{id}/balance does.
	var fresh []store.Channel
	for _, c := range chs {
		if _, found := all[c.ID]; !found && c.Enabled {
			if p, _ := queryOf(c); p != "" {
				fresh = append(fresh, c)
			}
		}
	}
	if len(fresh) > 0 {
		s.refreshChannels(ctx, fresh)
		if all, err = s.store.Balances(ctx); err != nil {
			return nil, th, err
		}
	}
	now := time.Now()
	out := make([]balanceView, 0, len(chs))
	for _, c := range chs {
		b, found := all[c.ID]
		out = append(out, newBalanceView(c, b, found, th, now))
	}
	return out, th, nil
}

// RefreshBalances asks every enabled channel that has a balance query, a
// few at a time, and stores the answers: the engine's schedule calls it.
// One channel's failure is stored as its error, not returned.
func (s *Server) RefreshBalances(ctx context.Context) error {
	chs, err := s.store.Channels(ctx)
	if err != nil {
		return err
	}
	var pick []store.Channel
	for _, c := range chs {
		if p, _ := queryOf(c); c.Enabled && p != "" {
			pick = append(pick, c)
		}
	}
	s.refreshChannels(ctx, pick)
	return ctx.Err()
}

// refreshChannels asks the channels' providers, balanceWorkers at a time.
func (s *Server) refreshChannels(ctx context.Context, chs []store.Channel) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, balanceWorkers)
	for _, c := range chs {
		wg.Add(1)
		sem <- struct{}{}
		go func(c store.Channel) {
			defer func() { <-sem; wg.Done() }()
			if _, err := s.refreshBalance(ctx, c); err != nil && ctx.Err() == nil {
				s.log.Warn("balance not saved", "channel", c.Name, "error", err)
			}
		}(c)
	}
	wg.Wait()
}

// refreshBalance asks the provider and stores the answer or the failure.
// The returned error is the store's; the provider's failure is in the
// stored Balance.Error.
func (s *Server) refreshBalance(ctx context.Context, c store.Channel) (store.Balance, error) {
	res, err := s.askBalance(ctx, c)
	b := store.Balance{ChannelID: c.ID}
	if err != nil {
		// A provider's error may quote what it was sent.
		b.Error = logging.RedactSecrets(err.Error(), accountSecrets(c)...)
		s.log.Info("balance query failed", "channel", c.Name, "error", b.Error)
	} else {
		b.Remaining, b.Used, b.Unit, b.Available, b.ResetAt = res.Remaining, res.Used, res.Unit, res.Available, res.ResetAt
		s.log.Info("balance refreshed", "channel", c.Name, "unit", res.Unit, "has_remaining", res.Remaining != nil)
	}
	saved, err := s.store.SetChannelBalance(ctx, b)
	if err != nil {
		return saved, err
	}
	s.notifyBalances()
	return saved, nil
}

// askBalance sends the channel's balance query and reads the answers.
func (s *Server) askBalance(ctx context.Context, c store.Channel) (credit.Result, error) {
	spec, err := credit.Plan(credit.Account{BaseURL: c.BaseURL, Key: c.Keys()[0], Query: c.BalanceQuery})
	if err != nil {
		return credit.Result{}, err
	}
	answers := make([]credit.Answer, len(spec.Requests))
	for i, req := range spec.Requests {
		answers[i] = s.sendBalanceRequest(ctx, req)
	}
	return spec.Parse(answers, time.Now())
}

// sendBalanceRequest is the one place a balance query touches the network:
// the proxy's upstream client (redirects refused), a time limit, a size
// limit.
func (s *Server) sendBalanceRequest(ctx context.Context, r credit.Request) credit.Answer {
	ctx, cancel := context.WithTimeout(ctx, balanceTimeout)
	defer cancel()
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return credit.Answer{Err: err}
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := s.upstreamClient().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return credit.Answer{Err: redactURLError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBalanceBody+1))
	switch {
	case err != nil:
		return credit.Answer{Err: fmt.Errorf("reading the answer: %w", err)}
	case len(data) > maxBalanceBody:
		return credit.Answer{Err: fmt.Errorf("the answer is larger than %d bytes", maxBalanceBody)}
	}
	return credit.Answer{Status: resp.StatusCode, Body: data}
}

// redactURLError drops the URL from a client error: a custom query may
// carry the key in its query string.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// channelOf reads the channel named by the {id} path value.
func (s *Server) channelOf(r *http.Request) (store.Channel, error) {
	id, err := channelID(r)
	if err != nil {
		return store.Channel{}, err
	}
	return s.store.Channel(r.Context(), id)
}

// thresholdsSetting is the settings key of the balance thresholds.
const thresholdsSetting = "balance_thresholds"

// Thresholds are the user's balance thresholds from the settings, or the
// defaults (warn below USD 1 / CNY 5, skip at nothing left).
func (s *Server) Thresholds(ctx context.Context) credit.Thresholds {
	th := credit.DefaultThresholds()
	raw, found, err := s.store.Setting(ctx, thresholdsSetting)
	if err != nil || !found {
		return th
	}
	var saved credit.Thresholds
	if json.Unmarshal([]byte(raw), &saved) != nil {
		return th
	}
	if saved.Warn != nil {
		th.Warn = saved.Warn
	}
	if saved.Floor != nil {
		th.Floor = saved.Floor
	}
	return th
}
