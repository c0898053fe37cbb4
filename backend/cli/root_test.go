package cli_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/cli"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
)

// syncBuffer is the command's output, written by the serving goroutine and
// read by the test while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cliEnv pins the language to English and clears overrides the developer's
// shell may hold. Tests that call it cannot run in parallel.
func cliEnv(t *testing.T) {
	t.Setenv("LC_ALL", "en_US.UTF-8")
	for _, k := range []string{config.EnvHome, config.EnvListen, config.EnvAccessKey, config.EnvAdminToken, config.EnvLogLevel} {
		t.Setenv(k, "")
	}
}

// running is a command executing in the background.
type running struct {
	out    *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, rt cli.Runtime, args ...string) *running {
	t.Helper()
	cmd := cli.NewRoot(rt)
	r := &running{out: &syncBuffer{}, done: make(chan error, 1)}
	cmd.SetOut(r.out)
	cmd.SetErr(r.out)
	cmd.SetArgs(args)
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(20 * time.Second):
			t.Error("command did not stop")
		}
	})
	return r
}

var dashboardLine = regexp.MustCompile(`Dashboard: (http://\S+)`)

// waitURL waits until the command prints its dashboard URL and returns it.
func (r *running) waitURL(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if m := dashboardLine.FindStringSubmatch(r.out.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-r.done:
			t.Fatalf("command ended before serving: %v\noutput:\n%s", err, r.out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no Dashboard line within 15s; output:\n%s", r.out)
	return ""
}

// stop cancels the command's context and returns what Execute returned.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(20 * time.Second):
		t.Fatalf("command did not return after cancel; output:\n%s", r.out)
		return nil
	}
}

func getHealth(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(base, "/") + "/health")
	if err != nil {
		t.Fatalf("GET /health: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /health: %d", resp.StatusCode)
	}
}

func TestVersion(t *testing.T) {
	cliEnv(t)
	for _, args := range [][]string{{"version"}, {"--version"}} {
		t.Run(strings.Join(args, " ")+" prints routex and the version", func(t *testing.T) {
			cmd := cli.NewRoot(cli.Runtime{Version: "9.9.9-test"})
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetArgs(args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "routex") || !strings.Contains(out.String(), "9.9.9-test") {
				t.Fatalf("output %q", out.String())
			}
		})
	}

	t.Run("version names the Go runtime and platform", func(t *testing.T) {
		cmd := cli.NewRoot(cli.Runtime{Version: "1.0.0"})
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs([]string{"version"})
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.String(), "routex 1.0.0 (") || !strings.Contains(out.String(), runtime.GOOS+"/"+runtime.GOARCH) {
			t.Fatalf("output %q", out.String())
		}
	})
}

