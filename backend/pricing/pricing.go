// Package pricing turns token counts into dollars: a table of per-model
// prices (shipped defaults plus the user's own) and the matching rules that
// find a model's price under the many names providers give it. It is pure:
// no I/O, so the store keeps user prices and the engine builds a Table.
package pricing

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Sources of a Price, so the dashboard can tell shipped prices from edits.
const (
	SourceDefault = "default"
	SourceUser    = "user"
)

// ErrInvalidPrice is returned by Validate for a price that cannot be stored:
// no model pattern, or a negative or non-finite amount.
var ErrInvalidPrice = errors.New("invalid price")

// Price is what one model costs, in USD per million tokens. Model is an
// exact name or a glob where * matches any run of characters
// ("claude-sonnet-4*"). CacheRead and CacheWrite price the tokens the
// upstream reports as read from or written to its prompt cache; Input
// prices the rest of the prompt.
type Price struct {
	Model      string  `json:"model"`
	Input      float64 `json:"input"`
	Output     float64 `json:"output"`
	CacheRead  float64 `json:"cache_read"`
	CacheWrite float64 `json:"cache_write"`
	Source     string  `json:"source"`
}

// Validate reports whether p can be stored, wrapping ErrInvalidPrice with
// the reason, so an API can answer 400 with a message.
func (p Price) Validate() error {
	if strings.TrimSpace(p.Model) == "" {
		return fmt.Errorf("%w: model is empty", ErrInvalidPrice)
	}
	for _, v := range []struct {
		name string
		val  float64
	}{{"input", p.Input}, {"output", p.Output}, {"cache_read", p.CacheRead}, {"cache_write", p.CacheWrite}} {
		if v.val < 0 || math.IsNaN(v.val) || math.IsInf(v.val, 0) {
			return fmt.Errorf("%w: %s price of %s is %v; want a finite number >= 0", ErrInvalidPrice, v.name, p.Model, v.val)
		}
	}
	return nil
}

// Cost is the dollars for the given token counts at price p. Input excludes
// cached tokens, as in Anthropic's usage (and Routex's neutral model).
func (p Price) Cost(in, out, cacheRead, cacheWrite int64) float64 {
	return (float64(in)*p.Input + float64(out)*p.Output +
		float64(cacheRead)*p.CacheRead + float64(cacheWrite)*p.CacheWrite) / 1e6
}

// Table answers "what does this model cost". It is built once from the
// defaults and the user's prices and never changed, so it is safe for
// concurrent use; a price edit builds a new Table.
type Table struct {
	// tiers are searched in order: user exact, user globs, default exact,
	// default globs. Globs within a tier are longest first.
	tiers [4]tier
	all   []Price
}

// tier is one level of precedence.
type tier struct {
	exact map[string]Price // keyed by lower-case model
	globs []Price          // lower-case patterns, longest first
}

// NewTable builds a Table from Defaults and the user's prices. A user price
// wins over any default (a user glob "claude-*" beats the default exact
// "claude-opus-4-5": the user said what all Claude models cost them); within
// one source, an exact name wins over a glob and a longer glob over a
// shorter one. A user price for the same pattern as a default replaces it.
func NewTable(user []Price) *Table {
	t := &Table{}
	for i := range t.tiers {
		t.tiers[i].exact = map[string]Price{}
	}
	merged := map[string]Price{}
	for _, p := range Defaults() {
		p.Source = SourceDefault
		merged[key(p.Model)] = p
	}
	for _, p := range user {
		p.Model = strings.TrimSpace(p.Model)
		if p.Model == "" {
			continue
		}
		p.Source = SourceUser
		merged[key(p.Model)] = p
	}
	for k, p := range merged {
		base := 2
		if p.Source == SourceUser {
			base = 0
		}
		if strings.Contains(k, "*") {
			t.tiers[base+1].globs = append(t.tiers[base+1].globs, p)
		} else {
			t.tiers[base].exact[k] = p
		}
		t.all = append(t.all, p)
	}
	for i := range t.tiers {
		g := t.tiers[i].globs
		sort.Slice(g, func(a, b int) bool {
			if len(g[a].Model) != len(g[b].Model) {
				return len(g[a].Model) > len(g[b].Model)
			}
			return key(g[a].Model) < key(g[b].Model)
		})
	}
	sort.Slice(t.all, func(a, b int) bool { return key(t.all[a].Model) < key(t.all[b].Model) })
	return t
}

// Lookup finds the price of model, case-insensitively. When the name as
// given has no exact price it also tries it without a provider prefix
// ("anthropic/claude-opus-4-5", "models/gemini-2.5-pro"), without a date or
// "-latest" suffix ("claude-sonnet-4-5-20250929", "gpt-4.1-2025-04-14"),
// and with version dots as dashes ("claude-opus-4.5"). Exact matches on any
// of these names are preferred over glob matches within a source.
func (t *Table) Lookup(model string) (Price, bool) {
	names := candidates(model)
	if len(names) == 0 {
		return Price{}, false
	}
	for _, tr := range t.tiers {
		for _, n := range names {
			if p, ok := tr.exact[n]; ok {
				return p, true
			}
		}
		for _, g := range tr.globs {
			for _, n := range names {
				if globMatch(key(g.Model), n) {
					return g, true
				}
			}
		}
	}
	return Price{}, false
}

// Cost is the dollars for one request on model: 0 when the model has no
// price, so unknown models never block logging.
func (t *Table) Cost(model string, in, out, cacheRead, cacheWrite int64) float64 {
	p, ok := t.Lookup(model)
	if !ok {
		return 0
	}
	return p.Cost(in, out, cacheRead, cacheWrite)
}

// All returns every price in effect, defaults merged with user prices,
// sorted by model, with Source set. The slice is a copy.
func (t *Table) All() []Price {
	return append([]Price(nil), t.all...)
}

func key(model string) string { return strings.ToLower(strings.TrimSpace(model)) }
