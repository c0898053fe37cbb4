package api_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/autostart"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/store"
)

// fakeLogin is an in-memory login item that counts writes, so the tests
// can tell a switch from a no-op without touching the user's session.
type fakeLogin struct {
	mu      sync.Mutex
	on      bool
	writes  int
	failing error
}

func (f *fakeLogin) Enabled() (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.on, nil
}

func (f *fakeLogin) set(on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing != nil {
		return f.failing
	}
	f.on = on
	f.writes++
	return nil
}

func (f *fakeLogin) writeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

func (f *fakeLogin) Enable() error  { return f.set(true) }
func (f *fakeLogin) Disable() error { return f.set(false) }

// newLoginAPI is a configured API whose login item is a, or none when a is nil.
func newLoginAPI(t *testing.T, a api.Autostart) *testAPI {
	t.Helper()
	home := t.TempDir()
	cfg, err := config.Load(home)
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	st, err := store.Open(filepath.Join(home, "routex.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	srv := newServer(t, st, api.Deps{
		Info:     api.Info{Version: "test", Listen: cfg.Listen, Home: home, Started: time.Now()},
		Settings: &api.Settings{Config: cfg, Keys: config.NewKeys("rx-access", testToken), Autostart: a},
	})
	hs := httptest.NewServer(api.WithToken(testToken, srv.Handler()))
	t.Cleanup(hs.Close)
	return &testAPI{t: t, srv: hs, store: st}
}

func TestStartAtLogin(t *testing.T) {
	t.Parallel()
	t.Run("GET shows the login item's state", func(t *testing.T) {
		t.Parallel()
		a := newLoginAPI(t, &fakeLogin{on: true})
		if got := a.do("GET", "/api/settings", "").want(t, http.StatusOK).body["start_at_login"]; got != true {
			t.Errorf("start_at_login = %v, want true", got)
		}
	})
	t.Run("PUT true enables and PUT false disables", func(t *testing.T) {
		t.Parallel()
		f := &fakeLogin{}
		a := newLoginAPI(t, f)
		if got := a.do("PUT", "/api/settings", `{"start_at_login":true}`).want(t, http.StatusOK).body["start_at_login"]; got != true {
			t.Errorf("after enabling, start_at_login = %v", got)
		}
		if on, _ := f.Enabled(); !on {
			t.Error("the login item was not enabled")
		}
		if got := a.do("PUT", "/api/settings", `{"start_at_login":false}`).want(t, http.StatusOK).body["start_at_login"]; got != false {
			t.Errorf("after disabling, start_at_login = %v", got)
		}
		if n := f.writeCount(); n != 2 {
			t.Errorf("writes = %d, want 2", n)
		}
	})
	t.Run("echoing the current state writes nothing", func(t *testing.T) {
		t.Parallel()
		f := &fakeLogin{}
		a := newLoginAPI(t, f)
		a.do("PUT", "/api/settings", `{"start_at_login":false,"theme":"dark"}`).want(t, http.StatusOK)
		if n := f.writeCount(); n != 0 {
			t.Errorf("writes = %d, want 0", n)
		}
	})
	t.Run("a login item that cannot be written fails the request", func(t *testing.T) {
		t.Parallel()
		a := newLoginAPI(t, &fakeLogin{failing: errors.New("read-only folder")})
		r := a.do("PUT", "/api/settings", `{"start_at_login":true}`).want(t, http.StatusInternalServerError)
		if !strings.Contains(r.raw, "read-only folder") {
			t.Errorf("error does not say why: %s", r.raw)
		}
	})
	t.Run("without a login item GET says false and PUT is refused", func(t *testing.T) {
		t.Parallel()
		a := newLoginAPI(t, nil)
		if got := a.do("GET", "/api/settings", "").want(t, http.StatusOK).body["start_at_login"]; got != false {
			t.Errorf("start_at_login = %v, want false", got)
		}
		r := a.do("PUT", "/api/settings", `{"start_at_login":true}`).want(t, http.StatusBadRequest)
		if r.field("start_at_login") == nil {
			t.Errorf("error does not name the field: %s", r.raw)
		}
	})
	t.Run("a real XDG entry in a temporary folder is written and removed", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		e := autostart.Entry{Name: "routex", Exec: "/usr/bin/routex", Dir: dir}
		a := newLoginAPI(t, e)
		a.do("PUT", "/api/settings", `{"start_at_login":true}`).want(t, http.StatusOK)
		if _, err := os.Stat(filepath.Join(dir, "routex.desktop")); err != nil {
			t.Skipf("not an XDG system (%v)", err)
		}
		a.do("PUT", "/api/settings", `{"start_at_login":false}`).want(t, http.StatusOK)
		if _, err := os.Stat(filepath.Join(dir, "routex.desktop")); !os.IsNotExist(err) {
			t.Errorf("entry still there: %v", err)
		}
	})
}
