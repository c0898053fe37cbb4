package proxy

import (
	"log/slog"
	"net/http"
	"testing"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/protocol"
)

// The balancer sees a channel only as a balance.Candidate: its weight must
// come along, and the plan must find the channel again from the id. Under
// the weighted strategy a weight of 0 is a last resort, so the route's
// first channel, weighted 0, always goes after the second, weighted 5.
func TestPlanCarriesChannelWeightsAndFindsChannels(t *testing.T) {
	t.Parallel()
	cat := benchCatalog()
	cat.Channels[0].Weight, cat.Channels[1].Weight = 0, 5
	cat.Routes.Strategy = balance.Weighted
	h := New(Options{AccessKey: "k", Logger: slog.New(slog.DiscardHandler)}, fixedCatalog{cat})
	body := []byte(`{"model":"claude-opus-4-8","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}`)
	in := inbound{format: protocol.Anthropic, body: body, model: "claude-opus-4-8", path: "/v1/messages"}
	for range 20 {
		p := h.plan(in, http.Header{}, false)
		if p.decision.Strategy != balance.Weighted || len(p.order) != 2 {
			t.Fatalf("strategy %q, order %+v", p.decision.Strategy, p.order)
		}
		first, second := p.channel(p.order[0]), p.channel(p.order[1])
		if first != &cat.Channels[1] || second != &cat.Channels[0] {
			t.Fatalf("order %+v: want deepseek (weight 5) before anthropic (weight 0)", p.order)
		}
		if p.order[0].Model != "deepseek-chat" || p.order[0].Weight != 5 {
			t.Fatalf("candidate %+v", p.order[0])
		}
		if p.channelByID(1) != &cat.Channels[0] || p.channelByID(3) != nil {
			t.Fatal("channelByID does not find the plan's channels by id")
		}
	}
}
