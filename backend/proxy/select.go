package proxy

import (
	"slices"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/store"
)

// choice is the channel and upstream model chosen for a request.
type choice struct {
	channel *store.Channel
	model   string
}

// errNoChannel means no channel is enabled at all.
type errNoChannel struct{}

func (errNoChannel) Error() string {
	return "Routex has no enabled channel: add one in the dashboard (or enable one) and try again"
}

// ParseTarget splits a route target "channel,model" (model optional).
func ParseTarget(t string) (channel, model string) {
	channel, model, _ = strings.Cut(t, ",")
	return strings.TrimSpace(channel), strings.TrimSpace(model)
}

// pick chooses the channel for a request in format f asking for model. The
// active provider (first target of the default route) wins; otherwise the
// best-priority enabled channel, preferring one that declares the model and
// then one that speaks the client's format (no conversion needed).
func pick(cat *store.Catalog, f protocol.Format, model string) (choice, error) {
	if targets := cat.Routes.Scenarios["default"]; len(targets) > 0 {
		name, targetModel := ParseTarget(targets[0])
		for i := range cat.Channels {
			ch := &cat.Channels[i]
			if ch.Name == name && ch.Enabled {
				return choice{channel: ch, model: upstreamModel(ch, model, targetModel)}, nil
			}
		}
	}
	var sameFormat, first *store.Channel
	for i := range cat.Channels { // ordered by priority
		ch := &cat.Channels[i]
		if !ch.Enabled {
			continue
		}
		if serves(ch, model) {
			return choice{channel: ch, model: upstreamModel(ch, model, "")}, nil
		}
		if sameFormat == nil && ch.Type == string(f) {
			sameFormat = ch
		}
		if first == nil {
			first = ch
		}
	}
	if sameFormat != nil {
		first = sameFormat
	}
	if first == nil {
		return choice{}, errNoChannel{}
	}
	return choice{channel: first, model: upstreamModel(first, model, "")}, nil
}

func serves(ch *store.Channel, model string) bool {
	_, mapped := ch.ModelMap[model]
	return mapped || slices.Contains(ch.Models, model)
}

// upstreamModel decides the model name sent upstream: the channel's
// model_map entry for the client's model, else the client's model when the
// channel lists it, else the route target's model, else the client's model.
func upstreamModel(ch *store.Channel, client, target string) string {
	if m, ok := ch.ModelMap[client]; ok && m != "" {
		return m
	}
	if slices.Contains(ch.Models, client) || target == "" {
		return client
	}
	return target
}
