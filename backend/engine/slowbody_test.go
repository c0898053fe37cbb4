package engine_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
)

// started runs e on a real loopback listener (the server's own timeouts
// apply) and stops it at cleanup.
func started(t *testing.T, e *engine.Engine) string {
	t.Helper()
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.Stop(ctx)
	})
	return strings.TrimPrefix(e.URL(), "http://")
}

// trickle opens a connection, sends head and the first byte of a body of
// length n, then one more byte every gap until stop closes. It returns what
// the server answered before closing the connection, or an error when it
// did not within wait.
func trickle(addr, head string, n int, gap, wait time.Duration, stop <-chan struct{}) (string, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "%sContent-Length: %d\r\n\r\n{", head, n); err != nil {
		return "", err
	}
	go func() {
		t := time.NewTicker(gap)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	conn.SetReadDeadline(time.Now().Add(wait))
	got, err := io.ReadAll(conn) // until the server closes
	if errors.Is(err, syscall.ECONNRESET) && len(got) > 0 {
		// Closed on a client still sending: the reset comes after the
		// answer (the server lingers before closing).
		err = nil
	}
	if err != nil {
		return string(got), fmt.Errorf("the server did not close the connection within %v (got %q): %w", wait, got, err)
	}
	return string(got), nil
}

// Slow bodies with a wrong key, a wrong host or to nowhere are refused as
// soon as the headers are in, and their connections closed: they cannot
// hold the engine's connections, and a real client is served meanwhile.
func TestSlowUnauthenticatedBodiesAreRefusedAtOnce(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	addr := started(t, e)
	stop := make(chan struct{})
	defer close(stop)
	heads := map[string]string{
		"401":  "POST /v1/messages HTTP/1.1\r\nHost: " + addr + "\r\nX-Api-Key: wrong-key\r\nContent-Type: application/json\r\n",
		"401 ": "POST /api/channels HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer wrong\r\n",
		"403":  "POST /v1/messages HTTP/1.1\r\nHost: evil.example\r\nX-Api-Key: " + testAccessKey + "\r\n",
		"405":  "POST / HTTP/1.1\r\nHost: " + addr + "\r\n",
		"404":  "POST /v1/nope HTTP/1.1\r\nHost: " + addr + "\r\nX-Api-Key: " + testAccessKey + "\r\n",
		"404 ": "POST /foo.php HTTP/1.1\r\nHost: " + addr + "\r\n",
	}
	const perKind = 50
	var wg sync.WaitGroup
	errs := make(chan string, len(heads)*perKind)
	for want, head := range heads {
		for range perKind {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := trickle(addr, head, 100_000, 100*time.Millisecond, 5*time.Second, stop)
				switch {
				case err != nil:
					errs <- want + ": " + err.Error()
				case !strings.HasPrefix(got, "HTTP/1.1 "+strings.TrimSpace(want)):
					errs <- fmt.Sprintf("want %s, got %q", want, got)
				case !strings.Contains(strings.ToLower(got), "connection: close"):
					errs <- fmt.Sprintf("%s without Connection: close: %q", want, got)
				}
			}()
		}
	}
	// A real client meanwhile.
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/info", nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := testClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("a real client during the attack: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	wg.Wait()
	close(errs)
	n := 0
	for e := range errs {
		if n++; n <= 5 {
			t.Error(e)
		}
	}
	if n > 0 {
		t.Errorf("%d of %d slow connections were not refused and closed", n, len(heads)*perKind)
	}
}

// An authenticated body that stops arriving is refused with 408 once it
// has been idle for limits.body_idle_s; one that keeps coming, however
// slowly, is read.
func TestStalledBodiesTimeOut(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t, func(c *config.Config, _ *engine.Options) { c.Limits.BodyIdleMS = 300 })
	addr := started(t, e)
	head := "POST /v1/messages HTTP/1.1\r\nHost: " + addr + "\r\nX-Api-Key: " + testAccessKey + "\r\nContent-Type: application/json\r\n"

	stalled := make(chan struct{}) // never ticks: the body stalls after its first byte
	defer close(stalled)
	began := time.Now()
	got, err := trickle(addr, head, 1000, time.Hour, 5*time.Second, stalled)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "HTTP/1.1 408") || !strings.Contains(got, "timeout_error") || !strings.Contains(got, "body") {
		t.Errorf("a stalled body got %q, want a 408 timeout_error about the body", got)
	}
	if d := time.Since(began); d > 3*time.Second {
		t.Errorf("the 408 took %v with a 300ms idle limit", d)
	}

	// 20 bytes, one every 100 ms: slow, never idle for 300 ms.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"model":"m","x":1}` + " "
	fmt.Fprintf(conn, "%sContent-Length: %d\r\n\r\n", head, len(body))
	for i := range len(body) {
		conn.Write([]byte{body[i]})
		time.Sleep(100 * time.Millisecond)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// No channel exists: the body was read and routed (503), not timed out.
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a slow but steady body got %d, want 503 (no channel)", resp.StatusCode)
	}
}
