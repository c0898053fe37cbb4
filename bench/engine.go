package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/routex-app/routex/internal/childengine"
)

// Fixed keys of the child engine: the bench owns its temporary home, so
// nothing here is a user's secret.
const (
	benchAccessKey  = "rx-bench-access-key"
	benchAdminToken = "rx-bench-admin-token"
)

// Channel names the bench creates. The converted path names its channel in
// the model ("bench-openai,gpt-4.1", as Claude Code's /model does) so both
// paths run against one engine in the same rounds.
const (
	chanAnthropic = "bench-anthropic"
	chanOpenAI    = "bench-openai"
	chanHold      = "bench-hold"
	chanFirstByte = "bench-ttfb"
)

// engine is the real Routex server under test: `routex-headless serve` as a
// child process with a temporary ROUTEX_HOME.
type engine struct{ *childengine.Engine }

// startEngine runs bin serve on a free loopback port and waits for /health;
// env adds to its environment (ROUTEX_DATABASE_URL for a shared database).
func startEngine(ctx context.Context, bin string, env ...string) (*engine, error) {
	e, err := childengine.Start(ctx, childengine.Options{
		Bin: bin, HomePrefix: "routex-bench-",
		AccessKey: benchAccessKey, AdminToken: benchAdminToken, Env: env,
		Healthy: 15 * time.Second, Prepare: dieWithParent,
	})
	if err != nil {
		return nil, err
	}
	return &engine{e}, nil
}

// setup creates the bench's channels over the admin API, as a user would:
// an Anthropic channel on the mock (passthrough, the default route), an
// OpenAI channel (converted), an Anthropic channel whose streams are
// slow (the concurrent-stream ramp) and one whose replies hold their first
// byte (the key phase's realistic upstream).
func (e *engine) setup(mockURL string) error {
	channels := []map[string]any{
		{"name": chanAnthropic, "type": "anthropic", "base_url": mockURL, "api_key": "sk-ant-bench-0001", "models": []string{"claude-opus-4-8"}},
		{"name": chanOpenAI, "type": "openai", "base_url": mockURL + "/v1", "api_key": "sk-oai-bench-0001", "models": []string{"gpt-4.1"}},
		{"name": chanHold, "type": "anthropic", "base_url": mockURL + holdPrefix, "api_key": "sk-ant-bench-0002", "models": []string{"claude-opus-4-8"}},
		{"name": chanFirstByte, "type": "anthropic", "base_url": mockURL + firstBytePrefix, "api_key": "sk-ant-bench-0003", "models": []string{"claude-opus-4-8"}},
	}
	for _, ch := range channels {
		if err := e.admin(http.MethodPost, "/api/channels", ch); err != nil {
			return err
		}
	}
	routes := map[string]any{"strategy": "priority", "routes": map[string][]string{"default": {chanAnthropic + ",claude-opus-4-8"}}}
	return e.admin(http.MethodPut, "/api/routes", routes)
}

// admin calls the admin API and fails on any answer but 2xx.
func (e *engine) admin(method, path string, body any) error {
	status, msg, err := e.Admin(method, path, body)
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %s", method, path, status, msg)
	}
	return nil
}

// Memory is the engine's resident memory in MB, from /proc/<pid>/status.
type Memory struct {
	RSS float64 `json:"rss_mb"`
	HWM float64 `json:"hwm_mb"`
}

// errNoProc is returned where /proc is missing (not Linux).
var errNoProc = errors.New("no /proc/<pid>/status on this system")

// memory reads VmRSS (now) and VmHWM (peak so far) of the engine.
func (e *engine) memory() (Memory, error) {
	return procMemory(e.Cmd.Process.Pid)
}

func procMemory(pid int) (Memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, errNoProc
	}
	defer f.Close()
	var m Memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 64)
		if err != nil {
			continue
		}
		switch key {
		case "VmRSS":
			m.RSS = round3(kb / 1024)
		case "VmHWM":
			m.HWM = round3(kb / 1024)
		}
	}
	return m, sc.Err()
}

// startRig starts the mock upstream and a `routex serve` set up to use it,
// then lets it settle; stop ends both. Every phase that measures the
// engine starts from it.
func startRig(ctx context.Context, opts options) (*servers, *engine, func(), error) {
	srv, err := startServers(opts.mock)
	if err != nil {
		return nil, nil, nil, err
	}
	eng, err := startEngine(ctx, opts.bin)
	if err != nil {
		srv.close()
		return nil, nil, nil, err
	}
	stop := func() {
		eng.Stop()
		srv.close()
	}
	if err := eng.setup(srv.mockURL); err != nil {
		stop()
		return nil, nil, nil, err
	}
	time.Sleep(opts.settle)
	return srv, eng, stop, nil
}
