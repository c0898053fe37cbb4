//go:build linux

// Command deploycheck runs the README's team gateway without Docker, for
// real, and checks that it works as the README says: a PostgreSQL server
// (the tests' throwaway one), two `routex-headless serve` instances sharing
// it, nginx in front with deploy/nginx.conf.template filled in by envsubst
// as the README's steps fill it, and a strict stand-in for Anthropic's API.
// Everything goes through nginx's address with the gateway's host name:
// the admin API adds a channel and a key per person, requests (whole and
// streamed, with the access key and with the person's key) are served by
// both instances, a Host that is not the gateway's is refused, one
// instance is killed and every later request is still served, and a key
// revoked then is refused at once.
//
//	go run ./internal/deploycheck -bin build/bin/routex-headless
//
// scripts/deploy-check.sh (make test-deploy) runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/routex-app/routex/backend/store/pgtest"
	"github.com/routex-app/routex/internal/childengine"
)

// The gateway's fixed secrets: every home and database here is temporary.
const (
	accessKey  = "rx-deploycheck-access-0000000000000000"
	adminToken = "rxa-deploycheck-admin-000000000000000"
	hostname   = "routex.example.com"
)

func main() {
	bin := flag.String("bin", "build/bin/routex-headless", "the routex-headless binary")
	template := flag.String("template", "deploy/nginx.conf.template", "the nginx template of deploy/")
	flag.Parse()
	start := time.Now()
	err := run(*bin, *template)
	pgtest.Stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "deploycheck: FAILED:", err)
		os.Exit(1)
	}
	fmt.Printf("deploycheck: the team gateway without Docker works as the README says (%.1f s)\n", time.Since(start).Seconds())
}

