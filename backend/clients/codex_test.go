package clients

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

const testCodexBase = testEngineURL + "/v1"

func decodeTOML(t *testing.T, data string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := toml.Unmarshal([]byte(strings.TrimPrefix(data, bom)), &m); err != nil {
		t.Fatalf("not TOML: %v\n%s", err, data)
	}
	return m
}

// withoutRoutex drops what attach owns, so the rest of two decoded files
// can be compared.
func withoutRoutex(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	delete(out, "model_provider")
	delete(out, "model")
	if p, ok := out["model_providers"].(map[string]any); ok {
		rest := map[string]any{}
		for k, v := range p {
			if k != CodexProviderID {
				rest[k] = v
			}
		}
		out["model_providers"] = rest
		if len(rest) == 0 {
			delete(out, "model_providers")
		}
	}
	return out
}

func TestCodexAttachWritesTheProviderAndDetachGivesBackEveryByte(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, model string
	}{
		{"typical", "gpt-5.5"},
		{"existing-routex", ""},
		{"inline-providers", "qwen3-coder-plus"},
		{"inline-routex", ""},
		{"crlf-bom", "deepseek-chat"},
		{"no-root-keys", "kimi-k2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			input := readTestdata(t, "codex/"+tt.name+".input.toml")
			fx := newCodexFixture(t, input)
			res := fx.attach(AttachOptions{Models: Models{Default: tt.model}})
			attached := fx.read()
			golden(t, "codex/"+tt.name+".attached.toml", attached)
			if !res.Changed || res.Backup == "" {
				t.Errorf("result %+v: want a change and a backup", res)
			}
			if b, _ := os.ReadFile(res.Backup); string(b) != input {
				t.Error("the backup is not the original file")
			}

			got := decodeTOML(t, attached)
			if got["model_provider"] != CodexProviderID {
				t.Errorf("model_provider = %v", got["model_provider"])
			}
			if tt.model != "" && got["model"] != tt.model {
				t.Errorf("model = %v, want %s", got["model"], tt.model)
			}
			want := map[string]any{"name": "Routex", "base_url": testCodexBase, "wire_api": "responses",
				"experimental_bearer_token": testAccessKey}
			if p := got["model_providers"].(map[string]any)[CodexProviderID]; !reflect.DeepEqual(p, want) {
				t.Errorf("[model_providers.routex] = %v, want %v", p, want)
			}
			before := decodeTOML(t, input)
			if tt.model == "" && before["model"] != got["model"] {
				t.Errorf("model changed without --model: %v -> %v", before["model"], got["model"])
			}
			if b, a := withoutRoutex(before), withoutRoutex(got); !reflect.DeepEqual(b, a) {
				t.Errorf("settings Routex does not own changed:\n before %v\n after  %v", b, a)
			}
			if strings.Contains(input, "\r\n") && strings.Count(attached, "\r\n") != strings.Count(attached, "\n") {
				t.Errorf("mixed line endings: %q", attached)
			}
			if s, err := fx.c.Status(testEngineURL); err != nil || s.State != Attached || s.BaseURL != testCodexBase || s.Mode != ModeProxy {
				t.Errorf("status %+v, %v", s, err)
			}

			if res := fx.detach(); !res.Changed || len(res.Kept) != 0 {
				t.Errorf("detach result %+v", res)
			}
			if got := fx.read(); got != input {
				t.Errorf("detach did not give back the original:\n%q\nwant\n%q", got, input)
			}
		})
	}
}

