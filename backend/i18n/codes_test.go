package i18n

import (
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/channeltest"
	"github.com/routex-app/routex/backend/route"
)

// Routing reasons and connection-test notes travel as codes that the
// dashboard and the CLI translate: every code needs its message in both
// locales, or a Chinese user reads a key.
func TestEveryCodeHasItsMessage(t *testing.T) {
	t.Parallel()
	for _, lang := range Languages {
		keys := localeKeys(t, lang)
		for _, code := range route.ReasonCodes() {
			if !keys["routing.reasons."+code] {
				t.Errorf("%s.json lacks routing.reasons.%s", lang, code)
			}
		}
		for _, code := range channeltest.Codes() {
			key := "channels.test.codes." + code
			if hint, ok := strings.CutPrefix(code, "hint."); ok {
				key = "channels.test.hints." + hint
			}
			if code == "stream_failed" {
				key = "channels.test.streamFailed"
			}
			if !keys[key] {
				t.Errorf("%s.json lacks %s", lang, key)
			}
		}
	}
	// The parameters a code carries fill the message's placeholders.
	tr := New("zh")
	r := route.Reason{Code: "long_context_hit", Params: map[string]string{"tokens": "70000", "threshold": "60000"}}
	if got := tr.T("routing.reasons."+r.Code, "tokens", r.Params["tokens"], "threshold", r.Params["threshold"]); !strings.Contains(got, "70000") ||
		!strings.Contains(got, "60000") || !strings.Contains(got, "长上下文") {
		t.Errorf("zh long_context_hit = %q", got)
	}
}
