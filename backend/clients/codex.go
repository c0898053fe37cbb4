package clients

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Codex CLI's settings in config.toml.
const (
	// CodexProviderID is the [model_providers.<id>] table Routex owns and
	// the value it gives the top-level model_provider.
	CodexProviderID    = "routex"
	codexProviderKey   = "model_provider"
	codexModelKey      = "model"
	codexProvidersKey  = "model_providers"
	codexTableKey      = codexProvidersKey + "." + CodexProviderID
	codexOpenAIID      = "openai"
	codexOpenAIBaseKey = "openai_base_url"
)

// CodexChannelType is the channel type a direct attach of Codex needs:
// Codex speaks only the Responses API and, in direct mode, nothing
// converts between it and the provider.
const CodexChannelType = "openai-responses"

// codexFieldOrder is the order Routex writes its provider's fields in.
var codexFieldOrder = []string{"name", "base_url", "wire_api", "experimental_bearer_token"}

// codexFormat is Codex CLI's config.toml. Codex has no environment
// variable for its base URL, so Routex adds a provider of its own and
// selects it:
//
//	model_provider = "routex"
//
//	[model_providers.routex]
//	name = "Routex"
//	base_url = "http://127.0.0.1:18080/v1"
//	wire_api = "responses"
//	experimental_bearer_token = "<access key>"
//
// The key goes in experimental_bearer_token, Codex's field for "the value
// of Authorization: Bearer" (codex-rs model-provider-info), because the
// alternatives need more than the file: env_key names a variable the
// user would have to export in every shell that starts Codex, and a
// provider with requires_openai_auth would send the user's OpenAI login
// instead. Checked against @openai/codex 0.171.0: with only this file
// (no environment, and an OpenAI login in auth.json) Codex sends
// "Authorization: Bearer <access key>" to <base_url>/responses. wire_api
// "responses" is the only one current Codex accepts ("chat" is refused).
type codexFormat struct{}

func (codexFormat) baseKey() string { return codexTableKey }

// toolURL: in proxy mode Codex calls <base_url>/responses, so the base is
// the engine's /v1; a direct channel's base URL already carries its
// version path, as Routex's OpenAI channels do.
func (codexFormat) toolURL(o AttachOptions) string {
	if o.Mode == ModeDirect {
		return strings.TrimRight(o.BaseURL, "/")
	}
	return strings.TrimRight(o.BaseURL, "/") + "/v1"
}

func (f codexFormat) changes(o AttachOptions) []change {
	out := []change{{key: codexProviderKey, value: CodexProviderID}}
	if o.Models.Default != "" {
		out = append(out, change{key: codexModelKey, value: o.Models.Default})
	}
	fields, _ := json.Marshal(map[string]string{
		"name": "Routex", "base_url": f.toolURL(o), "wire_api": "responses", "experimental_bearer_token": o.Token,
	})
	return append(out, change{key: codexTableKey, value: string(fields)})
}

func (codexFormat) parse(path string, data []byte) (doc, error) {
	return parseTOMLDoc(path, data, []string{codexProvidersKey, CodexProviderID}, codexFieldOrder)
}

// base is the base URL of the provider Codex will use: the one the
// selected profile names, else model_provider, else OpenAI's (its
// openai_base_url, or "" for OpenAI itself). A provider without a
// base_url (Codex's built-in ollama, lmstudio) is reported by its name.
func (codexFormat) base(d doc) string {
	t, ok := d.(*tomlDoc)
	if !ok {
		return ""
	}
	id, _ := t.data[codexProviderKey].(string)
	if profile, ok := t.data["profile"].(string); ok {
		if p, ok := t.get([]string{"profiles", profile, codexProviderKey}); ok {
			if s, ok := p.(string); ok {
				id = s
			}
		}
	}
	if id == "" || id == codexOpenAIID {
		s, _ := t.data[codexOpenAIBaseKey].(string)
		return s
	}
	if u, ok := t.get([]string{codexProvidersKey, id, "base_url"}); ok {
		if s, ok := u.(string); ok && s != "" {
			return s
		}
	}
	return id
}

// NewCodex returns the client for Codex CLI's config.toml.
func NewCodex(home string, opts ...Option) (*Client, error) {
	path, err := CodexConfigPath()
	if err != nil {
		return nil, err
	}
	return newClient("codex", path, home, codexFormat{}, opts)
}

// CodexConfigPath is Codex CLI's config file: $CODEX_HOME/config.toml,
// else ~/.codex/config.toml.
func CodexConfigPath() (string, error) {
	if dir := os.Getenv("CODEX_HOME"); dir != "" {
		return filepath.Join(dir, "config.toml"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("clients: find the home folder for ~/.codex (set HOME or CODEX_HOME): %w", err)
	}
	return filepath.Join(home, ".codex", "config.toml"), nil
}
