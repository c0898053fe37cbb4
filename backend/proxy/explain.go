package proxy

import (
	"errors"
	"net/http"
	"time"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/route"
)

// Explanation answers "where would this request go, and why": the routing
// decision and the candidates in the order a real request would try them,
// from the same code a real request runs.
type Explanation struct {
	Format     string   `json:"format"`
	Model      string   `json:"model"`
	Scenario   string   `json:"scenario"`
	Rule       string   `json:"rule,omitempty"`
	Strategy   string   `json:"strategy"`
	SessionKey string   `json:"session_key,omitempty"`
	Reasons    []string `json:"reasons"`
	// Why is Reasons as codes with parameters, for the dashboard and the
	// CLI to say in the user's language.
	Why     []route.Reason  `json:"why"`
	Targets []ExplainTarget `json:"targets"`
	Summary route.Summary   `json:"summary"`
}

// ExplainTarget is one candidate channel of an explanation.
type ExplainTarget struct {
	ChannelID int64  `json:"channel_id"`
	Channel   string `json:"channel"`
	Type      string `json:"type"`
	Model     string `json:"model"`
	// Converted is true when the channel speaks another format than the
	// client, so Routex converts.
	Converted bool `json:"converted"`
	// Available is false while the channel's breaker is open or it cools
	// down after a 429; it is then tried only after the available ones.
	Available bool   `json:"available"`
	Health    string `json:"health"`
	// Skipped says why an unavailable channel is tried last (paused,
	// probing, rate_limited); Until is when it may serve again.
	Skipped string     `json:"skipped,omitempty"`
	Until   *time.Time `json:"until,omitempty"`
	// Serves is false when the channel lists its models and the client's
	// is not among them (nor in its model map): Model is then the
	// channel's own choice, not what the client asked for.
	Serves bool `json:"serves"`
}

// Explain routes a request body without sending it. model is needed for
// Gemini bodies, whose model is in the URL; for the others it defaults to
// the body's model field.
func (h *Handler) Explain(f protocol.Format, model string, body []byte, hdr http.Header) (Explanation, error) {
	if !gjson.ValidBytes(body) || !gjson.ParseBytes(body).IsObject() {
		return Explanation{}, errors.New("the request body must be a JSON object, as a client would send it")
	}
	facts := route.ReadFacts(f, body, protocol.FactsOptions{Detail: protocol.FactsTop})
	if model == "" {
		model = facts.Model
	}
	in := inbound{format: f, body: body, model: model, stream: facts.Stream}
	p := h.plan(in, hdr, true)
	out := Explanation{
		Format: string(f), Model: model, Scenario: p.decision.Scenario, Rule: p.decision.Rule,
		Strategy: p.decision.Strategy, SessionKey: p.session, Reasons: p.decision.Reasons, Why: p.decision.Why,
		Summary: p.summary, Targets: []ExplainTarget{},
	}
	if out.Reasons == nil {
		out.Reasons, out.Why = []string{}, []route.Reason{}
	}
	now := time.Now()
	for _, c := range p.order {
		ch := p.channel(c)
		hl := h.bal.Health(ch.ID, now)
		why := h.bal.Why(c, now)
		t := ExplainTarget{
			ChannelID: ch.ID, Channel: ch.Name, Type: ch.Type, Model: c.Model,
			Converted: ch.Type != string(f),
			Available: why.Reason == "",
			Health:    hl.State,
			Skipped:   why.Reason,
			Serves:    len(ch.Models) == 0 || serves(ch, model),
		}
		if !why.Until.IsZero() {
			u := why.Until.UTC()
			t.Until = &u
		}
		out.Targets = append(out.Targets, t)
	}
	h.explainSkipped(&out, p, f, model)
	return out, nil
}
