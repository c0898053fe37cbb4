package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Fixed keys of the child engines: each owns a temporary home, so nothing
// here is a user's secret.
const (
	accessKey  = "rx-clients-access-key"
	adminToken = "rx-clients-admin-token"
)

// engine is one headless Routex (`routex-headless serve`) with its own
// temporary ROUTEX_HOME, run for one cell.
type engine struct {
	url  string
	home string
	cmd  *exec.Cmd
	done chan error
}

// startEngine runs bin serve on a free loopback port, its output in
// logPath, and waits for /health.
func startEngine(ctx context.Context, bin, logPath string) (*engine, error) {
	home, err := os.MkdirTemp("", "routex-clients-")
	if err != nil {
		return nil, fmt.Errorf("make temporary ROUTEX_HOME: %w", err)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(home)
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logf, err := os.Create(logPath)
	if err != nil {
		os.RemoveAll(home)
		return nil, fmt.Errorf("create engine log %s: %w", logPath, err)
	}
	cmd := exec.CommandContext(ctx, bin, "serve", "--listen", addr)
	cmd.Env = append(os.Environ(), "ROUTEX_HOME="+home, "ROUTEX_ACCESS_KEY="+accessKey, "ROUTEX_ADMIN_TOKEN="+adminToken)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		logf.Close()
		os.RemoveAll(home)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	e := &engine{url: "http://" + addr, home: home, cmd: cmd, done: make(chan error, 1)}
	go func() { e.done <- cmd.Wait(); logf.Close() }()
	if err := e.waitHealthy(20 * time.Second); err != nil {
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
			e.done <- err
			return fmt.Errorf("engine exited before it was healthy: %v", err)
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
		case err := <-e.done:
			e.done <- err
		case <-time.After(10 * time.Second):
			e.cmd.Process.Kill()
		}
	}
	os.RemoveAll(e.home)
}

// admin calls the admin API and returns the status and body.
func (e *engine) admin(method, path string, body any) (int, []byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, bytes.TrimSpace(msg), nil
}

// addChannel creates the cell's only channel and makes it the default
// route's target under model.
func (e *engine) addChannel(ch channelSpec, baseURL, apiKey string) error {
	status, msg, err := e.admin(http.MethodPost, "/api/channels", map[string]any{
		"name": ch.name(), "type": ch.Type, "base_url": baseURL, "api_key": apiKey, "models": []string{ch.Model},
	})
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("create %s channel: status %d: %s", ch.Type, status, msg)
	}
	status, msg, err = e.admin(http.MethodPut, "/api/routes", map[string]any{
		"strategy": "priority", "routes": map[string][]string{"default": {ch.name() + "," + ch.Model}},
	})
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("set the default route: status %d: %s", status, msg)
	}
	return nil
}

// serves reports whether the engine answers path with anything but 404.
func (e *engine) serves(path string, body string) (bool, error) {
	req, err := http.NewRequest(http.MethodPost, e.url+path, bytes.NewBufferString(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+accessKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode != http.StatusNotFound, nil
}

// capabilities is what this Routex build offers that the matrix depends
// on: the Responses API as a channel type and as a client endpoint.
type capabilities struct {
	ResponsesChannel  bool `json:"responses_channel"`
	ResponsesEndpoint bool `json:"responses_endpoint"`
}

// probe starts a throwaway engine and asks it.
func probe(ctx context.Context, bin, dir string) (capabilities, error) {
	var c capabilities
	e, err := startEngine(ctx, bin, filepath.Join(dir, "probe-serve.log"))
	if err != nil {
		return c, err
	}
	defer e.stop()
	status, _, err := e.admin(http.MethodPost, "/api/channels", map[string]any{
		"name": "probe", "type": "openai-responses", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-probe", "models": []string{"gpt-probe"},
	})
	if err != nil {
		return c, err
	}
	c.ResponsesChannel = status/100 == 2
	c.ResponsesEndpoint, err = e.serves("/v1/responses", `{"model":"gpt-probe","input":"probe"}`)
	return c, err
}
