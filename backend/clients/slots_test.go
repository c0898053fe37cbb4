package clients

import (
	"strings"
	"testing"
)

// The model slots a provider switch writes: GLM's, then DeepSeek's (no
// haiku of its own), then a provider without slots, then detach. The
// user's own haiku and small-fast models go back whenever Routex stops
// setting them, and detach restores the file byte for byte.
func TestModelSlotsFollowTheProviderAndComeBackOnDetach(t *testing.T) {
	t.Parallel()
	input := readTestdata(t, "claude-slots.input.json")
	fx := newClaudeFixture(t, input)

	glm := Models{Default: "glm-5.2", Opus: "glm-5.2", Sonnet: "glm-5.2", Haiku: "glm-4.5-air", SmallFast: "glm-4.5-air"}
	fx.attach(AttachOptions{Models: glm})
	golden(t, "claude-slots.glm.json", fx.read())

	deepseek := Models{Opus: "deepseek-v4-pro", Sonnet: "deepseek-v4-flash"}
	fx.attach(AttachOptions{Mode: ModeDirect, BaseURL: "https://api.deepseek.com/anthropic", Token: "sk-ds", Models: deepseek})
	golden(t, "claude-slots.deepseek.json", fx.read())

	fx.attach(AttachOptions{})
	golden(t, "claude-slots.noslots.json", fx.read())

	if res := fx.detach(); !res.Changed || len(res.Kept) != 0 {
		t.Errorf("detach result %+v", res)
	}
	if got := fx.read(); got != input {
		t.Errorf("detach did not restore the original:\n%s\nwant\n%s", got, input)
	}
}

// A slot the user changes by hand after the attach is theirs: detach keeps
// it and says so, and puts back every other key.
func TestASlotTheUserChangedSurvivesDetach(t *testing.T) {
	t.Parallel()
	input := readTestdata(t, "claude-slots.input.json")
	fx := newClaudeFixture(t, input)
	fx.attach(AttachOptions{Models: Models{Opus: "glm-5.2", Haiku: "glm-4.5-air"}})
	edited := decodeJSON(t, fx.read())
	env := edited["env"].(map[string]any)
	if env["ANTHROPIC_DEFAULT_OPUS_MODEL"] != "glm-5.2" || env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] != "glm-4.5-air" ||
		env["ANTHROPIC_SMALL_FAST_MODEL"] != "claude-3-5-haiku-latest" {
		t.Fatalf("attached env = %v", env)
	}
	fx.write(replaceOnce(t, fx.read(), `"ANTHROPIC_DEFAULT_OPUS_MODEL": "glm-5.2"`, `"ANTHROPIC_DEFAULT_OPUS_MODEL": "my-own-opus"`))
	res := fx.detach()
	if len(res.Kept) != 1 || res.Kept[0] != "ANTHROPIC_DEFAULT_OPUS_MODEL" {
		t.Errorf("kept %v, want the opus slot the user changed", res.Kept)
	}
	env = decodeJSON(t, fx.read())["env"].(map[string]any)
	if env["ANTHROPIC_DEFAULT_OPUS_MODEL"] != "my-own-opus" || env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] != "claude-haiku-4-5" ||
		env["ANTHROPIC_BASE_URL"] != nil || env["ANTHROPIC_AUTH_TOKEN"] != nil {
		t.Errorf("after detach env = %v", env)
	}
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	i := strings.Index(s, old)
	if i < 0 {
		t.Fatalf("%q not in\n%s", old, s)
	}
	return s[:i] + new + s[i+len(old):]
}
