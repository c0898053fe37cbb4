package importer

import (
	"fmt"
	"os"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/tidwall/gjson"
)

// codexConfig is the part of a Codex config.toml a provider is made of.
type codexConfig struct {
	ModelProvider  string                   `toml:"model_provider"`
	Model          string                   `toml:"model"`
	ModelProviders map[string]codexProvider `toml:"model_providers"`
}

type codexProvider struct {
	Name     string `toml:"name"`
	BaseURL  string `toml:"base_url"`
	WireAPI  string `toml:"wire_api"`
	EnvKey   string `toml:"env_key"`
	Bearer   string `toml:"experimental_bearer_token"`
	Requires bool   `toml:"requires_openai_auth"`
}

// codexOpenAIBase is where Codex's built-in "openai" provider sends an API
// key (a ChatGPT login goes elsewhere, and Routex cannot use it).
const codexOpenAIBase = "https://api.openai.com/v1"

// codexChannel makes a channel of a cc-switch Codex provider. cc-switch
// keeps what it writes to ~/.codex: settings_config.config is the
// config.toml text (model_provider, model, [model_providers.<id>] with
// base_url and wire_api) and settings_config.auth the auth.json object
// (OPENAI_API_KEY). Its meta.apiFormat says what the upstream speaks when
// cc-switch converts for Codex: "openai_chat" (Chat Completions) and
// "anthropic" become channels of those types; the Responses API, Codex's
// own, becomes ResponsesChannelType. A provider Routex cannot call (a
// ChatGPT sign-in, no URL) is not ok; note says why, or what is missing
// from one that is.
func codexChannel(r ccSwitchRow) (ch Channel, ok bool, note string) {
	var cfg codexConfig
	if text := gjson.Get(r.settings, "config").String(); text != "" {
		if err := toml.Unmarshal([]byte(text), &cfg); err != nil {
			return ch, false, fmt.Sprintf("Codex provider %s: its config.toml does not parse (%v) and was left out", r.name, err)
		}
	}
	id := cfg.ModelProvider
	prov := cfg.ModelProviders[id]
	key := firstNonEmpty(prov.Bearer, gjson.Get(r.settings, "auth.OPENAI_API_KEY").String())
	if key == "" && prov.EnvKey != "" {
		key = os.Getenv(prov.EnvKey) // the variable Codex would read, if this shell has it
	}
	base := prov.BaseURL
	if base == "" && (id == "" || id == "openai") {
		if key == "" {
			return ch, false, fmt.Sprintf("Codex provider %s signs in with a ChatGPT account, which Routex cannot use; it was left out", r.name)
		}
		base = codexOpenAIBase
	}
	if base == "" {
		return ch, false, fmt.Sprintf("Codex provider %s names model_provider %q without a base_url; it was left out", r.name, id)
	}
	ch = Channel{Type: ResponsesChannelType, BaseURL: strings.TrimSuffix(strings.TrimRight(base, "/"), "/responses"),
		APIKey: key}
	switch {
	case gjson.Get(r.meta, "apiFormat").String() == "openai_chat" || strings.EqualFold(prov.WireAPI, "chat"):
		ch.Type = "openai"
	case gjson.Get(r.meta, "apiFormat").String() == "anthropic":
		ch.Type, ch.BaseURL = "anthropic", trimEndpoint("anthropic", ch.BaseURL)
	}
	if cfg.Model != "" {
		ch.Models = []string{cfg.Model}
	}
	if key == "" {
		note = fmt.Sprintf("Codex provider %s has no API key Routex could read; add it with: routex channel edit", r.name)
	}
	return ch, true, note
}
