//go:build desktop

package tray_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// deepSeekBalance answers GET https://api.deepseek.com/user/balance as
// DeepSeek documents it, with a total the test sets; the engine's upstream
// transport dials it whatever the host, so the built-in query runs with its
// real URL.
type deepSeekBalance struct {
	srv   *httptest.Server
	mu    sync.Mutex
	total string
}

func newDeepSeekBalance(t *testing.T) *deepSeekBalance {
	d := &deepSeekBalance{total: "110.00"}
	d.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Host != "api.deepseek.com" || r.URL.Path != "/user/balance" || r.Header.Get("Authorization") != "Bearer sk-ds-good" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"message":"Authentication Fails"}}`)
			return
		}
		d.mu.Lock()
		total := d.total
		d.mu.Unlock()
		fmt.Fprintf(w, `{"is_available":%v,"balance_infos":[{"currency":"CNY","total_balance":%q,"granted_balance":"0.00","topped_up_balance":%q}]}`,
			total != "0.00", total, total)
	}))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *deepSeekBalance) set(total string) { d.mu.Lock(); d.total = total; d.mu.Unlock() }

func (d *deepSeekBalance) transport() http.RoundTripper {
	addr := d.srv.Listener.Addr().String()
	return &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}
}
