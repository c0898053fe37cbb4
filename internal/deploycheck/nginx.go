//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// fillTemplate fills deploy/nginx.conf.template as the README's steps
// without Docker do (envsubst with the three names), then moves its
// listener from port 80 to listen, a loopback address the check may bind.
func fillTemplate(template, a, b, hostname, listen string) ([]byte, error) {
	in, err := os.ReadFile(template)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", template, err)
	}
	cmd := exec.Command("envsubst", "$ROUTEX_A $ROUTEX_B $ROUTEX_HOSTNAME")
	cmd.Env = append(os.Environ(), "ROUTEX_A="+a, "ROUTEX_B="+b, "ROUTEX_HOSTNAME="+hostname)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("envsubst %s: %w: %s", template, err, stderr.Bytes())
	}
	if bytes.Contains(out, []byte("${ROUTEX_")) {
		return nil, fmt.Errorf("%s: a variable was left unfilled", template)
	}
	const port80 = "listen 80;"
	if bytes.Count(out, []byte(port80)) != 1 {
		return nil, fmt.Errorf("%s: expected one %q to move to %s", template, port80, listen)
	}
	return bytes.Replace(out, []byte(port80), []byte("listen "+listen+";"), 1), nil
}

// nginx is the load balancer process.
type nginx struct {
	dir  string
	cmd  *exec.Cmd
	done chan error
}

// startNginx runs nginx in the foreground with site (the filled template)
// as its only server, everything else of its own in dir.
func startNginx(dir string, site []byte) (*nginx, error) {
	for _, sub := range []string{"body", "proxy", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "routex.conf"), site, 0o644); err != nil {
		return nil, err
	}
	// Run as root, nginx's workers would switch to nobody, who cannot
	// enter the temporary folder: keep them as the user running the check.
	user := ""
	if os.Geteuid() == 0 {
		user = "user root root;"
	}
	conf := fmt.Sprintf(`%s
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/logs/error.log;
events {}
http {
    access_log %[2]s/logs/access.log;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    include %[2]s/routex.conf;
}
`, user, dir)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	if out, err := exec.Command("nginx", "-t", "-q", "-p", dir, "-c", path).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("nginx -t: %w: %s", err, out)
	}
	cmd := exec.Command("nginx", "-p", dir, "-c", path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start nginx: %w", err)
	}
	n := &nginx{dir: dir, cmd: cmd, done: make(chan error, 1)}
	go func() { n.done <- cmd.Wait() }()
	select {
	case err := <-n.done:
		return nil, fmt.Errorf("nginx exited at once: %v: %s", err, strings.TrimSpace(stderr.String()))
	case <-time.After(300 * time.Millisecond):
	}
	return n, nil
}

// stop ends nginx quickly (SIGTERM is its fast shutdown) and waits.
func (n *nginx) stop() {
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
	}
}

// errorLog is the tail of nginx's error log, for a failure's message.
func (n *nginx) errorLog() string {
	raw, _ := os.ReadFile(filepath.Join(n.dir, "logs", "error.log"))
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	return strings.Join(lines[max(0, len(lines)-10):], "\n")
}
