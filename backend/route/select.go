package route

import (
	"strings"

	"github.com/expr-lang/expr/vm"
)

// Decision is where a request goes and why.
type Decision struct {
	// Scenario is what decided: "explicit", "subagent", "rule",
	// "long_context", "web_search", "image", "think", "background" or
	// "default".
	Scenario string
	// Rule is the name (or "rules[i]") of the rule that matched, for
	// Scenario "rule".
	Rule string
	// Targets are the candidates in order. nil means no route is configured:
	// the caller balances over all enabled channels. The slice is shared
	// with the Table (Select does not copy it, to stay allocation-free):
	// callers must not modify it.
	Targets []Target
	// Strategy is how to balance among Targets: the rule's, else the
	// scenario's override, else the global strategy.
	Strategy string
	// Reasons explain the decision in plain English, in the order things were
	// checked. Only filled when Select is asked to explain.
	Reasons []string
	// Why holds the same steps as codes with parameters, for a reader in
	// another language (Reason).
	Why []Reason
}

// Select decides where the request summarized by s goes. The order:
//
//  1. explicit: a model written "channel,model" (Claude Code's /model), when
//     knownChannel says the part before the comma is a channel; otherwise the
//     comma is part of a model name (the proxy refuses such a model unless a
//     channel declares it, rather than send "channel,model" upstream);
//  2. subagent: a <routex-model> tag (SystemTag) naming a known channel;
//  3. the first enabled rule whose conditions hold;
//  4. long_context (Tokens above the threshold), web_search, image, think,
//     background (model matches the background pattern);
//  5. default.
//
// A scenario whose route is empty falls through to the next check; when
// default is empty too, Targets is nil. A nil knownChannel knows no channel.
// Reasons are built only when explain is true, so the usual call allocates
// nothing on the no-rule path. Safe for concurrent use.
func (t *Table) Select(s *Summary, knownChannel func(name string) bool, explain bool) Decision {
	var why trail
	why.on = explain
	if d, ok := t.chosen(ScenarioExplicit, s.Model, knownChannel, &why); ok {
		return why.into(d)
	}
	if d, ok := t.chosen(ScenarioSubagent, s.SystemTag, knownChannel, &why); ok {
		return why.into(d)
	}
	for i := range t.rules {
		r := &t.rules[i]
		ok, because := r.match(s, t.run, explain)
		if explain {
			why.add(because)
		}
		if !ok {
			continue
		}
		strategy := r.strategy
		if strategy == "" {
			strategy = t.strategy
		}
		return why.into(Decision{Scenario: ScenarioRule, Rule: r.label, Targets: r.targets, Strategy: strategy})
	}
	if explain && len(t.rules) == 0 {
		why.add(reason(ReasonNoRules))
	}
	var params []string
	if explain {
		params = []string{"tokens", itoa(s.Tokens), "threshold", itoa(t.longContext)}
	}
	if d, ok := t.check(ScenarioLongContext, t.longContext < s.Tokens, &why, params); ok {
		return why.into(d)
	}
	if d, ok := t.check(ScenarioWebSearch, s.WebSearch, &why, nil); ok {
		return why.into(d)
	}
	if d, ok := t.check(ScenarioImage, s.HasImage, &why, nil); ok {
		return why.into(d)
	}
	if d, ok := t.check(ScenarioThink, s.Thinking, &why, nil); ok {
		return why.into(d)
	}
	if explain {
		params = []string{"model", s.Model, "pattern", t.background.String()}
	}
	if d, ok := t.check(ScenarioBackground, t.background.MatchString(s.Model), &why, params); ok {
		return why.into(d)
	}
	d := t.decision(ScenarioDefault)
	if explain {
		if d.Targets == nil {
			why.add(reason(ReasonDefaultEmpty))
		} else {
			why.add(reason(ReasonDefaultRoute))
		}
	}
	return why.into(d)
}

// trail collects the reasons of an explained decision; off, it collects
// nothing, so the usual call allocates nothing.
type trail struct {
	on   bool
	list []Reason
}

func (w *trail) add(r Reason) {
	if w.on {
		w.list = append(w.list, r)
	}
}

// into puts the reasons, as codes and in English, into d.
func (w *trail) into(d Decision) Decision {
	if !w.on {
		return d
	}
	d.Why = w.list
	d.Reasons = make([]string, len(w.list))
	for i, r := range w.list {
		d.Reasons[i] = r.String()
	}
	return d
}

// check is one scenario check: when it applies and its route has targets,
// the decision; otherwise it notes why not.
func (t *Table) check(scenario string, applies bool, why *trail, params []string) (Decision, bool) {
	if !applies {
		if why.on {
			why.add(reason(scenario+"_miss", params...))
		}
		return Decision{}, false
	}
	return t.routed(scenario, why, params)
}

// chosen handles the client's own choice of channel ("explicit" from the
// model field, "subagent" from the system tag).
func (t *Table) chosen(scenario, value string, knownChannel func(string) bool, why *trail) (Decision, bool) {
	if value == "" || (scenario == ScenarioExplicit && !strings.Contains(value, ",")) {
		return Decision{}, false
	}
	chosen, unknown := ReasonExplicitChosen, ReasonExplicitUnknown
	if scenario == ScenarioSubagent {
		chosen, unknown = ReasonTagChosen, ReasonTagUnknown
	}
	tg, ok := ParseTarget(value)
	if !ok || knownChannel == nil || !knownChannel(tg.Channel) {
		if why.on {
			why.add(reason(unknown, "value", value))
		}
		return Decision{}, false
	}
	if why.on {
		why.add(reason(chosen, "value", value, "channel", tg.Channel))
	}
	return Decision{Scenario: scenario, Targets: []Target{tg}, Strategy: t.strategyFor(scenario)}, true
}

// routed returns the scenario's decision when its route has targets; with
// an empty route it notes the fall-through.
func (t *Table) routed(scenario string, why *trail, params []string) (Decision, bool) {
	d := t.decision(scenario)
	if why.on {
		if d.Targets == nil {
			why.add(reason(scenario+"_empty", params...))
		} else {
			why.add(reason(scenario+"_hit", params...))
		}
	}
	return d, d.Targets != nil
}

func (t *Table) decision(scenario string) Decision {
	r := t.routes[scenario]
	return Decision{Scenario: scenario, Targets: r.targets, Strategy: r.strategy}
}

// run evaluates a rule's expression on s with a pooled VM.
func (t *Table) run(p *vm.Program, s *Summary) (bool, error) {
	m := t.vms.Get().(*vm.VM)
	out, err := m.Run(p, s)
	t.vms.Put(m)
	ok, _ := out.(bool)
	return ok, err
}

// NeedsDetail reports whether routing reads the parts of a Summary that
// SummarizeLight leaves out: when a long-context or image route has targets,
// or when there are rules (their conditions and expressions may read them).
func (t *Table) NeedsDetail() bool {
	return len(t.rules) > 0 || t.routes[ScenarioLongContext].targets != nil || t.routes[ScenarioImage].targets != nil
}
