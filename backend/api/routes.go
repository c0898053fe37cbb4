package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/route"
	"github.com/routex-app/routex/backend/store"
)

// routesDoc is the JSON of GET/PUT /api/routes: scenario (route.Scenarios)
// → ordered "channel,model" targets, and how to balance among them
// (balance.Strategies).
type routesDoc struct {
	Strategy             string              `json:"strategy"`
	Routes               map[string][]string `json:"routes" tstype:"Partial<Record<Scenario, string[]>>"`
	LongContextThreshold int                 `json:"long_context_threshold"`
	Rules                json.RawMessage     `json:"rules" tstype:"Rule[] | null"`
	// Strategies overrides the strategy per scenario.
	Strategies map[string]string `json:"strategies" tstype:"Partial<Record<Scenario, string>>"`
	// BackgroundModel is the regular expression of background model names.
	BackgroundModel string `json:"background_model"`
}

func toDoc(r store.Routes) routesDoc {
	rules := r.Rules
	if len(rules) == 0 {
		rules = json.RawMessage("[]")
	}
	routes := map[string][]string{}
	for _, sc := range route.Scenarios {
		routes[sc] = nonNil(r.Scenarios[sc])
	}
	for sc, t := range r.Scenarios {
		routes[sc] = nonNil(t)
	}
	strategies := r.Strategies
	if strategies == nil {
		strategies = map[string]string{}
	}
	background := r.BackgroundModel
	if background == "" {
		background = store.DefaultBackgroundModel
	}
	return routesDoc{Strategy: r.Strategy, Routes: routes, LongContextThreshold: r.LongContextThreshold, Rules: rules,
		Strategies: strategies, BackgroundModel: background}
}

func (s *Server) getRoutes(w http.ResponseWriter, r *http.Request) {
	rt, err := s.store.Routes(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toDoc(rt))
}

