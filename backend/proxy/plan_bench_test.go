package proxy

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/balance"
	testfixture "github.com/routex-app/routex/backend/internal/fixture"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/route"
	"github.com/routex-app/routex/backend/store"
)

// Per-request routing cost: what every request pays before its first byte
// goes upstream. Run with
//
//	go test -run '^$' -bench 'RouteAndBalance|Plan' -benchmem ./backend/proxy

// fixedCatalog is a CatalogSource that never changes, so the routing
// snapshot is compiled once, as between two edits in a running engine.
type fixedCatalog struct{ c *store.Catalog }

func (f fixedCatalog) Catalog() *store.Catalog { return f.c }

// benchCatalog has two channels and a default route over both, no rules:
// the common setup of a user with a main account and a fallback.
func benchCatalog() *store.Catalog {
	routes := store.DefaultRoutes()
	routes.Scenarios["default"] = []string{"anthropic,claude-opus-4-8", "deepseek,deepseek-chat"}
	return &store.Catalog{
		Channels: []store.Channel{
			{ID: 1, Name: "anthropic", Type: "anthropic", BaseURL: "https://api.anthropic.com", APIKey: "sk-a", Priority: 1, Weight: 1, Enabled: true},
			{ID: 2, Name: "deepseek", Type: "openai", BaseURL: "https://api.deepseek.com/v1", APIKey: "sk-d", Priority: 2, Weight: 1, Enabled: true},
		},
		Routes: routes,
	}
}

// claudeCodeRequest is the captured Claude Code request: its body and
// headers.
func claudeCodeRequest(b *testing.B) ([]byte, http.Header) {
	b.Helper()
	fx := testfixture.ClaudeCode(b)
	h := fx.Header()
	return fx.Body, h
}

// BenchmarkRouteAndBalance is route selection plus balancing for a request
// already summarized: Select (the no-rule path: thinking is on but the
// think route is empty, so it falls through to default), the candidates of
// the decision, and the balancer's order with the session bound. Target:
// well under 10 µs and at most 2 allocations (the candidate list and the
// ordered copy).
func BenchmarkRouteAndBalance(b *testing.B) {
	body, hdr := claudeCodeRequest(b)
	snap := compileSnapshot(benchCatalog(), slog.New(slog.DiscardHandler))
	s := route.Summarize(protocol.Anthropic, "", body, hdr)
	session := route.SessionKey(&s)
	if session == "" {
		b.Fatal("the fixture has no session key")
	}
	for _, strategy := range []string{balance.Priority, balance.RoundRobin, balance.Weighted, balance.LeastUsed, balance.Latency} {
		b.Run(strategy, func(b *testing.B) {
			bal := balance.New(balance.Options{Seed: 1})
			bal.Bind(session, 1)
			b.ReportAllocs()
			for b.Loop() {
				d := snap.table.Select(&s, snap.known, false)
				d.Strategy = strategy
				cands := snap.candidates(d, protocol.Anthropic, s.Model)
				if order := bal.Order(d.Strategy, cands, session, time.Now()); len(order) != 2 {
					b.Fatalf("order %v", order)
				}
			}
		})
	}
}

// BenchmarkPlan is the whole routing step of a request as request.serve runs it,
// Summarize of the 30 KB body included, for reference.
func BenchmarkPlan(b *testing.B) {
	body, hdr := claudeCodeRequest(b)
	h := New(Options{AccessKey: "k", Logger: slog.New(slog.DiscardHandler)}, fixedCatalog{benchCatalog()})
	in := inbound{format: protocol.Anthropic, body: body, model: "claude-opus-4-8", stream: true, path: "/v1/messages"}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if p := h.plan(in, hdr, false); len(p.order) != 2 || p.decision.Scenario != route.ScenarioDefault {
			b.Fatalf("plan %+v", p.decision)
		}
	}
}
