package api

import (
	"encoding/json"
	"strings"

	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/credit"
	"github.com/routex-app/routex/backend/logging"
	"github.com/routex-app/routex/backend/store"
)

// claudeModelsView is a channel's Claude Code slots in its JSON; nil when
// none is set.
func claudeModelsView(m store.ClaudeModels) *wire.ClaudeModels {
	if m.IsZero() {
		return nil
	}
	return &wire.ClaudeModels{Model: m.Model, Opus: m.Opus, Sonnet: m.Sonnet, Haiku: m.Haiku, SmallFast: m.SmallFast}
}

// balanceQueryView is a channel's balance query in its JSON, its header
// values shown as previews and a password in its URL hidden, as the
// channel's own headers and base_url are; nil for the built-in query.
func balanceQueryView(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	q, err := credit.ParseQuery(raw)
	if err != nil {
		return raw // shown as stored, so the editor can fix it
	}
	q.URL = logging.RedactURL(q.URL)
	q.Headers = redactQueryHeaders(q.Headers)
	b, err := json.Marshal(q)
	if err != nil {
		return nil
	}
	return b
}

// redactQueryHeaders shows every header value as a preview, as the
// channel's own headers are (Routex cannot tell a credential from an id),
// unless it only names the channel's key ({{key}}), which is no secret.
func redactQueryHeaders(h map[string]string) map[string]string {
	if len(h) == 0 {
		return h
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		if !templated(v) {
			v = logging.Redact(v)
		}
		out[k] = v
	}
	return out
}

// templated reports a query value that takes its secret from the channel
// ({{key}}) rather than holding one.
func templated(v string) bool { return strings.Contains(v, "{{key}}") }

// accountSecrets are what a balance answer or error must never show: the
// channel's own secrets and the literal header values of its balance
// query (a provider's error may quote what it was sent).
func accountSecrets(c store.Channel) []string {
	out := c.Secrets()
	if q, err := credit.ParseQuery(c.BalanceQuery); err == nil {
		for _, v := range q.Headers {
			if v != "" && !templated(v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// applyAccount sets the account fields sent: the slots, and the balance
// query ({} for the built-in one). A query header whose value is the
// preview of the stored one keeps the stored value, as does a URL with its
// password hidden: the editor only ever saw the previews.
func (in channelWrite) applyAccount(c *store.Channel) {
	if in.sent["claude_models"] && in.ClaudeModels != nil {
		m := *in.ClaudeModels
		c.ClaudeModels = store.ClaudeModels{Model: strings.TrimSpace(m.Model), Opus: strings.TrimSpace(m.Opus),
			Sonnet: strings.TrimSpace(m.Sonnet), Haiku: strings.TrimSpace(m.Haiku), SmallFast: strings.TrimSpace(m.SmallFast)}
	}
	if !in.sent["balance_query"] {
		return
	}
	raw := in.BalanceQuery
	if t := strings.TrimSpace(string(raw)); t == "" || t == "{}" {
		c.BalanceQuery = nil
		return
	}
	q, err := credit.ParseQuery(raw)
	old, oldErr := credit.ParseQuery(c.BalanceQuery)
	if err == nil && oldErr == nil {
		for k, v := range q.Headers {
			q.Headers[k] = keepMasked(v, old.Headers[k], logging.Redact)
		}
		q.URL = keepMasked(q.URL, old.URL, logging.RedactURL)
		if b, err := json.Marshal(q); err == nil {
			raw = b
		}
	}
	c.BalanceQuery = raw
}

// validateAccount adds the account fields' errors to ve.
func validateAccount(c store.Channel, ve ValidationError) {
	if _, err := credit.ParseQuery(c.BalanceQuery); err != nil {
		ve.add("balance_query", "invalid", "%v", err)
	}
	m := c.ClaudeModels
	for _, v := range []string{m.Model, m.Opus, m.Sonnet, m.Haiku, m.SmallFast} {
		if strings.ContainsAny(v, "\r\n\t") || len(v) > 200 {
			ve.add("claude_models", "invalid", "Claude Code model names must be one line of at most 200 characters")
		}
	}
}
