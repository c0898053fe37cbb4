package protocol

import (
	"encoding/json"
	"testing"
)

func TestAppendJSONString(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", "q\"b\\s", "\n\r\t\x00\x1f", "ünïcødé ✓ 😀", "bad\xffutf8", "line\u2028sep", "<html>&"} {
		got := AppendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("AppendJSONString(%q) = %s: %v", s, got, err)
			continue
		}
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("AppendJSONString(%q) round-trips to %q, want %q", s, back, wantBack)
		}
	}
}