func TestServe(t *testing.T) {
	cliEnv(t)

	t.Run("serve starts on the real port, answers /health and stops cleanly", func(t *testing.T) {
		home := filepath.Join(t.TempDir(), "home")
		r := start(t, cli.Runtime{Version: "test"}, "serve", "--home", home, "--listen", "127.0.0.1:0")
		url := r.waitURL(t)
		if strings.Contains(url, ":0/") {
			t.Fatalf("printed port 0, not the bound port: %s", url)
		}
		getHealth(t, url)
		out := r.out.String()
		if !strings.Contains(out, config.Path(home)) {
			t.Errorf("output does not name config.json:\n%s", out)
		}
		if err := r.stop(t); err != nil {
			t.Fatalf("Execute returned %v", err)
		}
		if !strings.Contains(r.out.String(), "Stopped.") {
			t.Fatalf("no Stopped. line:\n%s", r.out)
		}
		for _, p := range []string{config.DatabasePath(home), config.Path(home), filepath.Join(config.LogDir(home), "routex.log")} {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("missing after serve: %v", err)
			}
		}
		if os.Getenv(config.EnvHome) != "" {
			t.Errorf("--home leaked into the environment: ROUTEX_HOME=%q", os.Getenv(config.EnvHome))
		}
	})

	t.Run("the admin API over the listener needs the admin token from config.json", func(t *testing.T) {
		home := filepath.Join(t.TempDir(), "home")
		r := start(t, cli.Runtime{Version: "test"}, "serve", "--home", home, "--listen", "127.0.0.1:0")
		base := strings.TrimSuffix(r.waitURL(t), "/")
		resp, err := http.Get(base + "/api/info")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("GET /api/info without token: %d", resp.StatusCode)
		}
		cfg, err := config.Load(home)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", base+"/api/info", nil)
		req.Header.Set("Authorization", "Bearer "+cfg.AdminToken)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/info with token: %d", resp.StatusCode)
		}
		if err := r.stop(t); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("the root command without a desktop says so and serves", func(t *testing.T) {
		home := filepath.Join(t.TempDir(), "home")
		r := start(t, cli.Runtime{Version: "test"}, "--home", home, "--listen", "127.0.0.1:0")
		getHealth(t, r.waitURL(t))
		if !strings.Contains(r.out.String(), "no desktop window") {
			t.Fatalf("no desktop notice:\n%s", r.out)
		}
		if err := r.stop(t); err != nil || !strings.Contains(r.out.String(), "Stopped.") {
			t.Fatalf("stop: %v\n%s", err, r.out)
		}
	})

	t.Run("the root command without a display serves headless and never opens the window", func(t *testing.T) {
		if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
			t.Skip("these systems always have a display")
		}
		t.Setenv("DISPLAY", "")
		t.Setenv("WAYLAND_DISPLAY", "")
		home := filepath.Join(t.TempDir(), "home")
		desktop := func(*engine.Engine) error {
			t.Error("the desktop window was opened without a display")
			return nil
		}
		r := start(t, cli.Runtime{Version: "test", Desktop: desktop}, "--home", home, "--listen", "127.0.0.1:0")
		getHealth(t, r.waitURL(t))
		if !strings.Contains(r.out.String(), "No display found") {
			t.Fatalf("no display notice:\n%s", r.out)
		}
		if err := r.stop(t); err != nil {
			t.Fatal(err)
		}
	})
}

func TestServeFailures(t *testing.T) {
	cliEnv(t)

	// run executes args to completion; serve must fail before it listens.
	run := func(t *testing.T, args ...string) (string, error) {
		t.Helper()
		cmd := cli.NewRoot(cli.Runtime{Version: "test"})
		out := &syncBuffer{}
		cmd.SetOut(out)
		cmd.SetArgs(args)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- cmd.ExecuteContext(ctx) }()
		select {
		case err := <-done:
			return out.String(), err
		case <-time.After(20 * time.Second):
			t.Fatal("command did not return")
			return "", nil
		}
	}

	t.Run("a malformed config.json stops serve with the file and line, and is left unchanged", func(t *testing.T) {
		home := t.TempDir()
		bad := "{\n  \"listen\": \"127.0.0.1:0\"\n  \"log_level\": \"info\"\n}\n"
		if err := os.WriteFile(config.Path(home), []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := run(t, "serve", "--home", home, "--listen", "127.0.0.1:0")
		if err == nil {
			t.Fatalf("serve succeeded; output:\n%s", out)
		}
		if !strings.Contains(err.Error(), config.Path(home)) || !strings.Contains(err.Error(), "line 3") {
			t.Fatalf("error %q does not name the file and line", err)
		}
		if strings.Contains(out, "Dashboard:") {
			t.Fatalf("printed a dashboard URL:\n%s", out)
		}
		after, _ := os.ReadFile(config.Path(home))
		if string(after) != bad {
			t.Fatalf("config.json changed:\n%s", after)
		}
		if _, err := os.Stat(config.DatabasePath(home)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a database was created: %v", err)
		}
	})

	t.Run("a bad --log-level is refused", func(t *testing.T) {
		_, err := run(t, "serve", "--home", t.TempDir(), "--listen", "127.0.0.1:0", "--log-level", "loud")
		if err == nil || !strings.Contains(err.Error(), "loud") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("a port in use is reported with a hint", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		_, err = run(t, "serve", "--home", t.TempDir(), "--listen", ln.Addr().String())
		if err == nil || !strings.Contains(err.Error(), "--listen") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("serve takes no arguments", func(t *testing.T) {
		if _, err := run(t, "serve", "extra", "--home", t.TempDir()); err == nil {
			t.Fatal("serve accepted an argument")
		}
	})
}
