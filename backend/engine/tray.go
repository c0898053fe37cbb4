package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/routex-app/routex/backend/tray"
)

// How often the tray's slower facts are re-read: the request count is an
// SQL aggregate and the client statuses read settings files, so they are
// not worth reading on every one-second poll.
const (
	trayStatsEvery    = 30 * time.Second
	trayClaudeEvery   = 5 * time.Second
	trayBalancesEvery = time.Minute
)

// TrayBridge gives the tray the engine's state and carries out its clicks.
// Every change goes through the in-process admin API, so a click does
// exactly what the dashboard does (PUT /api/active, POST
// /api/clients/{claude,codex}/attach, PUT /api/settings). It implements
// tray.Source and all of tray.Actions but the window's two (OpenDashboard,
// Quit). Safe for concurrent use.
type TrayBridge struct {
	e *Engine
	h http.Handler

	mu       sync.Mutex
	statsAt  time.Time
	requests int
	claudeAt time.Time
	claude   string
	codex    string
	// balances are the channels' balances by id, re-read when the engine
	// re-read them (balGen) or every trayBalancesEvery.
	balAt    time.Time
	balGen   int64
	balances map[int64]tray.Balance
}

// TrayBridge returns the tray's view of e.
func (e *Engine) TrayBridge() *TrayBridge {
	return &TrayBridge{e: e, h: e.DesktopHandler(), requests: -1}
}

// TrayState reads the channels and the active provider from the store's
// in-memory catalog and the breakers from the balancer: cheap enough to
// poll every second.
func (b *TrayBridge) TrayState(ctx context.Context) (tray.State, error) {
	cat := b.e.store.Catalog()
	lang := b.e.api.Language()
	if lang == "" {
		lang = b.e.cfg.Language
	}
	s := tray.State{URL: b.e.URL(), Language: lang}
	now := time.Now()
	active := ""
	if d := cat.Routes.Scenarios["default"]; len(d) > 0 {
		active, _, _ = strings.Cut(d[0], ",")
	}
	balances := b.balancesNow(ctx, now)
	for _, c := range cat.Channels {
		s.Channels = append(s.Channels, tray.Channel{ID: c.ID, Name: c.Name, Type: c.Type, Enabled: c.Enabled,
			Health: b.e.bal.Health(c.ID, now).State})
		if bal, ok := balances[c.ID]; ok {
			s.Channels[len(s.Channels)-1].Balance = &bal
		}
		if c.Name == active {
			s.ActiveID = c.ID
		}
	}
	s.Requests24h, s.ClaudeStatus, s.CodexStatus = b.slowFacts(ctx, now)
	return s, nil
}

// slowFacts returns the cached request count and the Claude Code and
// Codex CLI statuses, refreshing each when it is old.
func (b *TrayBridge) slowFacts(ctx context.Context, now time.Time) (int, string, string) {
	b.mu.Lock()
	stale := now.Sub(b.statsAt) >= trayStatsEvery
	claudeStale := now.Sub(b.claudeAt) >= trayClaudeEvery
	b.mu.Unlock()
	if stale {
		var sum struct {
			Requests *int `json:"requests"`
		}
		n := -1
		if b.call(ctx, http.MethodGet, "/api/stats/summary?range=24h", nil, &sum) == nil && sum.Requests != nil {
			n = *sum.Requests
		}
		b.mu.Lock()
		b.requests, b.statsAt = n, now
		b.mu.Unlock()
	}
	if claudeStale {
		var cl map[string]struct {
			Status string `json:"status"`
		}
		if b.call(ctx, http.MethodGet, "/api/clients", nil, &cl) != nil {
			cl = nil
		}
		b.mu.Lock()
		b.claude, b.codex, b.claudeAt = cl["claude"].Status, cl["codex"].Status, now
		b.mu.Unlock()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.requests, b.claude, b.codex
}

// balancesNow returns the cached balances, re-reading GET /api/balances
// when they are old. A channel without a query or an amount has none.
func (b *TrayBridge) balancesNow(ctx context.Context, now time.Time) map[int64]tray.Balance {
	gen := b.e.balanceGen.Load()
	b.mu.Lock()
	stale := now.Sub(b.balAt) >= trayBalancesEvery || gen != b.balGen
	b.mu.Unlock()
	if stale {
		var doc struct {
			Balances []struct {
				ChannelID int64    `json:"channel_id"`
				Remaining *float64 `json:"remaining"`
				Unit      string   `json:"unit"`
				Level     string   `json:"level"`
				Provider  string   `json:"provider"`
			} `json:"balances"`
		}
		m := map[int64]tray.Balance{}
		if b.call(ctx, http.MethodGet, "/api/balances", nil, &doc) == nil {
			for _, v := range doc.Balances {
				if v.Provider != "" && v.Remaining != nil {
					m[v.ChannelID] = tray.Balance{Remaining: *v.Remaining, Unit: v.Unit, Level: v.Level}
				}
			}
		}
		b.mu.Lock()
		b.balances, b.balAt, b.balGen = m, now, gen
		b.mu.Unlock()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.balances
}

// SetActive makes the channel the active provider, as PUT /api/active does.
func (b *TrayBridge) SetActive(channelID int64) error {
	return b.call(context.Background(), http.MethodPut, "/api/active", map[string]any{"channel_id": channelID}, nil)
}

// AttachClaude points Claude Code at the engine.
func (b *TrayBridge) AttachClaude() error {
	defer b.forgetClaude()
	return b.call(context.Background(), http.MethodPost, "/api/clients/claude/attach", map[string]any{"mode": "proxy"}, nil)
}

// DetachClaude restores Claude Code's own settings.
func (b *TrayBridge) DetachClaude() error {
	defer b.forgetClaude()
	return b.call(context.Background(), http.MethodPost, "/api/clients/claude/detach", nil, nil)
}

// AttachCodex points Codex CLI at the engine.
func (b *TrayBridge) AttachCodex() error {
	defer b.forgetClaude()
	return b.call(context.Background(), http.MethodPost, "/api/clients/codex/attach", map[string]any{"mode": "proxy"}, nil)
}

// DetachCodex restores Codex CLI's own config.toml.
func (b *TrayBridge) DetachCodex() error {
	defer b.forgetClaude()
	return b.call(context.Background(), http.MethodPost, "/api/clients/codex/detach", nil, nil)
}

// SetLanguage saves the dashboard and tray language.
func (b *TrayBridge) SetLanguage(lang string) error {
	return b.call(context.Background(), http.MethodPut, "/api/settings", map[string]any{"language": lang}, nil)
}

// forgetClaude makes the next poll re-read the client statuses a click
// changed.
func (b *TrayBridge) forgetClaude() {
	b.mu.Lock()
	b.claudeAt = time.Time{}
	b.mu.Unlock()
}

// call sends one request to the admin API in-process and decodes the
// answer into out (when not nil); a non-2xx answer is an error carrying
// the API's message.
func (b *TrayBridge) call(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return fmt.Errorf("tray: %s %s: %w", method, path, err)
		}
	}
	req := httptest.NewRequestWithContext(ctx, method, path, &body)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	if rec.Code/100 != 2 {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		json.Unmarshal(rec.Body.Bytes(), &e)
		return fmt.Errorf("tray: %s %s: HTTP %d: %s", method, path, rec.Code, e.Error.Message)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			return fmt.Errorf("tray: %s %s: %w", method, path, err)
		}
	}
	return nil
}
