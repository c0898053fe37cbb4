package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/route"
	"github.com/routex-app/routex/backend/store"
	"github.com/routex-app/routex/backend/suggest"
)

// validateText refuses text that would break where it goes: control
// characters in a name (they reach terminals, logs and the tray menu), line
// breaks in keys and header values (they would split the HTTP header they
// are sent in, or fail every request), control characters in model names.
func validateText(c store.Channel, ve ValidationError) {
	if strings.ContainsFunc(c.Name, unicode.IsControl) && !strings.ContainsAny(c.Name, "\n\t") {
		ve.add("name", "invalid", "name must not contain control characters")
	}
	if hasBreak(c.APIKey) {
		ve.add("api_key", "invalid", "api_key must not contain line breaks or other control characters (a key pasted with its line end?)")
	}
	for i, k := range c.APIKeys {
		if hasBreak(k) {
			ve.add("api_keys", "invalid", "api_keys[%d] must not contain line breaks or other control characters", i)
			break
		}
	}
	for k, v := range c.Headers {
		if hasBreak(v) {
			ve.add("headers", "invalid", "header %q: the value must not contain line breaks or other control characters", k)
		}
	}
	for _, m := range c.Models {
		if strings.ContainsFunc(m, unicode.IsControl) {
			ve.add("models", "invalid", "model %q must not contain control characters", m)
			break
		}
	}
	for k, v := range c.ModelMap {
		if strings.ContainsFunc(k+v, unicode.IsControl) {
			ve.add("model_map", "invalid", "model_map entry %q must not contain control characters", k)
			break
		}
	}
}

// hasBreak reports control characters other than a tab in a value sent as
// an HTTP header.
func hasBreak(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' })
}

// nameClash refuses a name that differs from another channel's only by
// case: "DeepSeek" and "deepseek" read as one channel in routes, the tray
// and "channel,model" requests.
func (s *Server) nameClash(ctx context.Context, c store.Channel) error {
	chs, err := s.store.Channels(ctx)
	if err != nil {
		return err
	}
	for _, o := range chs {
		if o.ID != c.ID && strings.EqualFold(o.Name, c.Name) {
			return &conflict{field: "name", msg: fmt.Sprintf("channel %q already exists (names are compared ignoring case)", o.Name)}
		}
	}
	return nil
}

// conflict is a 409 on one field.
type conflict struct{ field, msg string }

func (c *conflict) Error() string { return c.msg }

// writeConflict answers a conflict, as a duplicate name is answered.
func writeConflict(w http.ResponseWriter, err error) bool {
	var c *conflict
	if !errors.As(err, &c) {
		return false
	}
	writeError(w, http.StatusConflict, "conflict", c.msg, ValidationError{c.field: {Code: "unique", Message: c.msg}})
	return true
}

// ruleStrategies refuses a rule whose strategy is not one of balance.Strategies
// (the global and per-scenario ones are checked with the rest): a typo
// such as "round-robin" would otherwise fall back to priority silently.
func ruleStrategies(rules json.RawMessage, ve ValidationError) {
	var rs []route.Rule
	if len(rules) == 0 || json.Unmarshal(rules, &rs) != nil {
		return // reported by the rules' own checks
	}
	for i, r := range rs {
		if r.Strategy == "" || balance.KnownStrategy(r.Strategy) {
			continue
		}
		msg := fmt.Sprintf("strategy %q is not one of %s", r.Strategy, strings.Join(balance.Strategies, ", "))
		if near := suggest.Closest(r.Strategy, balance.Strategies); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		ve.add(fmt.Sprintf("rules[%d].strategy", i), "one_of", "%s", msg)
	}
}
