package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/config"
)

// binary builds the real routex into a temporary folder.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary: skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "routex")
	cmd := exec.Command("go", "build", "-o", bin, "../..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// e2eHome is an environment with its own home and a free port.
func e2eHome(t *testing.T) []string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	home := filepath.Join(t.TempDir(), "home")
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ROUTEX_") && !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANG=") {
			env = append(env, kv)
		}
	}
	return append(env, "ROUTEX_HOME="+home, "ROUTEX_LISTEN="+addr, "LC_ALL=C", "CLAUDE_CONFIG_DIR="+t.TempDir())
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			v2 := v
			return v2
		}
	}
	return ""
}

// runBin runs the binary and returns its output and exit code.
func runBin(t *testing.T, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	case err != nil:
		t.Fatalf("%v: %v", args, err)
	}
	return out.String(), 0
}

func TestBinaryEveryCommand(t *testing.T) {
	bin := binary(t)
	env := e2eHome(t)
	dir := t.TempDir()
	ccr := filepath.Join(dir, "ccr.json")
	os.WriteFile(ccr, []byte(fixture(t, "ccr-classic.json")), 0o600)
	badJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(badJSON, []byte("{oops"), 0o600)
	export := filepath.Join(dir, "export.json")

	steps := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"channel add", []string{"channel", "add", "ds", "--type", "openai", "--base-url", "https://api.deepseek.com/v1", "--key", "sk-e2e-000011112222", "--model", "deepseek-chat"}, 0, "Added channel ds"},
		{"channel add with an invalid URL", []string{"channel", "add", "x", "--type", "openai", "--base-url", "not a url"}, 1, "base_url: must be an http:// or https:// URL"},
		{"channel add with bad transformers JSON", []string{"channel", "add", "x", "--type", "openai", "--base-url", "https://x", "--transformers", "{"}, 1, "not valid JSON"},
		{"channel list", []string{"channel", "list"}, 0, "sk-…2222"},
		{"channel list --json", []string{"channel", "list", "--json"}, 0, `"api_key_preview"`},
		{"channel show", []string{"channel", "show", "ds"}, 0, "deepseek-chat"},
		{"channel show of an unknown channel", []string{"channel", "show", "nope"}, 1, "no channel named nope"},
		{"channel edit", []string{"channel", "edit", "ds", "--weight", "5"}, 0, "Updated channel ds"},
		{"channel edit with an out-of-range weight", []string{"channel", "edit", "ds", "--weight", "0"}, 1, "weight: must be between 1 and 1000"},
		{"channel disable", []string{"channel", "disable", "ds"}, 0, "Disabled channel ds"},
		{"channel enable", []string{"channel", "enable", "ds"}, 0, "Enabled channel ds"},
		{"channel test of an unreachable channel", []string{"channel", "test", "ds"}, 1, "1 of 1 channels failed"},
		{"channel test without a name", []string{"channel", "test"}, 1, "--all"},
		{"status", []string{"status"}, 0, "not running"},
		{"status --json", []string{"status", "--json"}, 0, `"requests_today": 0`},
		{"import --dry-run", []string{"import", ccr, "--dry-run"}, 0, "nothing was changed"},
		{"import", []string{"import", ccr}, 0, "5 added"},
		{"import of bad JSON", []string{"import", badJSON}, 1, "not JSON"},
		{"import of a missing file", []string{"import", filepath.Join(dir, "missing.json")}, 1, "no such file"},
		{"export", []string{"export", "-o", export}, 0, "Keys were left out"},
		{"import of the export", []string{"import", export}, 0, "6 updated"},
		{"model without a terminal", []string{"model"}, 1, "--accessible"},
		{"channel rm without --yes and no terminal", []string{"channel", "rm", "ds"}, 1, "--yes"},
		{"channel rm", []string{"channel", "rm", "ds", "--yes"}, 0, "Removed channel ds"},
		{"doctor on a healthy home", []string{"doctor"}, 0, "✓ database"},
	}
	for _, s := range steps {
		out, code := runBin(t, bin, env, s.args...)
		if code != s.code || !strings.Contains(out, s.want) {
			t.Errorf("%s: exit %d (want %d), output lacks %q:\n%s", s.name, code, s.code, s.want, out)
		}
	}
	// A broken home: a corrupt database and the port held by a listener.
	db := config.DatabasePath(envValue(env, "ROUTEX_HOME"))
	os.WriteFile(db, bytes.Repeat([]byte("garbage!"), 512), 0o600)
	ln, err := net.Listen("tcp", envValue(env, "ROUTEX_LISTEN"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	out, code := runBin(t, bin, env, "doctor")
	if code != 1 || !strings.Contains(out, "✗ database") || !strings.Contains(out, "held by another process") {
		t.Errorf("doctor on a broken home: exit %d\n%s", code, out)
	}
}

// TestModelInTmuxSwitchesTheActiveProvider drives the full-screen form as a
// person would, through tmux, against a running engine.
func TestModelInTmuxSwitchesTheActiveProvider(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install tmux): the terminal test is skipped")
	}
	bin := binary(t)
	env := e2eHome(t)
	for _, name := range []string{"first", "second"} {
		if out, code := runBin(t, bin, env, "channel", "add", name, "--type", "openai", "--base-url", "https://"+name+".example/v1", "--model", name+"-m"); code != 0 {
			t.Fatalf("add %s: %s", name, out)
		}
	}
	serve := exec.Command(bin, "serve")
	serve.Env = env
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { serve.Process.Signal(os.Interrupt); serve.Wait() }()
	base := "http://" + envValue(env, "ROUTEX_LISTEN")
	waitFor(t, "the engine", func() bool {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})

	session := "routex-model-" + filepath.Base(t.TempDir())
	shell := "env " + strings.Join(quoteAll([]string{"ROUTEX_HOME=" + envValue(env, "ROUTEX_HOME"),
		"ROUTEX_LISTEN=" + envValue(env, "ROUTEX_LISTEN"), "LC_ALL=C", "TERM=xterm-256color"}), " ") + " " + bin + " model; sleep 30"
	if out, err := exec.Command("tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", shell).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	defer exec.Command("tmux", "kill-session", "-t", session).Run()
	screen := func() string {
		out, _ := exec.Command("tmux", "capture-pane", "-p", "-t", session).Output()
		return string(out)
	}
	keys := func(k ...string) { exec.Command("tmux", append([]string{"send-keys", "-t", session}, k...)...).Run() }

	waitFor(t, "the menu", func() bool { return strings.Contains(screen(), "What do you want to do?") })
	keys("Down")
	time.Sleep(300 * time.Millisecond)
	keys("Enter")
	waitFor(t, "the channel list", func() bool { return strings.Contains(screen(), "active provider?") })
	keys("Down")
	time.Sleep(300 * time.Millisecond)
	keys("Enter")
	waitFor(t, "the model list", func() bool { return strings.Contains(screen(), "Which model?") })
	keys("Enter")

	cfg, err := config.Load(envValue(env, "ROUTEX_HOME"))
	if err != nil {
		t.Fatal(err)
	}
	var active struct {
		ChannelID *int64 `json:"channel_id"`
	}
	waitFor(t, "GET /api/active to show the second channel", func() bool {
		req, _ := http.NewRequest("GET", base+"/api/active", nil)
		req.Header.Set("Authorization", "Bearer "+cfg.AdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(&active)
		return active.ChannelID != nil && *active.ChannelID == 2
	})
	if s := screen(); !strings.Contains(s, "Active provider: second") {
		t.Errorf("the screen should confirm the switch:\n%s", s)
	}
}

func quoteAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return out
}

// waitFor polls cond for up to 20 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
