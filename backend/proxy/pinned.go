package proxy

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/route"
)

// refusal is a request Routex answers itself, before any channel: a client
// pinned a channel ("channel,model") that cannot serve it.
type refusal struct {
	status int
	kind   protocol.ErrorKind
	msg    string
}

// maxNamesListed bounds the channel names a refusal lists.
const maxNamesListed = 10

// pinned checks a client's own choice of channel. A model written
// "channel,model" is honoured (explicit scenario) only when that channel is
// enabled; when the channel is disabled, or no channel has that name and no
// channel declares the whole string as a model, the request is refused
// rather than served elsewhere with "channel,model" sent upstream as a
// model name, which no provider knows.
func (s *snapshot) pinned(dec route.Decision, model string) *refusal {
	if dec.Scenario == route.ScenarioExplicit && len(dec.Targets) == 1 {
		name := dec.Targets[0].Channel
		if ch, ok := s.byName[name]; ok && !ch.Enabled {
			return &refusal{status: http.StatusBadRequest, kind: protocol.InvalidRequest,
				msg: fmt.Sprintf("model %q pins channel %q, which is disabled: enable it in the dashboard (or `routex channel enable %s`), or choose another model",
					model, name, name)}
		}
		return nil
	}
	name, _, found := strings.Cut(model, ",")
	if !found || s.declared(model) {
		return nil
	}
	name = strings.TrimSpace(name)
	return &refusal{status: http.StatusNotFound, kind: protocol.NotFound,
		msg: fmt.Sprintf("model %q pins channel %q, but there is no channel of that name (channels: %s): write \"channel,model\" with one of them, or the model alone",
			model, name, s.names())}
}

// declared reports whether some channel lists model or maps it, so a
// model whose own name holds a comma is still a model.
func (s *snapshot) declared(model string) bool {
	for i := range s.cat.Channels {
		if serves(&s.cat.Channels[i], model) {
			return true
		}
	}
	return false
}

// names lists the channels' names for a refusal, a few at most.
func (s *snapshot) names() string {
	var out []string
	for i := range s.cat.Channels {
		out = append(out, s.cat.Channels[i].Name)
	}
	slices.Sort(out)
	if len(out) > maxNamesListed {
		out = append(out[:maxNamesListed], "…")
	}
	if len(out) == 0 {
		return "none yet"
	}
	return strings.Join(out, ", ")
}
