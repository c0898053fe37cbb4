package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
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
)

// engine is the real Routex server under test: `routex-headless serve` as a
// child process with a temporary ROUTEX_HOME.
type engine struct {
	url  string
	home string
	cmd  *exec.Cmd
	done chan error
}

// startEngine runs bin serve on a free loopback port and waits for /health;
// env adds to its environment (ROUTEX_DATABASE_URL for a shared database).
func startEngine(ctx context.Context, bin string, env ...string) (*engine, error) {
	home, err := os.MkdirTemp("", "routex-bench-")
	if err != nil {
		return nil, fmt.Errorf("make temporary ROUTEX_HOME: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logf, err := os.Create(filepath.Join(home, "serve.out"))
	if err != nil {
		return nil, fmt.Errorf("create engine output %s: %w", home, err)
	}
	cmd := exec.CommandContext(ctx, bin, "serve", "--listen", addr)
	cmd.Env = append(os.Environ(),
		"ROUTEX_HOME="+home,
		"ROUTEX_ACCESS_KEY="+benchAccessKey,
		"ROUTEX_ADMIN_TOKEN="+benchAdminToken,
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	e := &engine{url: "http://" + addr, home: home, cmd: cmd, done: make(chan error, 1)}
	go func() { e.done <- cmd.Wait(); logf.Close() }()
	if err := e.waitHealthy(15 * time.Second); err != nil {
		e.stop()
		return nil, err
	}
	return e, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (e *engine) waitHealthy(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-e.done:
			return fmt.Errorf("engine exited before it was healthy (%v); see %s", err, filepath.Join(e.home, "serve.out"))
		default:
		}
		resp, err := http.Get(e.url + "/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("engine not healthy at %s/health after %s", e.url, limit)
}

// stop ends the engine with SIGTERM and removes its home.
func (e *engine) stop() {
	if e.cmd.Process != nil {
		e.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.done:
		case <-time.After(10 * time.Second):
			e.cmd.Process.Kill()
			<-e.done
		}
	}
	os.RemoveAll(e.home)
}

// setup creates the bench's channels over the admin API, as a user would:
// an Anthropic channel on the mock (passthrough, the default route), an
// OpenAI channel (converted) and an Anthropic channel whose streams are
// slow (the concurrent-stream ramp).
func (e *engine) setup(mockURL string) error {
	channels := []map[string]any{
		{"name": chanAnthropic, "type": "anthropic", "base_url": mockURL, "api_key": "sk-ant-bench-0001", "models": []string{"claude-opus-4-8"}},
		{"name": chanOpenAI, "type": "openai", "base_url": mockURL + "/v1", "api_key": "sk-oai-bench-0001", "models": []string{"gpt-4.1"}},
		{"name": chanHold, "type": "anthropic", "base_url": mockURL + holdPrefix, "api_key": "sk-ant-bench-0002", "models": []string{"claude-opus-4-8"}},
	}
	for _, ch := range channels {
		if err := e.admin(http.MethodPost, "/api/channels", ch); err != nil {
			return err
		}
	}
	routes := map[string]any{"strategy": "priority", "routes": map[string][]string{"default": {chanAnthropic + ",claude-opus-4-8"}}}
	return e.admin(http.MethodPut, "/api/routes", routes)
}

func (e *engine) admin(method, path string, body any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+benchAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(msg))
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
	return procMemory(e.cmd.Process.Pid)
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