func run(bin, template string) error {
	if err := pgtest.Available(); err != nil {
		return fmt.Errorf("no PostgreSQL server: %w", err)
	}
	dbURL, drop, err := pgtest.Database()
	if err != nil {
		return err
	}
	defer drop()

	mock := &anthropicMock{release: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	upstream := &http.Server{Handler: mock, ReadHeaderTimeout: 10 * time.Second}
	go upstream.Serve(ln)
	defer upstream.Close()
	mockURL := "http://" + ln.Addr().String()

	ctx := context.Background()
	instances := map[string]*childengine.Engine{}
	for _, name := range []string{"a", "b"} {
		e, err := childengine.Start(ctx, childengine.Options{
			Bin: bin, HomePrefix: "routex-deploycheck-" + name + "-",
			AccessKey: accessKey, AdminToken: adminToken, Healthy: 30 * time.Second,
			Env: []string{"ROUTEX_DATABASE_URL=" + dbURL, "ROUTEX_INSTANCE=" + name, "ROUTEX_ALLOWED_HOSTS=" + hostname},
		})
		if err != nil {
			return fmt.Errorf("instance %s: %w", name, err)
		}
		defer e.Stop()
		instances[name] = e
	}

	port, err := childengine.FreePort()
	if err != nil {
		return err
	}
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	site, err := fillTemplate(template, hostOf(instances["a"].URL), hostOf(instances["b"].URL), hostname, listen)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "routex-deploycheck-nginx-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lb, err := startNginx(dir, site)
	if err != nil {
		return err
	}
	defer lb.stop()

	g := &gateway{base: "http://" + listen, host: hostname, mockURL: mockURL}
	if err := g.waitHealthy(15 * time.Second); err != nil {
		return fmt.Errorf("%w\nnginx error log:\n%s", err, lb.errorLog())
	}
	if err := check(g, instances, mock); err != nil {
		return fmt.Errorf("%w\nnginx error log:\n%s", err, lb.errorLog())
	}
	return nil
}

// hostOf is the host:port of an instance's base URL, as nginx names it.
func hostOf(url string) string {
	const scheme = "http://"
	if len(url) > len(scheme) && url[:len(scheme)] == scheme {
		return url[len(scheme):]
	}
	return url
}

// check is the walk through the gateway; each step says what failed.
func check(g *gateway, instances map[string]*childengine.Engine, mock *anthropicMock) error {
	if err := g.admin(http.MethodPost, "/api/channels", map[string]any{
		"name": "provider", "type": "anthropic", "base_url": g.mockURL, "api_key": mockKey,
		"models": []string{"claude-sonnet-4-5"},
	}, nil); err != nil {
		return err
	}
	var key struct {
		Key string `json:"key"`
		ID  int64  `json:"id"`
	}
	if err := g.admin(http.MethodPost, "/api/keys", map[string]any{"name": "alice", "owner": "alice@example.com", "rpm": 1000}, &key); err != nil {
		return err
	}
	if key.Key == "" || key.ID == 0 {
		return errors.New("POST /api/keys through nginx: no key in the answer")
	}
	step("a channel and a key per person, made through nginx's address")

	// Requests through nginx reach both instances. A channel made on one
	// instance reaches the other within a second (its change feed): retry
	// a refused request for that long only.
	const perCredential = 12
	for i := 0; i < perCredential; i++ {
		for _, cred := range []string{accessKey, key.Key} {
			if err := g.messageEventually(cred, i%3 == 0, 2*time.Second); err != nil {
				return fmt.Errorf("request %d through nginx: %w", i, err)
			}
		}
	}
	rows, err := g.logRows(2*perCredential, 10*time.Second)
	if err != nil {
		return err
	}
	served := map[string]int{}
	byKey := 0
	for _, r := range rows {
		served[r.Instance]++
		if r.KeyName == "alice" {
			byKey++
		}
	}
	if served["a"] == 0 || served["b"] == 0 {
		return fmt.Errorf("nginx sent every request to one instance: served by instance %v", served)
	}
	if byKey < perCredential {
		return fmt.Errorf("the request log names alice's key on %d rows, want %d", byKey, perCredential)
	}
	step(fmt.Sprintf("%d requests (a third streamed) through nginx: served by both instances %v, one log for both", 2*perCredential, served))

	if err := g.streamsLive(mock, 5*time.Second); err != nil {
		return err
	}
	step("a stream reaches the client event by event through nginx and the instance, not held back")

	if status, err := g.status(http.MethodGet, "/health", "evil.example.com", ""); err != nil || status != http.StatusForbidden {
		return fmt.Errorf("a request for another host name through nginx: status %d (%v), want 403 from the Host guard", status, err)
	}
	step("a Host other than the gateway's is refused")

	// Kill A without warning; nginx sends what fails there to B.
	killed := instances["a"]
	if err := killed.Cmd.Process.Kill(); err != nil {
		return fmt.Errorf("kill instance a: %w", err)
	}
	if err := waitRefused(hostOf(killed.URL), 5*time.Second); err != nil {
		return err
	}
	before := mock.served.Load()
	for i := 0; i < perCredential; i++ {
		if err := g.message(accessKey, i%3 == 0); err != nil {
			return fmt.Errorf("request %d after instance a was killed: %w", i, err)
		}
	}
	if got := mock.served.Load() - before; got != perCredential {
		return fmt.Errorf("after the kill the provider served %d requests, want %d", got, perCredential)
	}
	step(fmt.Sprintf("instance a killed (SIGKILL): the next %d requests were all served by b", perCredential))

	if err := g.admin(http.MethodDelete, fmt.Sprintf("/api/keys/%d", key.ID), nil, nil); err != nil {
		return err
	}
	if status, err := g.messageStatus(key.Key); err != nil || status != http.StatusForbidden {
		return fmt.Errorf("alice's key after revocation: status %d (%v), want 403", status, err)
	}
	step("alice's key, revoked, is refused on the next request")
	return nil
}

// waitRefused waits until nothing accepts connections at addr.
func waitRefused(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return nil
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s still accepts connections %s after SIGKILL", addr, limit)
}

func step(what string) { fmt.Println("deploycheck: ok:", what) }
