package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/cli"
	"github.com/routex-app/routex/backend/config"
)

// runCmd executes the root command with args to completion, bounded, and
// returns what it printed.
func runCmd(t *testing.T, stdin io.Reader, args ...string) (string, error) {
	t.Helper()
	cmd := cli.NewRoot(cli.Runtime{Version: "test"})
	out := &syncBuffer{}
	cmd.SetOut(out)
	cmd.SetErr(out)
	if stdin != nil {
		cmd.SetIn(stdin)
	}
	cmd.SetArgs(args)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(25 * time.Second):
		t.Fatalf("routex %s did not return", strings.Join(args, " "))
		return "", nil
	}
}

// adminCall sends a request to the engine's admin API with the home's
// admin token.
func adminCall(t *testing.T, base, token, method, path, body string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
}

func TestRouteExplain(t *testing.T) {
	cliEnv(t)

	home := filepath.Join(t.TempDir(), "home")
	r := start(t, cli.Runtime{Version: "test"}, "serve", "--home", home, "--listen", "127.0.0.1:0")
	base := strings.TrimSuffix(r.waitURL(t), "/")
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	addr := u.Host
	cfg, err := config.Load(home)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{
		`{"name":"anthropic-main","type":"anthropic","base_url":"https://api.anthropic.example","api_key":"sk-ant-test-1234567"}`,
		`{"name":"deepseek","type":"openai","base_url":"https://api.deepseek.example/v1","api_key":"sk-ds-test-1234567"}`,
	} {
		adminCall(t, base, cfg.AdminToken, http.MethodPost, "/api/channels", ch)
	}
	adminCall(t, base, cfg.AdminToken, http.MethodPut, "/api/routes",
		`{"routes":{"default":["anthropic-main"],"think":["deepseek,deepseek-reasoner"]},
		  "rules":[{"name":"team","header":"x-team=backend","targets":["deepseek,deepseek-chat"]}]}`)

	dir := t.TempDir()
	thinking := filepath.Join(dir, "thinking.json")
	os.WriteFile(thinking, []byte(`{"model":"claude-sonnet-4-5","max_tokens":4096,
		"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"hi"}]}`), 0o600)
	plain := `{"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`

	var online string // the running engine's explanation of thinking.json
	t.Run("a thinking request file is explained as the think route to deepseek", func(t *testing.T) {
		out, err := runCmd(t, nil, "route", "explain", "--home", home, "--listen", addr, thinking)
		if err != nil {
			t.Fatalf("route explain: %v\n%s", err, out)
		}
		online = out
		if !regexp.MustCompile(`Scenario: think\s+strategy: priority`).MatchString(out) {
			t.Errorf("no think scenario line:\n%s", out)
		}
		if !regexp.MustCompile(`(?m)^1\s+deepseek\s+openai\s+deepseek-reasoner\s+available`).MatchString(out) {
			t.Errorf("first target is not deepseek-reasoner, available:\n%s", out)
		}
		if !strings.Contains(out, "converted") || !strings.Contains(out, "Why:") || !strings.Contains(out, "think: thinking is on") {
			t.Errorf("no conversion note or reasons:\n%s", out)
		}
	})

	t.Run("a body on stdin is explained as the default route", func(t *testing.T) {
		out, err := runCmd(t, strings.NewReader(plain), "route", "explain", "--home", home, "--listen", addr, "-")
		if err != nil {
			t.Fatalf("route explain -: %v\n%s", err, out)
		}
		if !strings.Contains(out, "Scenario: default") || !regexp.MustCompile(`(?m)^1\s+anthropic-main\s+anthropic\s+claude-sonnet-4-5`).MatchString(out) {
			t.Errorf("not the default route to anthropic-main:\n%s", out)
		}
	})

	t.Run("--header takes part in header rules and --json prints the whole answer", func(t *testing.T) {
		out, err := runCmd(t, strings.NewReader(plain), "route", "explain", "--home", home, "--listen", addr,
			"--header", "x-team:backend", "--json")
		if err != nil {
			t.Fatalf("route explain --json: %v\n%s", err, out)
		}
		var e struct {
			Scenario string `json:"scenario"`
			Rule     string `json:"rule"`
			Targets  []struct {
				Channel string `json:"channel"`
				Model   string `json:"model"`
			} `json:"targets"`
		}
		if err := json.Unmarshal([]byte(out), &e); err != nil {
			t.Fatalf("--json output is not JSON: %v\n%s", err, out)
		}
		if e.Scenario != "rule" || e.Rule != "team" || len(e.Targets) == 0 || e.Targets[0].Channel != "deepseek" || e.Targets[0].Model != "deepseek-chat" {
			t.Errorf("explanation %+v", e)
		}
	})

	t.Run("a body that is not JSON is refused with the API's message", func(t *testing.T) {
		out, err := runCmd(t, strings.NewReader("model: x"), "route", "explain", "--home", home, "--listen", addr)
		if err == nil || !strings.Contains(err.Error(), "JSON object") {
			t.Fatalf("err = %v\n%s", err, out)
		}
	})

	t.Run("a missing file is reported", func(t *testing.T) {
		_, err := runCmd(t, nil, "route", "explain", "--home", home, "--listen", addr, filepath.Join(dir, "nope.json"))
		if err == nil || !strings.Contains(err.Error(), "nope.json") {
			t.Fatalf("err = %v", err)
		}
	})

	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}

	t.Run("with no engine running the store's routes are explained offline, as the engine did", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := ln.Addr().String()
		ln.Close()
		out, err := runCmd(t, nil, "route", "explain", "--home", home, "--listen", closed, thinking)
		if err != nil {
			t.Fatalf("route explain with no engine: %v\n%s", err, out)
		}
		if !regexp.MustCompile(`(?m)^1\s+deepseek\s+openai\s+deepseek-reasoner\s+available`).MatchString(out) {
			t.Errorf("offline, the first target is not deepseek-reasoner, available:\n%s", out)
		}
		if online != "" && out != online {
			t.Errorf("offline explanation differs from the engine's:\n%s\nengine:\n%s", out, online)
		}
		out, err = runCmd(t, strings.NewReader("model: x"), "route", "explain", "--home", home, "--listen", closed)
		if err == nil || !strings.Contains(err.Error(), "JSON object") {
			t.Fatalf("offline, a body that is not JSON: err = %v\n%s", err, out)
		}
	})
}
