// Package childengine runs a real Routex engine (`routex-headless serve`)
// as a child process with its own temporary ROUTEX_HOME on a free loopback
// port, for the tools that drive one from outside: the benchmark (bench/)
// and the coding-agent matrix (testclients/). It is the one place that
// knows how such an engine is started, waited for and stopped.
package childengine

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

// Options says how to start an engine.
type Options struct {
	// Bin is the routex-headless binary.
	Bin string
	// HomePrefix names the temporary ROUTEX_HOME (os.MkdirTemp pattern).
	HomePrefix string
	// LogPath receives the engine's output; empty means serve.out in its
	// home.
	LogPath string
	// AccessKey and AdminToken are the engine's fixed keys (the home is
	// temporary, so they are no user's secrets).
	AccessKey, AdminToken string
	// Env adds to the engine's environment (ROUTEX_DATABASE_URL, …).
	Env []string
	// Healthy is how long /health may take to answer 200.
	Healthy time.Duration
	// Prepare, if set, adjusts the command before it starts.
	Prepare func(*exec.Cmd)
}

// Engine is one running child engine.
type Engine struct {
	// URL is the engine's base URL, http://127.0.0.1:PORT.
	URL string
	// Home is its temporary ROUTEX_HOME, removed by Stop.
	Home string
	// Cmd is the child process.
	Cmd *exec.Cmd

	adminToken string
	logPath    string
	exited     chan struct{} // closed when the process has been waited for
	waitErr    error         // what Wait returned, set before exited closes
}

// Start runs opts.Bin serve and waits until /health answers; on any error
// nothing is left running and the home is removed.
func Start(ctx context.Context, opts Options) (*Engine, error) {
	home, err := os.MkdirTemp("", opts.HomePrefix)
	if err != nil {
		return nil, fmt.Errorf("make temporary ROUTEX_HOME: %w", err)
	}
	port, err := FreePort()
	if err != nil {
		os.RemoveAll(home)
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logPath := opts.LogPath
	if logPath == "" {
		logPath = filepath.Join(home, "serve.out")
	}
	logf, err := os.Create(logPath)
	if err != nil {
		os.RemoveAll(home)
		return nil, fmt.Errorf("create engine log %s: %w", logPath, err)
	}
	cmd := exec.CommandContext(ctx, opts.Bin, "serve", "--listen", addr)
	cmd.Env = append(os.Environ(), "ROUTEX_HOME="+home, "ROUTEX_ACCESS_KEY="+opts.AccessKey, "ROUTEX_ADMIN_TOKEN="+opts.AdminToken)
	cmd.Env = append(cmd.Env, opts.Env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if opts.Prepare != nil {
		opts.Prepare(cmd)
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		os.RemoveAll(home)
		return nil, fmt.Errorf("start %s: %w", opts.Bin, err)
	}
	e := &Engine{URL: "http://" + addr, Home: home, Cmd: cmd, adminToken: opts.AdminToken, logPath: logPath, exited: make(chan struct{})}
	go func() {
		e.waitErr = cmd.Wait()
		logf.Close()
		close(e.exited)
	}()
	if err := e.waitHealthy(opts.Healthy); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

// FreePort returns a loopback port nothing listens on now.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (e *Engine) waitHealthy(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-e.exited:
			return fmt.Errorf("engine exited before it was healthy (%v); see %s", e.waitErr, e.logPath)
		default:
		}
		resp, err := http.Get(e.URL + "/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("engine not healthy at %s/health after %s", e.URL, limit)
}

// Stop ends the engine with SIGTERM (SIGKILL after 10 s), waits for it and
// removes its home.
func (e *Engine) Stop() {
	if e.Cmd.Process != nil {
		e.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.exited:
		case <-time.After(10 * time.Second):
			e.Cmd.Process.Kill()
			<-e.exited
		}
	}
	os.RemoveAll(e.Home)
}

// Admin calls the engine's admin API with body as JSON and returns the
// status and the trimmed answer.
func (e *Engine) Admin(method, path string, body any) (int, []byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequest(method, e.URL+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+e.adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, bytes.TrimSpace(msg), nil
}
