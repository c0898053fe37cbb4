package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/store"
)

// configuredAPI is a testAPI whose server also has config.json in a
// temporary home, live keys and an upstream client, as the engine sets up.
type configuredAPI struct {
	*testAPI
	home string
	keys *config.Keys
}

func newConfiguredAPI(t *testing.T, upstream *http.Client) *configuredAPI {
	t.Helper()
	home := t.TempDir()
	cfg, err := config.Load(home)
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	// A key this version does not know must survive every save.
	raw, _ := os.ReadFile(config.Path(home))
	raw = []byte(strings.Replace(string(raw), "{", `{"future_setting": {"x": 1},`, 1))
	if err := os.WriteFile(config.Path(home), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(home, "routex.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	keys := config.NewKeys(testToken+"-access", testToken)
	srv := newServer(t, st, api.Deps{
		Info:     api.Info{Version: "1.2.3-test", Listen: cfg.Listen, Home: home, Started: time.Now()},
		Settings: &api.Settings{Config: cfg, Keys: keys},
		Upstream: upstream,
	})
	hs := httptest.NewServer(api.WithTokenFunc(keys.Admin, srv.Handler()))
	t.Cleanup(hs.Close)
	return &configuredAPI{testAPI: &testAPI{t: t, srv: hs, store: st}, home: home, keys: keys}
}

func (a *configuredAPI) configFile() map[string]any {
	a.t.Helper()
	var m map[string]any
	raw, err := os.ReadFile(config.Path(a.home))
	if err != nil || json.Unmarshal(raw, &m) != nil {
		a.t.Fatalf("config.json unreadable: %v\n%s", err, raw)
	}
	return m
}

func TestSettingsDefaults(t *testing.T) {
	t.Parallel()
	a := newConfiguredAPI(t, nil)
	r := a.do("GET", "/api/settings", "").want(t, http.StatusOK)
	want := map[string]any{"listen": "127.0.0.1:18080", "language": "en", "theme": "system",
		"log_retention_days": float64(30), "capture_bodies": false, "version": "1.2.3-test",
		"home": a.home, "restart_required": false}
	for k, v := range want {
		if r.body[k] != v {
			t.Errorf("%s = %v, want %v", k, r.body[k], v)
		}
	}
	if strings.Contains(r.raw, testToken) {
		t.Fatal("GET /api/settings shows a whole key")
	}
	if p, _ := r.body["admin_token_preview"].(string); p == "" {
		t.Fatal("no admin token preview")
	}
}

func TestSettingsSave(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		status     int
		field      string
		check      func(t *testing.T, a *configuredAPI, r response)
	}{
		{"theme, retention and capture go to the store", `{"theme":"dark","log_retention_days":7,"capture_bodies":true}`, 200, "",
			func(t *testing.T, a *configuredAPI, r response) {
				if r.body["theme"] != "dark" || r.body["log_retention_days"] != float64(7) || r.body["capture_bodies"] != true {
					t.Fatalf("saved: %s", r.raw)
				}
				if _, ok := a.configFile()["theme"]; ok {
					t.Fatal("theme must not be written to config.json")
				}
			}},
		{"language goes to config.json, other keys kept", `{"language":"zh"}`, 200, "",
			func(t *testing.T, a *configuredAPI, r response) {
				f := a.configFile()
				if f["language"] != "zh" || f["future_setting"] == nil || f["admin_token"] == nil {
					t.Fatalf("config.json: %v", f)
				}
			}},
		{"a new listen address needs a restart", `{"listen":"127.0.0.1:19090"}`, 200, "",
			func(t *testing.T, a *configuredAPI, r response) {
				if r.body["restart_required"] != true || a.configFile()["listen"] != "127.0.0.1:19090" {
					t.Fatalf("saved: %s", r.raw)
				}
			}},
		{"a GET echoed back is accepted", `{"listen":"127.0.0.1:18080","language":"en","theme":"light","log_retention_days":30,
			"capture_bodies":false,"access_key_preview":"x","admin_token_preview":"y","version":"v","home":"h","restart_required":false}`, 200, "", nil},
		{"listen must be host:port", `{"listen":"18080"}`, 400, "listen", nil},
		{"the port must exist", `{"listen":"127.0.0.1:70000"}`, 400, "listen", nil},
		{"language is en or zh", `{"language":"fr"}`, 400, "language", nil},
		{"theme is light, dark or system", `{"theme":"blue"}`, 400, "theme", nil},
		{"retention is at least a day", `{"log_retention_days":0}`, 400, "log_retention_days", nil},
		{"unknown fields are refused", `{"colour":"red"}`, 400, "body", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := newConfiguredAPI(t, nil)
			r := a.do("PUT", "/api/settings", c.body).want(t, c.status)
			if c.field != "" && r.field(c.field) == nil {
				t.Fatalf("no error for field %s: %s", c.field, r.raw)
			}
			if c.check != nil {
				c.check(t, a, r)
				again := a.do("GET", "/api/settings", "").want(t, 200)
				if again.raw != r.raw {
					t.Fatalf("GET after PUT differs:\n%s\n%s", again.raw, r.raw)
				}
			}
		})
	}
}

func TestRevealAndRegenerate(t *testing.T) {
	t.Parallel()
	a := newConfiguredAPI(t, nil)
	if r := a.do("POST", "/api/settings/reveal", `{"which":"access_key"}`).want(t, 200); r.body["value"] != testToken+"-access" {
		t.Fatalf("reveal: %s", r.raw)
	}
	a.do("POST", "/api/settings/reveal", `{"which":"password"}`).want(t, 400)

	r := a.do("POST", "/api/settings/regenerate", `{"which":"access_key"}`).want(t, 200)
	access, _ := r.body["value"].(string)
	if !strings.HasPrefix(access, "rx-") || a.keys.Access() != access || a.configFile()["access_key"] != access {
		t.Fatalf("new access key %q not live or not saved", access)
	}

	r = a.do("POST", "/api/settings/regenerate", `{"which":"admin_token"}`).want(t, 200)
	admin, _ := r.body["value"].(string)
	if !strings.HasPrefix(admin, "rxa-") || a.configFile()["admin_token"] != admin {
		t.Fatalf("new admin token %q not saved", admin)
	}
	// The old token stops working at once, the new one works.
	a.do("GET", "/api/settings", "").want(t, http.StatusUnauthorized)
	a.doAuth("GET", "/api/settings", "", "Bearer "+admin).want(t, http.StatusOK)
	if a.configFile()["future_setting"] == nil {
		t.Fatal("regenerating dropped an unknown key from config.json")
	}
}
