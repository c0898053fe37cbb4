package importer

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/routex-app/routex/backend/transform"
)

// ccrProvider is one of claude-code-router's providers. The classic form
// has api_base_url, api_key and a transformer list; the newer one names
// its protocol (protocol, type, or per-URL capabilities) and may keep its
// keys in a credential pool.
type ccrProvider struct {
	Name        string   `json:"name"`
	APIBaseURL  string   `json:"api_base_url"`
	BaseURL     string   `json:"baseUrl"`
	APIKey      string   `json:"api_key"`
	APIKeyCamel string   `json:"apiKey"`
	Models      []string `json:"models"`
	Protocol    string   `json:"protocol"`
	Type        string   `json:"type"`
	Enabled     *bool    `json:"enabled"`
	Transformer struct {
		Use []json.RawMessage `json:"use"`
	} `json:"transformer"`
	Capabilities []struct {
		Type     string `json:"type"`
		Protocol string `json:"protocol"`
		BaseURL  string `json:"baseUrl"`
	} `json:"capabilities"`
	Credentials []struct {
		APIKey  string `json:"apiKey"`
		Enabled *bool  `json:"enabled"`
	} `json:"credentials"`
}

// ccrConfig is the part of claude-code-router's config.json Routex reads.
// encoding/json matches keys case-insensitively, so "providers" and
// "Providers" (and "baseurl", "apikey") all load.
type ccrConfig struct {
	Providers []ccrProvider              `json:"Providers"`
	Router    map[string]json.RawMessage `json:"Router"`
}

// ccrScenarios maps claude-code-router's Router keys to Routex scenarios.
var ccrScenarios = map[string]string{
	"default": "default", "background": "background", "think": "think",
	"longContext": "long_context", "webSearch": "web_search", "image": "image",
}

// ccrProtocols maps claude-code-router's protocol names to channel types;
// its plain "openai" means the Responses API, as in claude-code-router.
var ccrProtocols = map[string]string{
	"openai_responses": ResponsesChannelType, "openai": ResponsesChannelType,
	"openai_chat": "openai", "openai_chat_completions": "openai",
	"anthropic": "anthropic", "anthropic_messages": "anthropic",
	"gemini": "gemini", "gemini_generate_content": "gemini",
}

// readCCR maps providers to channels and the Router to routes. A provider's
// URL in claude-code-router is the full endpoint; Routex keeps the base.
func readCCR(data []byte) (Plan, error) {
	var cfg ccrConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return Plan{}, err
	}
	p := Plan{Source: "claude-code-router", Routes: map[string][]string{}}
	for i, pr := range cfg.Providers {
		name := cleanName(pr.Name)
		if name == "" {
			name = fmt.Sprintf("ccr-%d", i+1)
		}
		typ, base, ok := ccrEndpoint(pr)
		if !ok {
			p.Notes = append(p.Notes, fmt.Sprintf("%s: its protocol (%s) has no Routex channel type and was left out", name,
				firstNonEmpty(pr.Protocol, pr.Type, firstCapability(pr))))
			continue
		}
		ch := Channel{Name: name, Type: typ, BaseURL: base, Models: pr.Models, Priority: len(p.Channels) + 1, Weight: 1,
			Enabled: pr.Enabled == nil || *pr.Enabled}
		keys := ccrKeys(pr)
		switch len(keys) {
		case 0:
		case 1:
			ch.APIKey = keys[0]
		default:
			ch.APIKeys = keys
		}
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
	slices.Sort(p.Notes)
	return p, nil
}

func firstCapability(pr ccrProvider) string {
	for _, c := range pr.Capabilities {
		if s := firstNonEmpty(c.Type, c.Protocol); s != "" {
			return s
		}
	}
	return ""
}

// ccrEndpoint is a provider's channel type and base URL: from the protocol
// it names (protocol, then type, then its first capability Routex has a
// channel type for), else guessed from its URL. ok is false when it names
// only protocols Routex has no channel for (image or video generation).
func ccrEndpoint(pr ccrProvider) (typ, base string, ok bool) {
	raw := os.ExpandEnv(firstNonEmpty(pr.APIBaseURL, pr.BaseURL))
	named := false
	for _, proto := range []string{pr.Protocol, pr.Type} {
		if proto == "" {
			continue
		}
		named = true
		if t, known := ccrProtocols[strings.ToLower(proto)]; known {
			return t, trimEndpoint(t, firstNonEmpty(raw, capabilityURL(pr, proto))), true
		}
	}
	for _, c := range pr.Capabilities {
		proto := firstNonEmpty(c.Type, c.Protocol)
		named = true
		if t, known := ccrProtocols[strings.ToLower(proto)]; known {
			return t, trimEndpoint(t, firstNonEmpty(os.ExpandEnv(c.BaseURL), raw)), true
		}
	}
	if named {
		return "", "", false
	}
	typ, base = classifyEndpoint(raw)
	return typ, base, true
}

func capabilityURL(pr ccrProvider, proto string) string {
	for _, c := range pr.Capabilities {
		if strings.EqualFold(firstNonEmpty(c.Type, c.Protocol), proto) {
			return os.ExpandEnv(c.BaseURL)
		}
	}
	return ""
}

// ccrKeys are a provider's keys: its credential pool (enabled entries),
// else its one key; "$VAR" names an environment variable.
func ccrKeys(pr ccrProvider) []string {
	var keys []string
	for _, c := range pr.Credentials {
		if k := os.ExpandEnv(c.APIKey); k != "" && (c.Enabled == nil || *c.Enabled) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		if k := os.ExpandEnv(firstNonEmpty(pr.APIKey, pr.APIKeyCamel)); k != "" {
			keys = []string{k}
		}
	}
	return keys
}

// trimEndpoint strips the operation Routex appends itself from a URL of a
// known channel type.
func trimEndpoint(typ, raw string) string {
	s := strings.TrimRight(strings.TrimSpace(raw), "/")
	switch typ {
	case "anthropic":
		return strings.TrimSuffix(strings.TrimSuffix(s, "/messages"), "/v1")
	case "gemini":
		if u, err := url.Parse(s); err == nil && u.Host != "" && strings.Contains(u.Path, "/models") {
			return u.Scheme + "://" + u.Host
		}
		return s
	case ResponsesChannelType:
		s = strings.TrimSuffix(s, "/responses")
	}
	return strings.TrimSuffix(s, "/chat/completions")
}

// classifyEndpoint tells a provider's format from its URL and strips the
// endpoint path Routex appends itself. Anthropic-style URLs end in
// /v1/messages or name Anthropic; Gemini's host is Google's; a URL ending
// in /responses is the Responses API; the rest is OpenAI-compatible.
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
	case strings.HasSuffix(path, "/responses"):
		return ResponsesChannelType, strings.TrimSuffix(s, "/responses")
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
