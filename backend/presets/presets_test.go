package presets

import (
	"encoding/json"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/locales"
)

func TestTheFileParses(t *testing.T) {
	t.Parallel()
	if errParse != nil {
		t.Fatal(errParse)
	}
	if len(All()) < 12 {
		t.Fatalf("%d presets", len(All()))
	}
}

// Every preset is complete and follows the base URL convention of
// docs/DESIGN.md#channel-json.
func TestEveryPresetIsComplete(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	lastGroup := 0
	versioned := regexp.MustCompile(`/v\d+$|/compatible-mode/v1$`)
	for _, p := range All() {
		if !regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`).MatchString(p.ID) || seen[p.ID] {
			t.Errorf("%q: id must be unique, lower case and dashed", p.ID)
		}
		seen[p.ID] = true
		g := slices.Index(Groups, p.Group)
		if g < 0 || g < lastGroup {
			t.Errorf("%s: group %q unknown or out of order", p.ID, p.Group)
		}
		lastGroup = max(lastGroup, g)
		if _, err := protocol.ParseFormat(p.Type); err != nil {
			t.Errorf("%s: type %q", p.ID, p.Type)
		}
		if p.Name == "" || len(p.Models) == 0 || slices.Contains(p.Models, "") {
			t.Errorf("%s: name and models are required", p.ID)
		}
		u, err := url.Parse(p.BaseURL)
		if err != nil || u.Host == "" || strings.HasSuffix(p.BaseURL, "/") || u.RawQuery != "" {
			t.Errorf("%s: base_url %q", p.ID, p.BaseURL)
			continue
		}
		switch {
		case p.Type == "openai" && !versioned.MatchString(u.Path):
			t.Errorf("%s: an OpenAI-compatible base_url carries its version path: %q", p.ID, p.BaseURL)
		case p.Type == "gemini" && u.Path != "":
			t.Errorf("%s: a Gemini base_url has no path: %q", p.ID, p.BaseURL)
		case p.Type == "anthropic" && strings.Contains(u.Path, "/v1"):
			t.Errorf("%s: an Anthropic base_url stops before /v1: %q", p.ID, p.BaseURL)
		}
		local := p.Group == GroupLocal
		if u.Scheme != "https" && !local {
			t.Errorf("%s: a remote base_url must be https", p.ID)
		}
		if p.NeedsKey == local {
			t.Errorf("%s: needs_key must be false exactly for local servers", p.ID)
		}
		if !strings.HasPrefix(p.DocsURL, "https://") || (p.NeedsKey != strings.HasPrefix(p.KeyURL, "https://")) {
			t.Errorf("%s: docs_url and (when a key is needed) key_url must be https links", p.ID)
		}
	}
	for _, id := range []string{"anthropic", "openai", "gemini", "deepseek", "deepseek-anthropic", "kimi", "zhipu", "qwen", "minimax", "openrouter", "siliconflow", "groq", "ollama"} {
		if _, ok := ByID(id); !ok {
			t.Errorf("preset %q is missing", id)
		}
	}
}

// Names that differ by language exist in every locale, and so do the
// group labels the dashboard shows.
func TestNameKeysExistInEveryLocale(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "zh"} {
		data, err := fs.ReadFile(locales.Files, lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		var tree map[string]any
		if err := json.Unmarshal(data, &tree); err != nil {
			t.Fatal(err)
		}
		keys := []string{}
		for _, g := range Groups {
			keys = append(keys, "presets.groups."+g)
		}
		for _, p := range All() {
			if p.NameKey != "" {
				keys = append(keys, p.NameKey)
			}
		}
		for _, k := range keys {
			var v any = tree
			for _, part := range strings.Split(k, ".") {
				m, _ := v.(map[string]any)
				v = m[part]
			}
			if s, _ := v.(string); s == "" {
				t.Errorf("%s.json has no %s", lang, k)
			}
		}
	}
}

func TestAllReturnsACopy(t *testing.T) {
	t.Parallel()
	a := All()
	a[0].Models[0] = "changed"
	a[0].ID = "changed"
	if b := All(); b[0].ID == "changed" || b[0].Models[0] == "changed" {
		t.Fatal("All shares its data")
	}
}

// A preset's Claude Code slots name models the preset offers, so a channel
// made from it serves what Claude Code will ask for.
func TestClaudeModelSlotsNameThePresetsModels(t *testing.T) {
	t.Parallel()
	withSlots := 0
	for _, p := range All() {
		m := p.ClaudeModels
		if m == nil {
			continue
		}
		withSlots++
		for slot, v := range map[string]string{"model": m.Model, "opus": m.Opus, "sonnet": m.Sonnet, "haiku": m.Haiku, "small_fast": m.SmallFast} {
			if v != "" && !slices.Contains(p.Models, v) {
				t.Errorf("%s: the %s slot %q is not one of its models %v", p.ID, slot, v, p.Models)
			}
		}
	}
	for _, id := range []string{"zhipu", "deepseek", "kimi", "minimax"} {
		if p, ok := ByID(id); !ok || p.ClaudeModels == nil || p.ClaudeModels.Opus == "" || p.ClaudeModels.Haiku == "" {
			t.Errorf("preset %s has no Claude Code slots", id)
		}
	}
	if withSlots < 4 {
		t.Errorf("%d presets have slots", withSlots)
	}
}
