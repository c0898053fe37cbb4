package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
)

// deepSeekMock answers GET https://api.deepseek.com/user/balance as DeepSeek
// documents it, for the key sk-ds-good only; the engine's upstream
// transport dials it whatever the host.
func deepSeekMock(t *testing.T) http.RoundTripper {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Host != "api.deepseek.com" || r.URL.Path != "/user/balance":
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error":{"message":"not found"}}`)
		case r.Header.Get("Authorization") != "Bearer sk-ds-good":
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":{"message":"Authentication Fails"}}`)
		default:
			fmt.Fprint(w, `{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"110.00","granted_balance":"10.00","topped_up_balance":"100.00"}]}`)
		}
	}))
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	return &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}
}

func TestChannelBalanceShowsTheProvidersAnswer(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	cfg, err := config.Load(f.home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = "127.0.0.1:0"
	e, err := engine.New(cfg, engine.Options{Version: "engine-test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Transport: deepSeekMock(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Stop(context.Background()) })
	f.listen = strings.TrimPrefix(e.URL(), "http://")

	for _, args := range [][]string{
		{"add", "ds", "--type", "openai", "--base-url", "https://api.deepseek.com/v1", "--key", "sk-ds-good",
			"--claude-model", "opus=deepseek-v4-pro", "--claude-model", "haiku=deepseek-v4-flash"},
		{"add", "glm", "--type", "openai", "--base-url", "https://open.bigmodel.cn/api/paas/v4", "--key", "sk-glm"},
	} {
		if out, err := run(t, channelCmd(f), "", args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	out, err := run(t, channelCmd(f), "", "balance")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"REMAINING", "ds", "110.00", "CNY", "ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("channel balance lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "glm") {
		t.Errorf("a channel without a query is listed:\n%s", out)
	}
	out, err = run(t, channelCmd(f), "", "balance", "ds", "--refresh", "--json")
	if err != nil || !strings.Contains(out, `"remaining": 110`) || !strings.Contains(out, `"provider": "deepseek"`) {
		t.Errorf("balance ds --refresh --json: %v\n%s", err, out)
	}
	if _, err := run(t, channelCmd(f), "", "balance", "glm"); err == nil || !strings.Contains(err.Error(), "has no balance query") {
		t.Errorf("balance of a channel without a query: %v", err)
	}
	out, err = run(t, channelCmd(f), "", "show", "ds")
	if err != nil || !strings.Contains(out, "haiku=deepseek-v4-flash") || !strings.Contains(out, "opus=deepseek-v4-pro") {
		t.Errorf("show lacks the Claude Code models: %v\n%s", err, out)
	}
	// A custom query on the channel without a provider endpoint, then off.
	q := `{"url":"https://api.deepseek.com/user/balance","headers":{"Authorization":"Bearer sk-ds-good"},"remaining":"balance_infos.0.total_balance","unit":"CNY"}`
	if out, err := run(t, channelCmd(f), "", "edit", "glm", "--balance-query", q); err != nil {
		t.Fatalf("edit --balance-query: %v\n%s", err, out)
	}
	if out, err = run(t, channelCmd(f), "", "balance", "glm", "--refresh"); err != nil || !strings.Contains(out, "110.00") {
		t.Errorf("the custom query: %v\n%s", err, out)
	}
	if _, err := run(t, channelCmd(f), "", "edit", "glm", "--claude-model", "fastest=x"); err == nil || !strings.Contains(err.Error(), "unknown slot fastest") {
		t.Errorf("an unknown slot: %v", err)
	}
}
