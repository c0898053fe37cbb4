package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestDialAddr(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"a loopback address is kept", "127.0.0.1:18080", "127.0.0.1:18080"},
		{"every IPv4 interface is reached over loopback", "0.0.0.0:18080", "127.0.0.1:18080"},
		{"an empty host is reached over loopback", ":9000", "127.0.0.1:9000"},
		{"every IPv6 interface is reached over IPv6 loopback", "[::]:18080", "[::1]:18080"},
		{"a name is kept", "localhost:18080", "localhost:18080"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := dialAddr(tc.in); got != tc.want {
				t.Errorf("dialAddr(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCheckHealth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		version string
		ok      bool
	}{
		{"an ok answer gives the version", 200, `{"status":"ok","version":"1.2.3"}`, "1.2.3", true},
		{"a server error fails", 500, `{"status":"ok"}`, "", false},
		{"another status fails", 200, `{"status":"starting"}`, "", false},
		{"an HTML page fails", 200, `<html>`, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			v, err := checkHealth(context.Background(), srv.URL+"/health")
			if (err == nil) != tc.ok || v != tc.version {
				t.Errorf("checkHealth = %q, %v; want %q, ok=%v", v, err, tc.version, tc.ok)
			}
		})
	}
	t.Run("nothing listening fails", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		if _, err := checkHealth(context.Background(), url+"/health"); err == nil {
			t.Error("a closed port reported healthy")
		}
	})
}
