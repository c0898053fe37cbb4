package clients

import (
	"strings"
	"testing"
)

func TestGeminiAttachKeepsCommentsAndOtherLines(t *testing.T) {
	t.Parallel()
	input := readTestdata(t, "gemini.input.env")
	fx := newGeminiFixture(t, input)
	fx.attach(AttachOptions{})
	attached := fx.read()
	golden(t, "gemini.attached.env", attached)
	for _, line := range []string{"# managed by hand; keep this comment", "  # indented comment",
		"GOOGLE_CLOUD_PROJECT='my project'", "SOME_URL=https://example.com/a?b=c#frag",
		"export GEMINI_API_KEY=rx-test-access-key", "GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:18080"} {
		if !strings.Contains(attached, line+"\n") {
			t.Errorf("missing line %q in\n%s", line, attached)
		}
	}
	if s, err := fx.c.Status(testEngineURL); err != nil || s.State != Attached {
		t.Errorf("status %+v, %v", s, err)
	}

	fx.detach()
	if got := fx.read(); got != input {
		t.Errorf("detach did not restore the original:\n%s", got)
	}
}

func TestGeminiDetachAfterAnEditRestoresLinesInPlace(t *testing.T) {
	t.Parallel()
	input := readTestdata(t, "gemini.input.env")
	fx := newGeminiFixture(t, input)
	fx.attach(AttachOptions{})
	fx.write(fx.read() + "# added later by the user\n")
	res := fx.detach()
	if len(res.Kept) != 0 {
		t.Errorf("kept %v", res.Kept)
	}
	if got, want := fx.read(), input+"# added later by the user\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestGeminiStatusAndANewFile(t *testing.T) {
	t.Parallel()
	fx := newGeminiFixture(t, "-")
	if s, _ := fx.c.Status(testEngineURL); s.State != NotAttached {
		t.Errorf("status of a missing file: %s", s.State)
	}
	fx.attach(AttachOptions{})
	if got := fx.read(); got != "GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:18080\nGEMINI_API_KEY=rx-test-access-key\n" {
		t.Errorf("new file:\n%s", got)
	}
	fx.write("GOOGLE_GEMINI_BASE_URL=\"https://elsewhere.example\"\n")
	if s, _ := fx.c.Status(testEngineURL); s.State != AttachedElsewhere || s.BaseURL != "https://elsewhere.example" {
		t.Errorf("status %+v", s)
	}
}

func TestDotenvValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value, quoted string
	}{
		{"a URL needs no quotes", "http://127.0.0.1:18080/v1", "http://127.0.0.1:18080/v1"},
		{"a space is single-quoted", "my project", "'my project'"},
		{"a hash is quoted so it is not a comment", "a #b", "'a #b'"},
		{"a single quote goes in double quotes", "it's", `"it's"`},
		{"a newline is escaped in double quotes", "a\nb's", `"a\nb's"`},
		{"an empty value stays empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := quote(tt.value); got != tt.quoted {
				t.Errorf("quote(%q) = %s, want %s", tt.value, got, tt.quoted)
			}
			if got := unquote(tt.quoted); got != tt.value {
				t.Errorf("unquote(%s) = %q, want %q", tt.quoted, got, tt.value)
			}
		})
	}
	for in, want := range map[string]string{
		`plain # comment`: "plain", `"x" # c`: "x", "'a\\nb'": `a\nb`, "  spaced  ": "spaced", "`tick`": "tick",
	} {
		if got := unquote(in); got != want {
			t.Errorf("unquote(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestDotenvKeepsLineEndingsAndAMissingFinalNewline(t *testing.T) {
	t.Parallel()
	for name, input := range map[string]string{
		"CRLF line endings":        "# c\r\nA=1\r\n",
		"no final newline":         "A=1\n# last",
		"the key twice, last wins": "GEMINI_API_KEY=a\nGEMINI_API_KEY=b\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := parseDotenv([]byte(input))
			keys, err := apply(d, nil, geminiFormat{}.changes(AttachOptions{BaseURL: "http://h", Token: "k"}))
			if err != nil {
				t.Fatal(err)
			}
			mid, _ := d.render()
			if strings.Contains(input, "\r\n") && strings.Count(string(mid), "\r\n") != strings.Count(string(mid), "\n") {
				t.Errorf("mixed line endings: %q", mid)
			}
			d = parseDotenv(mid)
			if _, err := revert(d, keys, false); err != nil {
				t.Fatal(err)
			}
			if out, _ := d.render(); string(out) != input {
				t.Errorf("round trip %q -> %q -> %q", input, mid, out)
			}
		})
	}
}
