package proxy

import (
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/route"
	"github.com/routex-app/routex/backend/store"
	"github.com/routex-app/routex/backend/transform"
)

// snapshot is what routing needs of one catalog, compiled once per change
// of the catalog rather than per request.
type snapshot struct {
	cat    *store.Catalog
	table  *route.Table
	byName map[string]*store.Channel
	// byID finds a candidate's channel: balance.Candidate carries only
	// the id.
	byID      map[int64]*store.Channel
	pipelines map[int64]*transform.Pipeline
}

// routing caches the snapshot of the latest catalog. Safe for concurrent use.
type routing struct {
	mu   sync.Mutex
	last *snapshot
	log  *slog.Logger
}

// get returns the snapshot of cat, compiling it when the catalog changed.
func (r *routing) get(cat *store.Catalog) *snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last != nil && r.last.cat == cat {
		return r.last
	}
	r.last = compileSnapshot(cat, r.log)
	return r.last
}

func compileSnapshot(cat *store.Catalog, log *slog.Logger) *snapshot {
	s := &snapshot{cat: cat, byName: map[string]*store.Channel{}, byID: map[int64]*store.Channel{},
		pipelines: map[int64]*transform.Pipeline{}}
	for i := range cat.Channels {
		ch := &cat.Channels[i]
		s.byName[ch.Name] = ch
		s.byID[ch.ID] = ch
		if p, err := transform.Parse(ch.Transformers); err != nil {
			// The API validates transformers on save; a bad row (written by
			// an older Routex or by hand) runs without them, loudly.
			log.Error("channel transformers ignored", "channel", ch.Name, "error", err)
		} else {
			s.pipelines[ch.ID] = p
		}
	}
	table, err := route.Compile(routeConfig(cat.Routes))
	if err != nil {
		log.Error("routing rules ignored", "error", err)
		cfg := routeConfig(cat.Routes)
		cfg.Rules = nil
		table, _ = route.Compile(cfg)
	}
	s.table = table
	return s
}

// routeConfig is the route package's view of the stored routes.
func routeConfig(r store.Routes) route.Config {
	return route.Config{
		Routes:            r.Scenarios,
		Strategy:          r.Strategy,
		Strategies:        r.Strategies,
		LongContextTokens: r.LongContextThreshold,
		BackgroundModel:   r.BackgroundModel,
		Rules:             r.Rules,
	}
}

// known reports whether name is a channel, for explicit "channel,model".
func (s *snapshot) known(name string) bool { _, ok := s.byName[name]; return ok }

// candidate is the balancer's view of serving the request on ch with model.
func candidate(ch *store.Channel, model string) balance.Candidate {
	return balance.Candidate{ChannelID: ch.ID, Weight: ch.Weight, Model: model}
}

// channel is the channel of a candidate from this snapshot.
func (s *snapshot) channel(c balance.Candidate) *store.Channel { return s.byID[c.ChannelID] }

// candidates turns a routing decision into the channels that may serve the
// request. Route targets keep their order; disabled or deleted channels are
// skipped. With no route (or none of its channels enabled), every enabled
// channel may serve: those declaring the model first, then those speaking
// the client's format, then by priority — so a user is never refused while
// some channel could answer.
func (s *snapshot) candidates(dec route.Decision, f protocol.Format, model string) []balance.Candidate {
	var out []balance.Candidate
	if len(dec.Targets) > 0 {
		out = make([]balance.Candidate, 0, len(dec.Targets)) // one allocation, not one per append
	}
	for _, t := range dec.Targets {
		ch, ok := s.byName[t.Channel]
		if !ok || !ch.Enabled {
			continue
		}
		out = append(out, candidate(ch, upstreamModel(ch, model, t.Model)))
	}
	if len(out) > 0 {
		return out
	}
	chs := s.cat.Channels
	out = make([]balance.Candidate, 0, len(chs))
	for pass := 0; pass < 3; pass++ {
		for i := range chs {
			ch := &chs[i]
			if !ch.Enabled {
				continue
			}
			declares, sameFormat := serves(ch, model), ch.Type == string(f)
			if (pass == 0 && declares) || (pass == 1 && !declares && sameFormat) || (pass == 2 && !declares && !sameFormat) {
				out = append(out, candidate(ch, upstreamModel(ch, model, "")))
			}
		}
	}
	return out
}

func serves(ch *store.Channel, model string) bool {
	return mappedModel(ch, model) != "" || slices.Contains(ch.Models, model)
}

// mappedModel is the channel's model_map entry for the client's model: an
// exact key first, then the longest key with wildcards that matches
// ("claude-*" → "deepseek-chat"); "" when none does.
func mappedModel(ch *store.Channel, client string) string {
	if m := ch.ModelMap[client]; m != "" {
		return m
	}
	best, bestKey := "", ""
	for k, m := range ch.ModelMap {
		if m == "" || !strings.ContainsAny(k, "*?") || !transform.MatchModel(k, client) {
			continue
		}
		// Longest pattern wins (the most specific); equal lengths go by
		// name, so the choice does not depend on map order.
		if best == "" || len(k) > len(bestKey) || (len(k) == len(bestKey) && k < bestKey) {
			best, bestKey = m, k
		}
	}
	return best
}

// upstreamModel decides the model name sent upstream: the channel's
// model_map entry for the client's model, else the client's model when the
// channel lists it, else the route target's model, else the channel's first
// model — never a name the channel is known not to serve (Claude Code's
// claude-sonnet-4-5 to a DeepSeek channel listing deepseek-chat). Only a
// channel that lists no models gets the client's model as it came.
func upstreamModel(ch *store.Channel, client, target string) string {
	if m := mappedModel(ch, client); m != "" {
		return m
	}
	switch {
	case slices.Contains(ch.Models, client):
		return client
	case target != "":
		return target
	case len(ch.Models) > 0:
		return ch.Models[0]
	}
	return client
}
