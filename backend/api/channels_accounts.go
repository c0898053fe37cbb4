package api

import (
	"encoding/json"
	"strings"

	"github.com/routex-app/routex/backend/credit"
	"github.com/routex-app/routex/backend/logging"
	"github.com/routex-app/routex/backend/store"
)

// accountView is what a channel's JSON shows of its provider account:
// Claude Code's model slots and the balance query, its credential header
// values shown as previews (as the channel's own headers are).
type accountView struct {
	ClaudeModels store.ClaudeModels `json:"claude_models"`
	BalanceQuery json.RawMessage    `json:"balance_query"`
}

func newAccountView(c store.Channel) accountView {
	v := accountView{ClaudeModels: c.ClaudeModels, BalanceQuery: json.RawMessage("null")}
	q, err := credit.ParseQuery(c.BalanceQuery)
	if len(c.BalanceQuery) == 0 || err != nil {
		if err != nil {
			v.BalanceQuery = c.BalanceQuery // shown as stored, so the editor can fix it
		}
		return v
	}
	q.Headers = redactQueryHeaders(q.Headers)
	if b, err := json.Marshal(q); err == nil {
		v.BalanceQuery = b
	}
	return v
}

// redactQueryHeaders shows credential header values as previews, unless
// they only name the channel's key ({{key}}), which is no secret.
func redactQueryHeaders(h map[string]string) map[string]string {
	if len(h) == 0 {
		return h
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		if secretHeader(k) && !strings.Contains(v, "{{key}}") {
			v = logging.Redact(v)
		}
		out[k] = v
	}
	return out
}

func secretHeader(name string) bool {
	lk := strings.ToLower(name)
	return strings.Contains(lk, "auth") || strings.Contains(lk, "key") || strings.Contains(lk, "token") || strings.Contains(lk, "cookie")
}

// accountInput is the account part of a channel write.
type accountInput struct {
	ClaudeModels *store.ClaudeModels `json:"claude_models"`
	// BalanceQuery is nil when absent; JSON null (or {}) removes the query.
	BalanceQuery json.RawMessage `json:"balance_query"`
}

// apply sets the fields sent. A balance query header whose value is the
// preview of the stored one keeps the stored value: the editor only ever
// saw the preview.
func (in accountInput) apply(c *store.Channel) {
	if in.ClaudeModels != nil {
		m := *in.ClaudeModels
		for _, f := range []*string{&m.Model, &m.Opus, &m.Sonnet, &m.Haiku, &m.SmallFast} {
			*f = strings.TrimSpace(*f)
		}
		c.ClaudeModels = m
	}
	if in.BalanceQuery == nil {
		return
	}
	raw := in.BalanceQuery
	if t := strings.TrimSpace(string(raw)); t == "" || t == "null" || t == "{}" {
		c.BalanceQuery = nil
		return
	}
	q, err := credit.ParseQuery(raw)
	old, oldErr := credit.ParseQuery(c.BalanceQuery)
	if err == nil && oldErr == nil {
		for k, v := range q.Headers {
			if prev, ok := old.Headers[k]; ok && secretHeader(k) && v == logging.Redact(prev) && v != prev {
				q.Headers[k] = prev
			}
		}
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
