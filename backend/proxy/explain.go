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
	Format     string          `json:"format"`
	Model      string          `json:"model"`
	Scenario   string          `json:"scenario"`
	Rule       string          `json:"rule,omitempty"`
	Strategy   string          `json:"strategy"`
	SessionKey string          `json:"session_key,omitempty"`
	Reasons    []string        `json:"reasons"`
	Targets    []ExplainTarget `json:"targets"`
	Summary    route.Summary   `json:"summary"`
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
	// Skipped says why the channel is left out ("balance exhausted …");
	// skipped targets come last and are not tried.
	Skipped string `json:"skipped,omitempty"`
}

// Explain routes a request body without sending it. model is needed for
// Gemini bodies, whose model is in the URL; for the others it defaults to
// the body's model field.
func (h *Handler) Explain(f protocol.Format, model string, body []byte, hdr http.Header) (Explanation, error) {
	if !gjson.ValidBytes(body) || !gjson.ParseBytes(body).IsObject() {
		return Explanation{}, errors.New("the request body must be a JSON object, as a client would send it")
	}
	if model == "" {
		model = gjson.GetBytes(body, "model").String()
	}
	in := inbound{format: f, body: body, model: model, stream: gjson.GetBytes(body, "stream").Bool()}
	p := h.plan(in, hdr, true)
	out := Explanation{
		Format: string(f), Model: model, Scenario: p.decision.Scenario, Rule: p.decision.Rule,
		Strategy: p.decision.Strategy, SessionKey: p.session, Reasons: p.decision.Reasons,
		Summary: p.summary, Targets: []ExplainTarget{},
	}
	if out.Reasons == nil {
		out.Reasons = []string{}
	}
	now := time.Now()
	for _, c := range p.order {
		hl := h.bal.Health(c.Channel.ID, now)
		out.Targets = append(out.Targets, ExplainTarget{
			ChannelID: c.Channel.ID, Channel: c.Channel.Name, Type: c.Channel.Type, Model: c.Model,
			Converted: c.Channel.Type != string(f),
			Available: hl.State != "open" && !hl.CooldownUntil.After(now),
			Health:    hl.State,
		})
	}
	h.explainSkipped(&out, p, f)
	return out, nil
}
