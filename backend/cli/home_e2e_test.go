package cli

import (
	"bytes"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// One engine per home: a second `routex serve` (or `routex`) on the same
// home is refused with the running engine's address, and the CLI finds that
// engine through the lock's engine.json even when it listens elsewhere
// than config.json says (started with --listen).
func TestOneEnginePerHomeFromTheCLI(t *testing.T) {
	bin := binary(t)
	env := e2eHome(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	other := ln.Addr().String() // not ROUTEX_LISTEN: only engine.json knows it
	ln.Close()

	serve := exec.Command(bin, "serve", "--listen", other)
	serve.Env = env
	var out bytes.Buffer
	serve.Stdout, serve.Stderr = &out, &out
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { serve.Process.Kill(); serve.Wait() }()
	waitFor(t, "the engine", func() bool {
		resp, err := http.Get("http://" + other + "/health")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})

	pid := strconv.Itoa(serve.Process.Pid)
	for _, args := range [][]string{{"serve"}, {}} {
		got, code := runBin(t, bin, env, args...)
		if code == 0 || !strings.Contains(got, "http://"+other) || !strings.Contains(got, "pid "+pid) {
			t.Errorf("routex %v beside a running engine: exit %d, %q; want a refusal naming pid %s and http://%s",
				args, code, got, pid, other)
		}
	}
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"status"}, other},
		{[]string{"health"}, other},
		{[]string{"channel", "add", "c", "--type", "openai", "--base-url", "https://api.example.com/v1"}, "Added channel c"},
		{[]string{"channel", "list"}, "api.example.com"},
	} {
		got, code := runBin(t, bin, env, step.args...)
		if code != 0 || !strings.Contains(got, step.want) {
			t.Errorf("routex %v: exit %d, %q; want it to reach the engine at %s", step.args, code, got, other)
		}
	}
}