func (s *Server) putRoutes(w http.ResponseWriter, r *http.Request) {
	var doc routesDoc
	if err := decode(r, &doc); err != nil {
		s.fail(w, r, err)
		return
	}
	chs, err := s.store.Channels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rt, err := validateRoutes(doc, chs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.PutRoutes(r.Context(), rt); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("routes updated", "strategy", rt.Strategy)
	writeJSON(w, http.StatusOK, toDoc(rt))
}

func validateRoutes(doc routesDoc, chs []store.Channel) (store.Routes, error) {
	ve := ValidationError{}
	rt := store.DefaultRoutes()
	if doc.Strategy != "" {
		if !balance.KnownStrategy(doc.Strategy) {
			ve.add("strategy", "one_of", "strategy must be one of %s", strings.Join(balance.Strategies, ", "))
		}
		rt.Strategy = doc.Strategy
	}
	if doc.LongContextThreshold != 0 {
		if doc.LongContextThreshold < 1000 || doc.LongContextThreshold > 10_000_000 {
			ve.add("long_context_threshold", "range", "long_context_threshold must be between 1000 and 10000000 tokens")
		}
		rt.LongContextThreshold = doc.LongContextThreshold
	}
	if len(doc.Rules) > 0 && string(doc.Rules) != "null" {
		var arr []json.RawMessage
		if err := json.Unmarshal(doc.Rules, &arr); err != nil {
			ve.add("rules", "invalid_json", "rules must be a JSON array")
		}
		rt.Rules = doc.Rules
	}
	for sc, st := range doc.Strategies {
		switch {
		case !route.KnownScenario(sc):
			ve.add("strategies."+sc, "one_of", "unknown scenario %q: use one of %s", sc, strings.Join(route.Scenarios, ", "))
		case st != "" && !balance.KnownStrategy(st):
			ve.add("strategies."+sc, "one_of", "strategy must be one of %s", strings.Join(balance.Strategies, ", "))
		case st != "":
			rt.Strategies[sc] = st
		}
	}
	if doc.BackgroundModel != "" && doc.BackgroundModel != store.DefaultBackgroundModel {
		if _, err := regexp.Compile(doc.BackgroundModel); err != nil {
			ve.add("background_model", "invalid", "background_model is not a valid regular expression: %v", err)
		}
		rt.BackgroundModel = doc.BackgroundModel
	}
	names := map[string]bool{}
	for _, c := range chs {
		names[c.Name] = true
	}
	for sc, targets := range doc.Routes {
		if !route.KnownScenario(sc) {
			ve.add("routes."+sc, "one_of", "unknown scenario %q: use one of %s", sc, strings.Join(route.Scenarios, ", "))
			continue
		}
		clean := make([]string, 0, len(targets))
		for i, t := range targets {
			name, model, _ := strings.Cut(t, ",")
			name, model = strings.TrimSpace(name), strings.TrimSpace(model)
			if !names[name] {
				ve.add(fmt.Sprintf("routes.%s[%d]", sc, i), "invalid", "no channel named %q", name)
				continue
			}
			if model != "" {
				name += "," + model
			}
			clean = append(clean, name)
		}
		rt.Scenarios[sc] = clean
	}
	ruleStrategies(rt.Rules, ve)
	if len(ve) == 0 {
		// Rules, expressions and patterns compile now, so a mistake is
		// shown to the user at save time rather than skipped at run time.
		_, err := route.Compile(route.Config{Routes: rt.Scenarios, Strategy: rt.Strategy, Strategies: rt.Strategies,
			LongContextTokens: rt.LongContextThreshold, BackgroundModel: rt.BackgroundModel, Rules: rt.Rules})
		for _, ce := range route.CompileErrors(err) {
			field := ce.Field
			if ce.Index >= 0 {
				field = fmt.Sprintf("rules[%d]", ce.Index)
				if ce.Field != "" {
					field += "." + ce.Field
				}
			}
			ve.add(field, "invalid", "%s", ce.Message)
		}
	}
	if len(ve) > 0 {
		return store.Routes{}, ve
	}
	return rt, nil
}

// active is the JSON of GET/PUT /api/active: the first target of "default".
type active struct {
	ChannelID *int64 `json:"channel_id"`
	Model     string `json:"model"`
}

func (s *Server) getActive(w http.ResponseWriter, r *http.Request) {
	rt, chs, err := s.routing(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := active{}
	ch, model, ok := activeTarget(rt, chs)
	out.Model = model
	if ok {
		out.ChannelID = &ch.ID
	}
	writeJSON(w, http.StatusOK, out)
}

// routing reads the routes and the channels their targets name: what the
// export, GET /api/active and the Claude Code model slots all start from.
func (s *Server) routing(ctx context.Context) (store.Routes, []store.Channel, error) {
	rt, err := s.store.Routes(ctx)
	if err != nil {
		return store.Routes{}, nil, err
	}
	chs, err := s.store.Channels(ctx)
	if err != nil {
		return store.Routes{}, nil, err
	}
	return rt, chs, nil
}

// activeTarget is the first "default" route target: its model, and its
// channel when one of chs has its name (ok false when there is no target
// or its channel is gone).
func activeTarget(rt store.Routes, chs []store.Channel) (ch store.Channel, model string, ok bool) {
	d := rt.Scenarios["default"]
	if len(d) == 0 {
		return store.Channel{}, "", false
	}
	name, model, _ := strings.Cut(d[0], ",")
	for _, c := range chs {
		if c.Name == name {
			return c, model, true
		}
	}
	return store.Channel{}, model, false
}

// putActive makes a channel the first target of "default", removing its
// other places in that list.
func (s *Server) putActive(w http.ResponseWriter, r *http.Request) {
	var in active
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.ChannelID == nil {
		s.fail(w, r, ValidationError{"channel_id": {Code: "required", Message: "channel_id is required"}})
		return
	}
	c, err := s.store.Channel(r.Context(), *in.ChannelID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rt, err := s.store.Routes(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	target := c.Name
	if m := strings.TrimSpace(in.Model); m != "" {
		target += "," + m
	}
	list := []string{target}
	for _, t := range rt.Scenarios["default"] {
		if name, _, _ := strings.Cut(t, ","); name != c.Name {
			list = append(list, t)
		}
	}
	rt.Scenarios["default"] = list
	if err := s.store.PutRoutes(r.Context(), rt); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("active provider changed", "channel", c.Name, "model", in.Model)
	s.followActive(c)
	writeJSON(w, http.StatusOK, active{ChannelID: &c.ID, Model: strings.TrimSpace(in.Model)})
}

// retarget keeps route targets pointing at a channel after it is renamed
// (to != "") or drops them after it is deleted (to == ""), since routes name
// channels rather than number them.
func (s *Server) retarget(ctx context.Context, from, to string) error {
	rt, err := s.store.Routes(ctx)
	if err != nil {
		return err
	}
	changed := false
	for sc, targets := range rt.Scenarios {
		out := targets[:0:0]
		for _, t := range targets {
			name, model, hasModel := strings.Cut(t, ",")
			if name != from {
				out = append(out, t)
				continue
			}
			changed = true
			if to == "" {
				continue
			}
			if hasModel {
				out = append(out, to+","+model)
			} else {
				out = append(out, to)
			}
		}
		rt.Scenarios[sc] = out
	}
	if !changed {
		return nil
	}
	return s.store.PutRoutes(ctx, rt)
}
