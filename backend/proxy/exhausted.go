package proxy

import (
	"time"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/store"
)

// skippedPrefix starts the reason a skipped channel shows in the request
// log's attempts and in explain.
const skippedPrefix = "skipped: "

// attempts is the request log's list of what was tried: the channels
// skipped for an exhausted balance first, then those passed over while
// unavailable (paused, probing, rate-limited) at the request's start
// before the one that served among the first tried, then the failed
// attempts.
func (q *request) attempts(tried int, failed []failure) []store.Attempt {
	h, p := q.h, &q.plan
	out := append(h.skipped(p, tried, q.rec.Time), attemptsOf(failed)...)
	if len(p.skipped) == 0 {
		return out
	}
	all := make([]store.Attempt, 0, len(p.skipped)+len(out))
	for _, c := range p.skipped {
		all = append(all, store.Attempt{ChannelID: c.ChannelID, ChannelName: p.channel(c).Name, Model: c.Model,
			Skipped: balance.SkipExhausted, Error: skippedPrefix + h.skipReason(c.ChannelID)})
	}
	return append(all, out...)
}

// skipReason is why a channel is skipped, as the balancer holds it.
func (h *Handler) skipReason(id int64) string {
	if why := h.bal.Exhausted(id); why != "" {
		return why
	}
	return "balance exhausted"
}

// explainSkipped adds the skipped candidates to an explanation, after the
// ones a request would try, with the reason.
func (h *Handler) explainSkipped(out *Explanation, p plan, f protocol.Format, model string) {
	for _, c := range p.skipped {
		ch := p.channel(c)
		why := h.skipReason(ch.ID)
		out.Targets = append(out.Targets, ExplainTarget{
			ChannelID: ch.ID, Channel: ch.Name, Type: ch.Type, Model: c.Model,
			Converted: ch.Type != string(f), Available: false, Health: h.bal.Health(ch.ID, time.Now()).State,
			Skipped: balance.SkipExhausted, Serves: len(ch.Models) == 0 || serves(ch, model),
		})
		out.Reasons = append(out.Reasons, ch.Name+" "+skippedPrefix+why)
	}
}
