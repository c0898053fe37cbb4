package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/keys"
	"github.com/routex-app/routex/backend/store"
)

const testToken = "rxa-test-token"

// testAPI is a real API over a real database in a temporary folder, served
// over HTTP behind the admin token as the engine serves it.
type testAPI struct {
	t     *testing.T
	srv   *httptest.Server
	store *store.Store
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "routex.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	a := newServer(t, st, api.Deps{Info: api.Info{Version: "1.2.3-test", Listen: "127.0.0.1:18080", Started: time.Now()}})
	srv := httptest.NewServer(api.WithToken(testToken, a.Handler()))
	t.Cleanup(srv.Close)
	return &testAPI{t: t, srv: srv, store: st}
}

// newServer builds the API over st with the dependencies d names, filling
// the required ones d leaves out as the engine would: keys per person over
// st, and a quiet log.
func newServer(t *testing.T, st *store.Store, d api.Deps) *api.Server {
	t.Helper()
	d.Store = st
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Keys == nil {
		d.Keys = keys.New(st, d.Log)
	}
	srv, err := api.New(d)
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	return srv
}

// response is a decoded reply; raw keeps the bytes for "never contains" checks.
type response struct {
	status int
	raw    string
	body   map[string]any
}

// do sends body (a JSON string, or "" for none) with the admin token.
func (a *testAPI) do(method, path, body string) response {
	a.t.Helper()
	return a.doAuth(method, path, body, "Bearer "+testToken)
}

func (a *testAPI) doAuth(method, path, body, auth string) response {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.srv.URL+path, rd)
	if err != nil {
		a.t.Fatalf("new request: %v", err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	return readResponse(a.t, resp.StatusCode, resp.Header, resp.Body)
}

func readResponse(t *testing.T, status int, h http.Header, body io.Reader) response {
	t.Helper()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	r := response{status: status, raw: string(b)}
	if len(b) > 0 {
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("status %d: Content-Type %q, want JSON; body %s", status, ct, b)
		}
		if err := json.Unmarshal(b, &r.body); err != nil {
			t.Fatalf("status %d: body is not a JSON object: %v\n%s", status, err, b)
		}
	}
	return r
}

// want fails the test unless the status is as expected.
func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	return r
}

// field returns body.error.fields[name] (nil if absent).
func (r response) field(name string) map[string]any {
	e, _ := r.body["error"].(map[string]any)
	fields, _ := e["fields"].(map[string]any)
	f, _ := fields[name].(map[string]any)
	return f
}

func (r response) errorType() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["type"].(string)
	return s
}

// createChannel posts a valid channel with the given name and extra fields
// (a JSON fragment starting with a comma, or "") and returns its id.
func (a *testAPI) createChannel(name, extra string) int64 {
	a.t.Helper()
	r := a.do("POST", "/api/channels", `{"name":"`+name+`","type":"openai",
		"base_url":"https://api.example.com/v1","api_key":"sk-secret-`+name+`-wxyz","models":["m1","m2"]`+extra+`}`)
	r.want(a.t, http.StatusCreated)
	return int64(r.body["id"].(float64))
}
