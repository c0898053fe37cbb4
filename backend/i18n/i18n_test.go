package i18n

import (
	"encoding/json"
	"io/fs"
	"sort"
	"testing"

	"github.com/routex-app/routex/locales"
)

func TestMessagesResolveInBothLanguages(t *testing.T) {
	t.Parallel()
	en, zh := New("en"), New("zh-CN")
	got := en.T("cli.listening", "url", "http://127.0.0.1:18080")
	if got != "Routex is listening on http://127.0.0.1:18080" {
		t.Fatalf("en: %q", got)
	}
	if z := zh.T("cli.listening", "url", "http://x"); z == got || z == "cli.listening" {
		t.Fatalf("zh did not translate: %q", z)
	}
	if m := en.T("no.such.key"); m != "no.such.key" {
		t.Fatalf("missing key should print itself, got %q", m)
	}
}

func TestEveryKeyLoadsInEveryLanguage(t *testing.T) {
	t.Parallel()
	b, err := loadBundle(locales.Files)
	if err != nil {
		t.Fatal(err)
	}
	_ = b
	keys := map[string][]string{}
	for _, lang := range Languages {
		data, err := fs.ReadFile(locales.Files, lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		var tree map[string]any
		if err := json.Unmarshal(data, &tree); err != nil {
			t.Fatalf("%s.json: %v", lang, err)
		}
		keys[lang] = flatten("", tree)
	}
	tr := New("zh")
	for _, k := range keys["en"] {
		if tr.T(k) == k {
			t.Errorf("go-i18n cannot resolve %q in zh (a reserved word used as a key?)", k)
		}
	}
	if len(keys["en"]) != len(keys["zh"]) {
		t.Errorf("en has %d keys, zh has %d", len(keys["en"]), len(keys["zh"]))
	}
}

func flatten(prefix string, tree map[string]any) []string {
	var out []string
	for k, v := range tree {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok {
			out = append(out, flatten(key, sub)...)
		} else {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

func TestHasReadsOneLanguageWithoutFallback(t *testing.T) {
	t.Parallel()
	if !Has("en", "cli.listening") || !Has("zh", "cli.listening") {
		t.Fatal("cli.listening is in both files")
	}
	if Has("en", "cli") || Has("en", "cli.noSuchKey") || Has("xx", "cli.listening") {
		t.Fatal("Has found what is not a message")
	}
}