func TestCodexDetachAfterCodexEditedTheFileRestoresOnlyRoutexSettings(t *testing.T) {
	t.Parallel()
	// Codex writes config.toml itself: a trusted project, a model picked
	// with /model. Detach must keep those and undo only Routex's lines.
	edit := func(s, eol string) string {
		s = strings.Replace(s, `model_reasoning_effort = "high"`, `model_reasoning_effort = "medium"`, 1)
		return strings.TrimRight(s, "\r\n") + eol + eol + `[projects."/home/me/src/new"]` + eol + `trust_level = "trusted"` + eol
	}
	for _, name := range []string{"typical", "existing-routex", "inline-providers", "inline-routex", "no-root-keys", "crlf-bom"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			input := readTestdata(t, "codex/"+name+".input.toml")
			eol := "\n"
			if strings.Contains(input, "\r\n") {
				eol = "\r\n"
			}
			fx := newCodexFixture(t, input)
			fx.attach(AttachOptions{Models: Models{Default: "m1"}})
			fx.write(edit(fx.read(), eol))
			if res := fx.detach(); len(res.Kept) != 0 {
				t.Errorf("kept %v", res.Kept)
			}
			if got, want := fx.read(), edit(input, eol); got != want {
				t.Errorf("after detach:\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func TestCodexANewFileAndFolderAreRemovedAgain(t *testing.T) {
	t.Parallel()
	const written = "model_provider = \"routex\"\n\n[model_providers.routex]\nname = \"Routex\"\n" +
		"base_url = \"http://127.0.0.1:18080/v1\"\nwire_api = \"responses\"\nexperimental_bearer_token = \"rx-test-access-key\"\n"
	for _, tt := range []struct{ name, content, attached string }{
		{"no file", "-", written},
		{"an empty file", "", written},
		{"blank lines", "\n\n", "\n\n" + written},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newCodexFixture(t, tt.content)
			res := fx.attach(AttachOptions{})
			if got := fx.read(); got != tt.attached {
				t.Errorf("attached %q, want %q", got, tt.attached)
			}
			if tt.content == "-" && res.Backup != "" {
				t.Errorf("a backup of a file that did not exist: %s", res.Backup)
			}
			fx.detach()
			if tt.content != "-" {
				if got := fx.read(); got != tt.content {
					t.Errorf("after detach %q, want %q", got, tt.content)
				}
				return
			}
			if _, err := os.Stat(fx.path); !os.IsNotExist(err) {
				t.Errorf("detach left the file it created: %v", err)
			}
			if _, err := os.Stat(filepath.Dir(fx.path)); !os.IsNotExist(err) {
				t.Errorf("detach left the folder it created: %v", err)
			}
		})
	}
}

func TestCodexDetachKeepsWhatTheUserChangedSinceAttach(t *testing.T) {
	t.Parallel()
	input := "model = \"gpt-5.5-codex\"\n"
	fx := newCodexFixture(t, input)
	fx.attach(AttachOptions{})
	fx.write(strings.Replace(fx.read(), `model_provider = "routex"`, `model_provider = "ollama"`, 1))
	res := fx.detach()
	if !slices.Equal(res.Kept, []string{"model_provider"}) {
		t.Errorf("kept %v, want [model_provider]", res.Kept)
	}
	if got, want := fx.read(), "model = \"gpt-5.5-codex\"\nmodel_provider = \"ollama\"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCodexReattachAndDirectMode(t *testing.T) {
	t.Parallel()
	input := readTestdata(t, "codex/typical.input.toml")
	fx := newCodexFixture(t, input)
	fx.attach(AttachOptions{Models: Models{Default: "m1"}})
	fx.attach(AttachOptions{Mode: ModeDirect, BaseURL: "https://api.openai.com/v1/", Token: "sk-direct"})
	got := decodeTOML(t, fx.read())
	if got["model"] != "gpt-5.5-codex" {
		t.Errorf("the second attach without a model should give the user's back: %v", got["model"])
	}
	p := got["model_providers"].(map[string]any)[CodexProviderID].(map[string]any)
	if p["base_url"] != "https://api.openai.com/v1" || p["experimental_bearer_token"] != "sk-direct" {
		t.Errorf("direct provider %v", p)
	}
	s, err := fx.c.Status(testEngineURL)
	if err != nil || s.State != Attached || s.Mode != ModeDirect {
		t.Errorf("status %+v, %v; want attached in direct mode", s, err)
	}
	fx.detach()
	if fx.read() != input {
		t.Errorf("detach after two attaches:\n%s", fx.read())
	}
}

func TestCodexStatusFollowsTheProviderCodexWillUse(t *testing.T) {
	t.Parallel()
	checkStatuses(t, newCodexFixture, []statusCase{
		{"no file", "-", NotAttached, ""},
		{"OpenAI by default", "model = \"gpt-5.5\"\n", NotAttached, ""},
		{"OpenAI named", "model_provider = \"openai\"\n", NotAttached, ""},
		{"OpenAI at another URL", "openai_base_url = \"https://proxy.example/v1\"\n", AttachedElsewhere, "https://proxy.example/v1"},
		{"a built-in provider without a table", "model_provider = \"ollama\"\n", AttachedElsewhere, "ollama"},
		{"Routex's URL, by any provider name", "model_provider = \"mine\"\n[model_providers.mine]\nbase_url = \"http://127.0.0.1:18080/v1/\"\n", Attached, "http://127.0.0.1:18080/v1/"},
		{"the selected profile wins", "model_provider = \"routex\"\nprofile = \"work\"\n[model_providers.routex]\nbase_url = \"http://127.0.0.1:18080/v1\"\n" +
			"[model_providers.corp]\nbase_url = \"https://llm.corp.example/v1\"\n[profiles.work]\nmodel_provider = \"corp\"\n", AttachedElsewhere, "https://llm.corp.example/v1"},
	})
}

func TestCodexAMalformedFileIsLeftUntouchedAndTheErrorSaysWhere(t *testing.T) {
	t.Parallel()
	checkSyntaxErrors(t, newCodexFixture, []syntaxCase{
		{"an unclosed table header", "model = \"o3\"\n\n[tui\ntheme = \"dark\"\n", 3, 5},
		{"a key set twice", "model = \"a\"\napproval_policy = \"never\"\nmodel = \"b\"\n", 3, 1},
		{"an unterminated string", "model = \"a\nx = 1\n", 1, 11},
	})
}

func TestCodexALayoutRoutexCannotEditSafelyIsRefused(t *testing.T) {
	t.Parallel()
	for name, input := range map[string]string{
		"the table in two forms":         "[model_providers]\nroutex.name = \"x\"\n\n[model_providers.routex.http_headers]\nA = \"b\"\n",
		"dotted keys in an inline table": "model_providers = { routex.name = \"x\", routex.base_url = \"http://h/v1\" }\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fx := newCodexFixture(t, input)
			_, err := fx.c.Attach(AttachOptions{BaseURL: testEngineURL, Token: testAccessKey})
			if err == nil || !strings.Contains(err.Error(), "[model_providers.routex]") {
				t.Fatalf("attach: %v, want a refusal naming the table", err)
			}
			if fx.read() != input || len(fx.backups()) != 0 {
				t.Error("the file was changed")
			}
		})
	}
}

