package route

import "strings"

// Target is one place a request may go: a channel by name, and the model to
// ask it for. Model "" means the channel's own choice (its model_map entry
// for the client's model, else its first model, else the client's model);
// resolving that is the proxy's job, which knows the channel.
type Target struct{ Channel, Model string }

// ParseTarget reads a route target written "channel,model" or "channel".
// Spaces around either part are ignored. It reports false for an empty
// channel name.
func ParseTarget(s string) (Target, bool) {
	ch, model, _ := strings.Cut(s, ",")
	t := Target{Channel: strings.TrimSpace(ch), Model: strings.TrimSpace(model)}
	return t, t.Channel != ""
}

// String writes t back as "channel,model" (or "channel").
func (t Target) String() string {
	if t.Model == "" {
		return t.Channel
	}
	return t.Channel + "," + t.Model
}
