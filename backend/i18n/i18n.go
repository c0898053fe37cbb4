// Package i18n gives the Go side (CLI, tray, server messages) the same strings
// as the dashboard, read from the embedded locales/*.json through go-i18n.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/routex-app/routex/locales"
)

// Languages lists the tags Routex ships, the default first.
var Languages = []string{"en", "zh"}

// Translator looks up messages in one language with English as fallback.
// Safe for concurrent use.
type Translator struct {
	loc *goi18n.Localizer
}

var bundle = mustBundle()

func mustBundle() *goi18n.Bundle {
	b, err := loadBundle(locales.Files)
	if err != nil {
		// The files are embedded at build time and checked by tests, so a
		// failure here is a build defect; fall back to an empty bundle
		// (keys print as themselves) rather than refuse to start.
		fmt.Fprintln(os.Stderr, "i18n:", err)
		return goi18n.NewBundle(language.English)
	}
	return b
}

func loadBundle(files fs.FS) (*goi18n.Bundle, error) {
	b := goi18n.NewBundle(language.English)
	for _, lang := range Languages {
		name := lang + ".json"
		data, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, fmt.Errorf("read locale %s: %w", name, err)
		}
		if _, err := b.ParseMessageFileBytes(data, name); err != nil {
			return nil, fmt.Errorf("parse locale %s: %w", name, err)
		}
	}
	return b, nil
}

// New returns a translator for lang ("en", "zh", "zh-CN", …).
func New(lang string) *Translator {
	return &Translator{loc: goi18n.NewLocalizer(bundle, lang, "en")}
}

// FromEnv picks the language from LC_ALL, LC_MESSAGES or LANG, as a terminal
// user expects; "zh_CN.UTF-8" becomes zh.
func FromEnv() *Translator {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" && v != "C" && v != "POSIX" {
			v = strings.SplitN(v, ".", 2)[0]
			return New(strings.ReplaceAll(v, "_", "-"))
		}
	}
	return New("en")
}

// T returns the message for key (dotted, e.g. "cli.listening") with its
// {{.name}} placeholders filled from pairs ("url", u, …). A missing key
// returns the key itself, so a gap is visible rather than blank.
func (t *Translator) T(key string, pairs ...string) string {
	var data map[string]string
	if len(pairs) > 0 {
		data = make(map[string]string, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			data[pairs[i]] = pairs[i+1]
		}
	}
	msg, err := t.loc.Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data})
	if err != nil || msg == "" {
		return key
	}
	return msg
}

// Has reports whether lang's own locale file defines key, without falling
// back to English: the tests use it to prove that every key the code names
// is translated.
func Has(lang, key string) bool {
	data, err := fs.ReadFile(locales.Files, lang+".json")
	if err != nil {
		return false
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return false
	}
	for _, part := range strings.Split(key, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		v = m[part]
	}
	s, ok := v.(string)
	return ok && s != ""
}
