package importer

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/routex-app/routex/backend/logging"
	"github.com/routex-app/routex/backend/store"
)

// Caller sends one admin API request (in JSON-encoded unless it is
// []byte or json.RawMessage) and decodes the answer into out when not nil.
// The CLI passes its connection (HTTP, or the API in-process when no engine
// runs); the API passes itself, in-process.
type Caller func(method, path string, in, out any) error

// Body is the request body a Caller sends for in: in itself when it is
// []byte or json.RawMessage, none for nil, else in JSON-encoded.
func Body(in any) ([]byte, error) {
	switch v := in.(type) {
	case nil:
		return nil, nil
	case []byte:
		return v, nil
	case json.RawMessage:
		return v, nil
	}
	return json.Marshal(in)
}

// Step is one thing Apply does (or, dry, would do), for the caller to
// report: Kind is "add" or "update" (a channel; Index counts from 1 of
// Total), "routes_all" (a whole routes document), "route" (one scenario),
// "prices" or "prices_skipped" (the engine keeps no prices).
type Step struct {
	Kind     string   `json:"kind"`
	Name     string   `json:"name,omitempty"`
	Type     string   `json:"type,omitempty"`
	URL      string   `json:"url,omitempty"`
	Scenario string   `json:"scenario,omitempty"`
	Targets  []string `json:"targets,omitempty"`
	Index    int      `json:"index,omitempty"`
	Total    int      `json:"total,omitempty"`
}

// ApplyOptions tunes Apply.
type ApplyOptions struct {
	// DryRun only reports the steps.
	DryRun bool
	// Stored returns a stored channel with its real header values, balance
	// query and base_url (the API masks them), so an import of an export
	// without keys keeps them as it keeps the key.
	Stored func(id int64) (store.Channel, error)
	// IsNotFound tells a 404 from other errors of call (an engine without
	// a price list).
	IsNotFound func(error) bool
	// OnStep hears of each step as it starts.
	OnStep func(Step)
}

// Applied sums up an import.
type Applied struct {
	Source  string   `json:"source"`
	Added   int      `json:"added"`
	Updated int      `json:"updated"`
	Steps   []Step   `json:"steps"`
	Notes   []string `json:"notes,omitempty"`
	DryRun  bool     `json:"dry_run"`
}

// ChannelError is a channel the API refused; the import stopped there.
type ChannelError struct {
	Name string
	Err  error
}

func (e *ChannelError) Error() string { return fmt.Sprintf("import channel %s: %v", e.Name, e.Err) }
func (e *ChannelError) Unwrap() error { return e.Err }

// RoutesError is the routes the API refused (after the channels were in).
type RoutesError struct{ Err error }

func (e *RoutesError) Error() string { return fmt.Sprintf("import routes: %v", e.Err) }
func (e *RoutesError) Unwrap() error { return e.Err }

// Apply writes the plan through the admin API: channels first (a channel
// of the same name is updated, keeping its key and credential headers
// when the file has none), since routes name them, then routes, then
// prices.
func Apply(p Plan, call Caller, o ApplyOptions) (Applied, error) {
	out := Applied{Source: p.Source, Notes: p.Notes, DryRun: o.DryRun, Steps: []Step{}}
	step := func(s Step) {
		out.Steps = append(out.Steps, s)
		if o.OnStep != nil {
			o.OnStep(s)
		}
	}
	var existing struct {
		Channels []Channel `json:"channels"`
	}
	if err := call("GET", "/api/channels", nil, &existing); err != nil {
		return out, err
	}
	byName := map[string]Channel{}
	for _, ch := range existing.Channels {
		byName[ch.Name] = ch
	}
	for i, ch := range p.Channels {
		old, exists := byName[ch.Name]
		kind := "add"
		if exists {
			kind = "update"
			out.Updated++
		} else {
			out.Added++
		}
		step(Step{Kind: kind, Name: ch.Name, Type: ch.Type, URL: logging.RedactURL(ch.BaseURL), Index: i + 1, Total: len(p.Channels)})
		if o.DryRun {
			continue
		}
		var err error
		if exists {
			if err = keepSecrets(o.Stored, old.ID, &ch); err == nil {
				err = call("PATCH", fmt.Sprintf("/api/channels/%d", old.ID), channelBody(ch), nil)
			}
		} else {
			err = call("POST", "/api/channels", channelBody(ch), nil)
		}
		if err != nil {
			return out, &ChannelError{Name: ch.Name, Err: err}
		}
	}
	if err := applyRoutes(p, call, o.DryRun, step); err != nil {
		return out, &RoutesError{Err: err}
	}
	if len(p.Prices) > 0 && string(p.Prices) != "null" {
		step(Step{Kind: "prices"})
		var prices []json.RawMessage
		if err := json.Unmarshal(p.Prices, &prices); err != nil {
			return out, fmt.Errorf("import prices: %w", err)
		}
		for _, price := range prices {
			if o.DryRun {
				break
			}
			if err := call("PUT", "/api/prices", price, nil); err != nil {
				if o.IsNotFound == nil || !o.IsNotFound(err) {
					return out, err
				}
				step(Step{Kind: "prices_skipped"})
				break
			}
		}
	}
	return out, nil
}

// channelBody is the API write body of an imported channel. Without a key
// the field is left out, so an existing channel keeps its key.
func channelBody(ch Channel) map[string]any {
	var m map[string]any
	data, _ := json.Marshal(ch)
	json.Unmarshal(data, &m)
	for _, k := range []string{"model_map", "headers"} {
		if _, ok := m[k]; !ok {
			m[k] = map[string]string{}
		}
	}
	if _, ok := m["transformers"]; !ok {
		m["transformers"] = []any{}
	}
	return m
}

// keepSecrets completes an imported channel from the stored one with what
// an export without keys leaves out: header values, the balance query's
// credential headers, and base_url's password when the file has the same
// URL without it.
func keepSecrets(stored func(int64) (store.Channel, error), id int64, ch *Channel) error {
	if stored == nil {
		return nil
	}
	old, err := stored(id)
	if err != nil {
		return err
	}
	keepSecretQueryHeaders(old.BalanceQuery, ch)
	if ch.BaseURL != old.BaseURL && ch.BaseURL == withoutPassword(old.BaseURL) {
		ch.BaseURL = old.BaseURL
	}
	for k, v := range old.Headers {
		if _, ok := ch.Headers[k]; !ok {
			if ch.Headers == nil {
				ch.Headers = map[string]string{}
			}
			ch.Headers[k] = v
		}
	}
	return nil
}

func applyRoutes(p Plan, call Caller, dry bool, step func(Step)) error {
	if len(p.RoutesDoc) > 0 && string(p.RoutesDoc) != "null" {
		step(Step{Kind: "routes_all"})
		if dry {
			return nil
		}
		return call("PUT", "/api/routes", p.RoutesDoc, nil)
	}
	if len(p.Routes) == 0 {
		return nil
	}
	doc := map[string]any{}
	if err := call("GET", "/api/routes", nil, &doc); err != nil {
		return err
	}
	routes, _ := doc["routes"].(map[string]any)
	if routes == nil {
		routes = map[string]any{}
	}
	for _, sc := range slices.Sorted(maps.Keys(p.Routes)) {
		step(Step{Kind: "route", Scenario: sc, Targets: p.Routes[sc]})
		routes[sc] = p.Routes[sc]
	}
	doc["routes"] = routes
	if p.LongContextThreshold > 0 {
		doc["long_context_threshold"] = p.LongContextThreshold
	}
	if dry {
		return nil
	}
	return call("PUT", "/api/routes", doc, nil)
}
