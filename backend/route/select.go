package route

import (
	"fmt"
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
	var why []string
	say := func(format string, args ...any) {
		why = append(why, fmt.Sprintf(format, args...))
	}
	if d, ok := t.chosen(ScenarioExplicit, "model", s.Model, knownChannel, explain, say); ok {
		d.Reasons = why
		return d
	}
	if d, ok := t.chosen(ScenarioSubagent, "<routex-model> tag", s.SystemTag, knownChannel, explain, say); ok {
		d.Reasons = why
		return d
	}
	for i := range t.rules {
		r := &t.rules[i]
		ok, reason := r.match(s, t.run, explain)
		if explain {
			say("%s", reason)
		}
		if !ok {
			continue
		}
		strategy := r.strategy
		if strategy == "" {
			strategy = t.strategy
		}
		return Decision{Scenario: ScenarioRule, Rule: r.label, Targets: r.targets, Strategy: strategy, Reasons: why}
	}
	if explain && len(t.rules) == 0 {
		say("no rules configured")
	}
	if t.longContext < s.Tokens {
		if d, ok := t.routed(ScenarioLongContext, explain, say, "%d tokens > long_context threshold %d", s.Tokens, t.longContext); ok {
			d.Reasons = why
			return d
		}
	} else if explain {
		say("not long_context: %d tokens <= threshold %d", s.Tokens, t.longContext)
	}
	if s.WebSearch {
		if d, ok := t.routed(ScenarioWebSearch, explain, say, "request has a web search tool"); ok {
			d.Reasons = why
			return d
		}
	} else if explain {
		say("not web_search: no web search tool")
	}
	if s.HasImage {
		if d, ok := t.routed(ScenarioImage, explain, say, "last user turn has an image"); ok {
			d.Reasons = why
			return d
		}
	} else if explain {
		say("not image: no image in the last user turn")
	}
	if s.Thinking {
		if d, ok := t.routed(ScenarioThink, explain, say, "thinking is enabled"); ok {
			d.Reasons = why
			return d
		}
	} else if explain {
		say("not think: thinking is off")
	}
	if t.background.MatchString(s.Model) {
		if d, ok := t.routed(ScenarioBackground, explain, say, "model %s matches background pattern %s", s.Model, t.background); ok {
			d.Reasons = why
			return d
		}
	} else if explain {
		say("not background: model %s does not match %s", s.Model, t.background)
	}
	d := t.decision(ScenarioDefault)
	if explain {
		if d.Targets == nil {
			say("default route is empty: balance over all enabled channels")
		} else {
			say("default route")
		}
	}
	d.Reasons = why
	return d
}

// chosen handles the client's own choice of channel ("explicit" from the
// model field, "subagent" from the system tag).
func (t *Table) chosen(scenario, from, value string, knownChannel func(string) bool, explain bool, say func(string, ...any)) (Decision, bool) {
	if value == "" || (scenario == ScenarioExplicit && !strings.Contains(value, ",")) {
		return Decision{}, false
	}
	tg, ok := ParseTarget(value)
	if !ok || knownChannel == nil || !knownChannel(tg.Channel) {
		if explain {
			say("%s %q does not name a known channel: ignored", from, value)
		}
		return Decision{}, false
	}
	if explain {
		say("%s %q chooses channel %s", from, value, tg.Channel)
	}
	return Decision{Scenario: scenario, Targets: []Target{tg}, Strategy: t.strategyFor(scenario)}, true
}

// routed returns the scenario's decision when its route has targets; with
// an empty route it notes the fall-through.
func (t *Table) routed(scenario string, explain bool, say func(string, ...any), format string, args ...any) (Decision, bool) {
	d := t.decision(scenario)
	if explain {
		if d.Targets == nil {
			say(scenario+": "+format+", but its route is empty: falling through", args...)
		} else {
			say(scenario+": "+format, args...)
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
