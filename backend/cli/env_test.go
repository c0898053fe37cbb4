package cli

import (
	"os/exec"
	"runtime"
	"slices"
	"testing"
)

func TestRenderEnvQuotesForEachShell(t *testing.T) {
	t.Parallel()
	vars := []envVar{{"A", "http://127.0.0.1:18080"}, {"B", `it's $HOME \n`}}
	tests := []struct {
		shell, want string
	}{
		{"bash", "export A='http://127.0.0.1:18080'\nexport B='it'\\''s $HOME \\n'\nunset C\n"},
		{"zsh", "export A='http://127.0.0.1:18080'\nexport B='it'\\''s $HOME \\n'\nunset C\n"},
		{"fish", "set -gx A 'http://127.0.0.1:18080'\nset -gx B 'it\\'s $HOME \\\\n'\nset -e C\n"},
		{"powershell", "$env:A = 'http://127.0.0.1:18080'\n$env:B = 'it''s $HOME \\n'\nRemove-Item Env:C -ErrorAction SilentlyContinue\n"},
	}
	for _, tt := range tests {
		t.Run(tt.shell+" reads every value back unchanged", func(t *testing.T) {
			t.Parallel()
			got, err := renderEnv(tt.shell, vars, []string{"C"})
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
	if _, err := renderEnv("tcsh", vars, nil); err == nil {
		t.Error("an unknown shell was accepted")
	}
}

func TestRenderEnvRoundTripsThroughARealShell(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		bin, err := exec.LookPath(shell)
		if err != nil {
			continue
		}
		value := `it's "quoted" $HOME \n ` + "`x`"
		script, _ := renderEnv(shell, []envVar{{"ROUTEX_TEST_V", value}}, nil)
		out, err := exec.Command(bin, "-c", script+"printf '%s' \"$ROUTEX_TEST_V\"").Output()
		if err != nil || string(out) != value {
			t.Errorf("%s read back %q (%v), want %q", shell, out, err, value)
		}
	}
}

func TestToolVarsPointEveryToolAtTheEngine(t *testing.T) {
	t.Parallel()
	got := toolVars("http://127.0.0.1:18080", "rx-k")
	want := []envVar{
		{"ANTHROPIC_BASE_URL", "http://127.0.0.1:18080"}, {"ANTHROPIC_AUTH_TOKEN", "rx-k"},
		{"OPENAI_BASE_URL", "http://127.0.0.1:18080/v1"}, {"OPENAI_API_KEY", "rx-k"},
		{"GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:18080"}, {"GEMINI_API_KEY", "rx-k"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v", got)
	}
}

func TestEngineURL(t *testing.T) {
	t.Parallel()
	for listen, want := range map[string]string{
		"127.0.0.1:18080": "http://127.0.0.1:18080",
		"0.0.0.0:9000":    "http://127.0.0.1:9000",
		"[::]:9000":       "http://127.0.0.1:9000",
		":9000":           "http://127.0.0.1:9000",
		"[::1]:9000":      "http://[::1]:9000",
		"localhost:1":     "http://localhost:1",
	} {
		if got := engineURL(listen); got != want {
			t.Errorf("engineURL(%q) = %s, want %s", listen, got, want)
		}
	}
}

func TestSplitRoutexFlagsLeavesClaudeCodesArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args, rest []string
		home       string
	}{
		{"Claude Code's flags pass through", []string{"--resume", "x"}, []string{"--resume", "x"}, ""},
		{"--home before them is Routex's", []string{"--home", "/h", "-p", "hi"}, []string{"-p", "hi"}, "/h"},
		{"--home=value works too", []string{"--home=/h", "--listen=:1"}, []string{}, "/h"},
		{"-- ends Routex's flags", []string{"--", "--home", "x"}, []string{"--home", "x"}, ""},
		{"a flag later on is Claude Code's", []string{"-p", "--home", "/h"}, []string{"-p", "--home", "/h"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &flags{}
			rest := splitRoutexFlags(f, tt.args)
			if !slices.Equal(rest, tt.rest) && !(len(rest) == 0 && len(tt.rest) == 0) || f.home != tt.home {
				t.Errorf("rest %q home %q; want %q home %q", rest, f.home, tt.rest, tt.home)
			}
		})
	}
}

func TestChildEnvReplacesRoutexVariablesAndDropsTheConflictingKey(t *testing.T) {
	t.Parallel()
	base := []string{"PATH=/bin", "ANTHROPIC_API_KEY=sk-user", "ANTHROPIC_BASE_URL=https://old", "HOME=/h"}
	got := childEnv(base, []envVar{{"ANTHROPIC_BASE_URL", "http://new"}}, []string{"ANTHROPIC_API_KEY"})
	want := []string{"PATH=/bin", "HOME=/h", "ANTHROPIC_BASE_URL=http://new"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDefaultShellFollowsSHELL(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("PowerShell on Windows")
	}
	for shell, want := range map[string]string{"/usr/bin/fish": "fish", "/bin/zsh": "zsh", "/bin/tcsh": "bash", "": "bash"} {
		t.Setenv("SHELL", shell)
		if got := defaultShell(); got != want {
			t.Errorf("SHELL=%s: %s, want %s", shell, got, want)
		}
	}
}