func TestCodexConfigPathHonoursCodexHome(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "codex-home")
	t.Setenv("CODEX_HOME", dir)
	c, err := NewCodex(filepath.Join(t.TempDir(), "routex"), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil || c.Path() != filepath.Join(dir, "config.toml") {
		t.Fatalf("path %s, %v: CODEX_HOME ignored", c.Path(), err)
	}
	home := t.TempDir()
	t.Setenv("CODEX_HOME", "")
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	if got, _ := CodexConfigPath(); got != filepath.Join(home, ".codex", "config.toml") {
		t.Errorf("default path %s", got)
	}
}

// FuzzCodexEdit runs attach and detach on arbitrary valid TOML, without
// files: nothing panics, an edit either fails or yields a file that parses
// with Routex's settings, and detaching gives back the same settings.
func FuzzCodexEdit(f *testing.F) {
	entries, _ := os.ReadDir(filepath.Join("testdata", "codex"))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".input.toml") {
			b, _ := os.ReadFile(filepath.Join("testdata", "codex", e.Name()))
			f.Add(string(b))
		}
	}
	f.Add("a = [ 1, # c\n 2 ]\n[model_providers]\nx = { a = { b = 1 } }\n")
	f.Add("model_providers.routex.name = 'x'\n[t]\nk = 1979-05-27 07:32:00Z\n")
	f.Fuzz(func(t *testing.T, input string) {
		var before map[string]any
		if toml.Unmarshal([]byte(strings.TrimPrefix(input, bom)), &before) != nil {
			return
		}
		format := codexFormat{}
		d, err := format.parse("config.toml", []byte(input))
		if err != nil {
			return // a construct the scanner refuses: reported, nothing written
		}
		keys, err := apply(d, nil, format.changes(AttachOptions{BaseURL: "http://h", Token: "k", Models: Models{Default: "m"}}))
		if err != nil {
			return
		}
		mid, err := d.render()
		if err != nil {
			return
		}
		d, err = format.parse("config.toml", mid)
		if err != nil {
			t.Fatalf("attach wrote a file that does not parse: %v\n%q", err, mid)
		}
		if _, err := revert(d, keys, false); err != nil {
			t.Fatalf("revert: %v\n%q", err, mid)
		}
		out, err := d.render()
		if err != nil {
			t.Fatalf("detach: %v\n%q", err, mid)
		}
		var after map[string]any
		if err := toml.Unmarshal([]byte(strings.TrimPrefix(string(out), bom)), &after); err != nil {
			t.Fatalf("detach wrote a file that does not parse: %v\n%q", err, out)
		}
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("detach changed the settings:\n in  %q\n mid %q\n out %q", input, mid, out)
		}
	})
}
