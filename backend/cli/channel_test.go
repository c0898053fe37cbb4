package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
	"github.com/routex-app/routex/backend/i18n"
)

// testHome is a Routex home in a temporary folder whose listen address
// nothing answers on, so commands use the store directly.
func testHome(t *testing.T) *flags {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return &flags{home: filepath.Join(t.TempDir(), "home"), listen: addr}
}

// startEngine runs a real engine on the home and points f at it.
func startEngine(t *testing.T, f *flags) *engine.Engine {
	t.Helper()
	cfg, err := config.Load(f.home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = "127.0.0.1:0"
	e, err := engine.New(cfg, engine.Options{Version: "engine-test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Stop(context.Background()) })
	f.listen = strings.TrimPrefix(e.URL(), "http://")
	return e
}

// run executes one command tree with args and returns its output.
func run(t *testing.T, cmd *cobra.Command, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

var en = i18n.New("en")

func channelCmd(f *flags) *cobra.Command { return newChannelCmd(f, en, "test") }

func TestChannelCommandsAgainstTheStore(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	steps := []struct {
		name    string
		args    []string
		wantErr string
		want    []string
	}{
		{"add with every flag prints the new channel", []string{"add", "ds", "--type", "openai", "--base-url", "https://api.deepseek.com/v1",
			"--key", "sk-aaaaaaaaaaaa1111", "--key", "sk-bbbbbbbbbbbb2222", "--model", "deepseek-chat", "--model", "deepseek-reasoner",
			"--map", "claude-sonnet=deepseek-chat", "--priority", "2", "--weight", "3", "--header", "X-Team=core",
			"--timeout", "90s", "--transformers", `["cleancache"]`}, "", []string{"Added channel ds (#1)."}},
		{"list is an aligned table with the key preview", []string{"list"}, "",
			[]string{"NAME", "ds", "openai", "deepseek-chat,deepseek-reasoner", "sk-…1111 (×2)"}},
		{"show prints every field", []string{"show", "ds"}, "", []string{"claude-sonnet=deepseek-chat", "X-Team=…", "1m30s", "cleancache"}},
		{"an invalid URL is the API's field error", []string{"add", "bad", "--type", "openai", "--base-url", "ftp://x"},
			"base_url: must be an http:// or https:// URL", nil},
		{"bad transformers JSON is refused before sending", []string{"add", "bad", "--type", "openai", "--base-url", "https://x", "--transformers", "[oops"},
			"transformers: not valid JSON", nil},
		{"a malformed --map says which flag", []string{"add", "bad", "--type", "openai", "--base-url", "https://x", "--map", "nomatch"},
			"--map nomatch: expected NAME=VALUE", nil},
		{"edit changes only the named flags", []string{"edit", "ds", "--priority", "5"}, "", []string{"Updated channel ds."}},
		{"disable turns it off", []string{"disable", "ds"}, "", []string{"Disabled channel ds."}},
		{"an unknown channel names itself", []string{"enable", "nope"}, "no channel named nope", nil},
		{"rm without a terminal or --yes refuses", []string{"rm", "ds"}, "add --yes", nil},
		{"rm --yes removes", []string{"rm", "ds", "--yes"}, "", []string{"Removed channel ds."}},
		{"the list is then empty", []string{"list"}, "", []string{"No channels yet"}},
	}
	for _, s := range steps {
		out, err := run(t, channelCmd(f), "", s.args...)
		switch {
		case s.wantErr != "" && (err == nil || !strings.Contains(err.Error(), s.wantErr)):
			t.Fatalf("%s: error %v, want %q", s.name, err, s.wantErr)
		case s.wantErr == "" && err != nil:
			t.Fatalf("%s: %v\n%s", s.name, err, out)
		}
		for _, w := range s.want {
			if !strings.Contains(out, w) {
				t.Fatalf("%s: output lacks %q:\n%s", s.name, w, out)
			}
		}
	}
}

func TestChannelEditAgainstARunningEngineShowsThroughItsAPI(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	e := startEngine(t, f)
	if _, err := run(t, channelCmd(f), "", "add", "a", "--type", "anthropic", "--base-url", "https://api.anthropic.com", "--model", "m1"); err != nil {
		t.Fatal(err)
	}
	chs, err := e.Store().Channels(context.Background())
	if err != nil || len(chs) != 1 || chs[0].Name != "a" {
		t.Fatalf("engine's store does not see the channel: %v %+v", err, chs)
	}
	out, err := run(t, channelCmd(f), "", "list")
	if err != nil || !strings.Contains(out, "HEALTH") || !strings.Contains(out, "Untested") {
		t.Fatalf("list against the engine should show health: %v\n%s", err, out)
	}
	out, err = run(t, channelCmd(f), "", "show", "a", "--json")
	if err != nil || !strings.Contains(out, `"base_url": "https://api.anthropic.com"`) {
		t.Fatalf("show --json: %v\n%s", err, out)
	}
}
