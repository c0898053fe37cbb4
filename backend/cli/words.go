package cli

import (
	"strings"
	"time"

	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/channeltest"
	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/route"
)

// The CLI says what the dashboard says, from the same locale keys: health
// in plain words (health.*), routing reasons (routing.reasons.*) and
// connection-test notes (channels.test.codes.*, channels.test.hints.*).

// healthWords is a channel's health as the dashboard words it: "Healthy",
// "Failing — paused, retrying in 25 s", "Disabled"; "-" when the engine
// does not run (nothing is known).
func healthWords(tr *i18n.Translator, enabled bool, h *wire.ChannelHealth, now time.Time) string {
	if !enabled {
		return tr.T("health.disabled")
	}
	if h == nil || h.Status == "" {
		return "-"
	}
	if h.CooldownUntil != nil && h.CooldownUntil.After(now) {
		in := h.CooldownUntil.Sub(now).Round(time.Second).String()
		switch h.Status {
		case wire.HealthPaused:
			return tr.T("health.pausedUntil", "in", in)
		case wire.HealthRateLimited:
			return tr.T("health.rateLimitedUntil", "in", in)
		}
	}
	return tr.T("health." + h.Status)
}

// reasonWords says a routing reason in the translator's language.
func reasonWords(tr *i18n.Translator, r route.Reason) string {
	pairs := make([]string, 0, 2*len(r.Params)+2)
	for k, v := range r.Params {
		pairs = append(pairs, k, v)
	}
	if len(r.Conditions) > 0 {
		parts := make([]string, len(r.Conditions))
		for i, c := range r.Conditions {
			parts[i] = reasonWords(tr, c)
		}
		pairs = append(pairs, "conditions", strings.Join(parts, tr.T("routing.reasons.separator")))
	}
	return tr.T("routing.reasons."+r.Code, pairs...)
}

// noteWords says a connection test's note in the translator's language.
func noteWords(tr *i18n.Translator, res channeltest.Result) string {
	n := res.Note
	if n.Code == "" {
		return res.Message
	}
	pairs := make([]string, 0, 2*len(n.Params))
	for k, v := range n.Params {
		pairs = append(pairs, k, v)
	}
	s := tr.T("channels.test.codes."+n.Code, pairs...)
	if n.Hint != "" {
		s += tr.T("channels.test.hintSeparator") + tr.T("channels.test.hints."+n.Hint)
	}
	if res.StreamFailed {
		s = tr.T("channels.test.streamFailed", "message", s)
	}
	return s
}
