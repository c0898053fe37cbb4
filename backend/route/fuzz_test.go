package route

import (
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// FuzzSummarize feeds arbitrary bodies to Summarize and StripTag in every
// format: neither may panic, and StripTag must give valid JSON when it
// succeeds on a body that had a tag.
func FuzzSummarize(f *testing.F) {
	// Small seeds only: the fuzzer minimizes every new input, and a 30 KB
	// Claude Code body makes that crawl. Tests cover the real body.
	f.Add([]byte(`{"model":"claude-opus-4-8","stream":true,"thinking":{"type":"adaptive"},"metadata":{"user_id":"u"},"tools":[{"name":"Bash","description":"run","input_schema":{"type":"object"}},{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":[{"type":"text","text":"say hi"}]},{"role":"system","content":"x"}]}`))
	f.Add([]byte(`{"model":"m","system":[{"type":"text","text":"<routex-model>a,b</routex-model>"}],"messages":[{"role":"user","content":[{"type":"tool_result","content":[{"type":"image"}]}]}]}`))
	f.Add([]byte(`{"messages":[{"role":"developer","content":[{"type":"text","text":"x<routex-model>a</routex-model>"}]},{"role":"user","content":[{"type":"image_url"}]}]}`))
	f.Add([]byte(`{"systemInstruction":{"parts":[{"text":"<routex-model>g</routex-model>"}]},"contents":[{"parts":[{"inlineData":{"mimeType":"image/png"}}]}]}`))
	f.Add([]byte(`{"system":"\u003croutex-model\u003e`))
	f.Add([]byte(`  {"system" : "<routex-model>a</routex-model>" }  `))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, format := range protocol.Formats {
			s := Summarize(format, "", body, nil)
			_ = SessionKey(&s)
			out, err := StripTag(format, body)
			if err == nil && gjson.ValidBytes(body) && !gjson.ValidBytes(out) {
				t.Fatalf("StripTag(%s) turned valid JSON invalid:\n%s\n→\n%s", format, body, out)
			}
		}
	})
}
