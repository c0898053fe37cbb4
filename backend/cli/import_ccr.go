package cli

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/routex-app/routex/backend/transform"
)

// ccrConfig is the part of claude-code-router's config.json Routex reads.
// encoding/json matches keys case-insensitively, so "providers" and
// "Providers" both load.
type ccrConfig struct {
	Providers []struct {
		Name        string   `json:"name"`
		APIBaseURL  string   `json:"api_base_url"`
		APIKey      string   `json:"api_key"`
		Models      []string `json:"models"`
		Transformer struct {
			Use []json.RawMessage `json:"use"`
		} `json:"transformer"`
	} `json:"Providers"`
	Router map[string]json.RawMessage `json:"Router"`
}

// ccrScenarios maps claude-code-router's Router keys to Routex scenarios.
var ccrScenarios = map[string]string{
	"default": "default", "background": "background", "think": "think",
	"longContext": "long_context", "webSearch": "web_search", "image": "image",
}

// readCCR maps providers to channels and the Router to routes. A provider's
// URL in claude-code-router is the full endpoint; Routex keeps the base.
func readCCR(data []byte) (importPlan, error) {
	var cfg ccrConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return importPlan{}, err
	}
	p := importPlan{Source: "claude-code-router", Routes: map[string][]string{}}
	for i, pr := range cfg.Providers {
		name := cleanName(pr.Name)
		if name == "" {
			name = fmt.Sprintf("ccr-%d", i+1)
		}
		typ, base := classifyEndpoint(os.ExpandEnv(pr.APIBaseURL))
		ch := exportChannel{Name: name, Type: typ, BaseURL: base, APIKey: os.ExpandEnv(pr.APIKey),
			Models: pr.Models, Priority: i + 1, Weight: 1, Enabled: true}
		if ch.Models == nil {
			ch.Models = []string{}
		}
		var dropped []string
		ch.Transformers, dropped = ccrTransformers(pr.Transformer.Use)
		if len(dropped) > 0 {
			p.Notes = append(p.Notes, fmt.Sprintf("%s: transformers %s have no Routex equivalent and were left out", name, strings.Join(dropped, ", ")))
		}
		p.Channels = append(p.Channels, ch)
	}
	for key, raw := range cfg.Router {
		if key == "longContextThreshold" {
			json.Unmarshal(raw, &p.LongContextThreshold)
			continue
		}
		var target string
		if json.Unmarshal(raw, &target) != nil || strings.TrimSpace(target) == "" {
			continue
		}
		sc, ok := ccrScenarios[key]
		if !ok {
			p.Notes = append(p.Notes, fmt.Sprintf("Router.%s has no Routex scenario and was left out", key))
			continue
		}
		prov, model, _ := strings.Cut(target, ",")
		t := cleanName(prov)
		if model = strings.TrimSpace(model); model != "" {
			t += "," + model
		}
		p.Routes[sc] = []string{t}
	}
	return p, nil
}

// classifyEndpoint tells a provider's format from its URL and strips the
// endpoint path Routex appends itself. Anthropic-style URLs end in
// /v1/messages or name Anthropic; Gemini's host is Google's; the rest is
// OpenAI-compatible.
func classifyEndpoint(raw string) (typ, base string) {
	s := strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(s)
	host, path := "", s
	if err == nil {
		host, path = strings.ToLower(u.Host), u.Path
	}
	switch {
	case strings.Contains(host, "generativelanguage.googleapis.com"):
		return "gemini", u.Scheme + "://" + u.Host
	case strings.HasSuffix(path, "/messages") || strings.Contains(host, "anthropic.com") || strings.HasSuffix(path, "/anthropic"):
		s = strings.TrimSuffix(s, "/messages")
		return "anthropic", strings.TrimSuffix(s, "/v1")
	}
	return "openai", strings.TrimSuffix(s, "/chat/completions")
}

// ccrTransformers keeps the entries Routex has a transformer of the same
// name for (the entry shapes are alike: "name" or ["name", {options}]).
func ccrTransformers(use []json.RawMessage) (json.RawMessage, []string) {
	names := transform.Names()
	var keep []json.RawMessage
	var dropped []string
	for _, raw := range use {
		var name string
		if json.Unmarshal(raw, &name) != nil {
			var arr []json.RawMessage
			if json.Unmarshal(raw, &arr) == nil && len(arr) > 0 {
				json.Unmarshal(arr[0], &name)
			}
		}
		if slices.Contains(names, name) {
			keep = append(keep, raw)
		} else if name != "" {
			dropped = append(dropped, name)
		}
	}
	if len(keep) == 0 {
		return nil, dropped
	}
	out, _ := json.Marshal(keep)
	if _, err := transform.Parse(out); err != nil {
		return nil, append(dropped, "(options not understood)")
	}
	return out, dropped
}

// cleanName makes another tool's provider name a valid channel name.
func cleanName(s string) string {
	s = strings.TrimSpace(strings.NewReplacer(",", " ", "\n", " ", "\t", " ").Replace(s))
	if r := []rune(s); len(s) > 64 {
		for len(string(r)) > 64 {
			r = r[:len(r)-1]
		}
		s = string(r)
	}
	return s
}
