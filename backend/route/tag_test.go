package route

import (
	"bytes"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

func TestStripTag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		format protocol.Format
		body   string
		want   map[string]string // gjson path → expected raw value after stripping
	}{
		{
			name:   "anthropic string system keeps its other text",
			format: protocol.Anthropic,
			body:   `{"model":"m","system":"You review code.\n<routex-model>deepseek,deepseek-chat</routex-model>\nBe terse.","messages":[{"role":"user","content":"<routex-model>x</routex-model>"}]}`,
			want: map[string]string{
				"system":   `"You review code.\nBe terse."`,
				"messages": `[{"role":"user","content":"<routex-model>x</routex-model>"}]`, // user text is not system text
			},
		},
		{
			name:   "anthropic system block emptied by the tag is dropped",
			format: protocol.Anthropic,
			body:   `{"system":[{"type":"text","text":"A","cache_control":{"type":"ephemeral"}}, {"type":"text","text":" <routex-model>a,b</routex-model> "}],"model":"m"}`,
			want:   map[string]string{"system": `[{"type":"text","text":"A","cache_control":{"type":"ephemeral"}}]`, "model": `"m"`},
		},
		{
			name:   "anthropic system block keeps its cache_control",
			format: protocol.Anthropic,
			body:   `{"system":[{"type":"text","text":"<routex-model>a,b</routex-model>Agent.","cache_control":{"type":"ephemeral"}}]}`,
			want:   map[string]string{"system": `[{"type":"text","text":"Agent.","cache_control":{"type":"ephemeral"}}]`},
		},
		{
			name:   "anthropic mid-conversation system message",
			format: protocol.Anthropic,
			body:   `{"messages":[{"role":"system","content":"ctx <routex-model>a</routex-model>"}]}`,
			want:   map[string]string{"messages.0.content": `"ctx"`},
		},
		{
			name:   "openai system and developer messages, string and parts",
			format: protocol.OpenAI,
			body: `{"model":"m","messages":[{"role":"system","content":"S<routex-model>a,b</routex-model>"},
				{"role":"developer","content":[{"type":"text","text":"<routex-model>a,b</routex-model>"},{"type":"text","text":"D"}]},
				{"role":"user","content":"U"}]}`,
			want: map[string]string{
				"messages.0.content": `"S"`,
				"messages.1.content": `[{"type":"text","text":"D"}]`,
				"messages.2":         `{"role":"user","content":"U"}`,
			},
		},
		{
			name:   "responses instructions and developer messages, not user text",
			format: protocol.Responses,
			body: `{"model":"m","instructions":"Codex.<routex-model>a,b</routex-model>","input":[
				{"type":"message","role":"developer","content":[{"type":"input_text","text":"<routex-model>a,b</routex-model>"},{"type":"input_text","text":"D"}]},
				{"role":"user","content":"<routex-model>u</routex-model>"}]}`,
			want: map[string]string{
				"instructions":    `"Codex."`,
				"input.0.content": `[{"type":"input_text","text":"D"}]`,
				"input.1.content": `"<routex-model>u</routex-model>"`,
			},
		},
		{
			name:   "gemini system instruction parts",
			format: protocol.Gemini,
			body:   `{"systemInstruction":{"parts":[{"text":"be kind\n\n<routex-model>g</routex-model>"}]},"contents":[{"parts":[{"text":"hi"}]}]}`,
			want:   map[string]string{"systemInstruction.parts": `[{"text":"be kind"}]`, "contents": `[{"parts":[{"text":"hi"}]}]`},
		},
		{
			name:   "several tags in one text all go",
			format: protocol.Anthropic,
			body:   `{"system":"<routex-model>a</routex-model>one <routex-model>b</routex-model>two"}`,
			want:   map[string]string{"system": `"one two"`},
		},
		{
			name:   "escaped angle brackets are still a tag",
			format: protocol.Anthropic,
			body:   `{"system":"x \u003croutex-model\u003ea,b\u003c/routex-model\u003e"}`,
			want:   map[string]string{"system": `"x"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := []byte(tt.body)
			orig := bytes.Clone(body)
			got, err := StripTag(tt.format, body)
			if err != nil {
				t.Fatalf("StripTag: %v", err)
			}
			if !bytes.Equal(body, orig) {
				t.Error("StripTag modified its input")
			}
			if !gjson.ValidBytes(got) {
				t.Fatalf("StripTag gave invalid JSON: %s", got)
			}
			for path, want := range tt.want {
				if r := gjson.GetBytes(got, path).Raw; r != want {
					t.Errorf("%s = %s, want %s", path, r, want)
				}
			}
			if s := Summarize(tt.format, "m", got, nil); s.SystemTag != "" {
				t.Errorf("SystemTag after stripping = %q, want none", s.SystemTag)
			}
		})
	}
}

func TestStripTagLeavesOtherBodiesAlone(t *testing.T) {
	t.Parallel()
	cc, _ := claudeCode(t)
	tests := []struct {
		name   string
		format protocol.Format
		body   []byte
	}{
		{"claude code request without a tag", protocol.Anthropic, cc},
		{"tag only in a user message", protocol.OpenAI, []byte(`{"messages":[{"role":"user","content":"<routex-model>a</routex-model>"}]}`)},
		{"unclosed tag", protocol.Anthropic, []byte(`{"system":"<routex-model>a"}`)},
		{"gemini tag outside the system instruction", protocol.Gemini, []byte(`{"contents":[{"parts":[{"text":"<routex-model>a</routex-model>"}]}]}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := StripTag(tt.format, tt.body)
			if err != nil {
				t.Fatalf("StripTag: %v", err)
			}
			if &got[0] != &tt.body[0] || len(got) != len(tt.body) {
				t.Error("StripTag returned a new slice; want the same one")
			}
		})
	}
}

func TestStripTagRefusesMalformedBodies(t *testing.T) {
	t.Parallel()
	body := []byte(`{"system":"<routex-model>a</routex-model>"`)
	got, err := StripTag(protocol.Anthropic, body)
	if err != ErrInvalidBody {
		t.Errorf("err = %v, want ErrInvalidBody", err)
	}
	if !bytes.Equal(got, body) {
		t.Error("body changed")
	}
}

func TestStripTagKeepsTheRestOfClaudeCodesBody(t *testing.T) {
	t.Parallel()
	cc, _ := claudeCode(t)
	// Put a tag into the second system block, as a subagent definition would.
	text := gjson.GetBytes(cc, "system.1.text")
	tagged := bytes.Clone(cc)
	tagged = append(tagged[:text.Index:text.Index], append([]byte(`"<routex-model>ollama,qwen3</routex-model>\n`), cc[text.Index+1:]...)...)
	if s := Summarize(protocol.Anthropic, "", tagged, nil); s.SystemTag != "ollama,qwen3" {
		t.Fatalf("SystemTag = %q, want ollama,qwen3", s.SystemTag)
	}
	got, err := StripTag(protocol.Anthropic, tagged)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, cc) {
		t.Errorf("stripped body differs from the original:\n%s", got)
	}
}
