//go:build desktop

package tray_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
	"github.com/routex-app/routex/backend/tray"
)

// window stands in for the Wails window: it records what the tray asked of
// it, while the engine's bridge does the real work.
type window struct {
	*engine.TrayBridge
	mu     sync.Mutex
	opened int
	quit   int
}

func (w *window) OpenDashboard() { w.mu.Lock(); w.opened++; w.mu.Unlock() }
func (w *window) Quit()          { w.mu.Lock(); w.quit++; w.mu.Unlock() }
func (w *window) counts() (int, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.opened, w.quit
}

// menuItem is one node of a dbusmenu layout.
type menuItem struct {
	id       int32
	label    string
	toggle   int32
	enabled  bool
	children []menuItem
}

func parseLayout(v []any) menuItem {
	it := menuItem{id: v[0].(int32), enabled: true}
	props := v[1].(map[string]dbus.Variant)
	if l, ok := props["label"]; ok {
		it.label, _ = l.Value().(string)
	}
	if s, ok := props["toggle-state"]; ok {
		it.toggle, _ = s.Value().(int32)
	}
	if e, ok := props["enabled"]; ok {
		it.enabled, _ = e.Value().(bool)
	}
	for _, c := range v[2].([]dbus.Variant) {
		it.children = append(it.children, parseLayout(c.Value().([]any)))
	}
	return it
}

func (m menuItem) find(label string) (menuItem, bool) {
	if m.label == label {
		return m, true
	}
	for _, c := range m.children {
		if f, ok := c.find(label); ok {
			return f, true
		}
	}
	return menuItem{}, false
}

// bus reads and clicks the tray over D-Bus as a panel would.
type bus struct {
	t    *testing.T
	conn *dbus.Conn
	name string
	menu dbus.ObjectPath
}

func (b *bus) layout() menuItem {
	b.t.Helper()
	var rev uint32
	var root []any
	call := b.conn.Object(b.name, b.menu).Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		b.t.Fatalf("GetLayout: %v", call.Err)
	}
	var raw struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	if err := call.Store(&rev, &raw); err != nil {
		b.t.Fatalf("GetLayout reply: %v", err)
	}
	root = []any{raw.ID, raw.Props, raw.Children}
	return parseLayout(root)
}

func (b *bus) click(id int32) {
	b.t.Helper()
	if err := b.conn.Object(b.name, b.menu).Call("com.canonical.dbusmenu.Event", 0, id, "clicked",
		dbus.MakeVariant(""), uint32(0)).Err; err != nil {
		b.t.Fatalf("Event clicked %d: %v", id, err)
	}
}

// waitFor polls cond until it holds or five seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func apiCall(t *testing.T, srv *httptest.Server, method, path, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &out)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return out
}

func apiStatus(t *testing.T, srv *httptest.Server, path string) int {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestTrayOverDBus runs the real adapter against a real engine and drives
// it through the session bus: run it under dbus-run-session
// (scripts/tray-test.sh). Not under -race: fyne.io/systray v1.12.2 races on
// its own globals while answering GetLayout (firstGetLayoutDone).
func TestTrayOverDBus(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no D-Bus session bus: run scripts/tray-test.sh (dbus-run-session) to test the tray")
	}
	// Codex's config.toml lives in a temporary CODEX_HOME: the test clicks
	// its item and reads the file.
	codexHome := t.TempDir()
	t.Setenv("CODEX_HOME", codexHome)
	codexConfig := filepath.Join(codexHome, "config.toml")
	cfg := config.Defaults()
	cfg.Home, cfg.Listen, cfg.AccessKey, cfg.AdminToken = t.TempDir(), "127.0.0.1:0", "rx-test", "rxa-test"
	dsAPI := newDeepSeekBalance(t)
	e, err := engine.New(cfg, engine.Options{Version: "test", Logger: slog.New(slog.DiscardHandler), Transport: dsAPI.transport()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Stop(context.Background()) })
	api := httptest.NewServer(e.DesktopHandler())
	t.Cleanup(api.Close)
	var ids []int64
	for _, name := range []string{"anthropic-main", "deepseek"} {
		c := apiCall(t, api, "POST", "/api/channels", `{"name":"`+name+`","type":"openai","base_url":"http://127.0.0.1:1/v1","api_key":"sk-x"}`)
		ids = append(ids, int64(c["id"].(float64)))
	}
	apiCall(t, api, "PUT", "/api/active", fmt.Sprintf(`{"channel_id":%d}`, ids[0]))
	// A DeepSeek channel: its balance comes from the (mock) DeepSeek API.
	paid := apiCall(t, api, "POST", "/api/channels", `{"name":"ds-paid","type":"openai","base_url":"https://api.deepseek.com/v1","api_key":"sk-ds-good"}`)

	win := &window{TrayBridge: e.TrayBridge()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tray.Run(ctx, win.TrayBridge, win, tray.Options{Interval: 50 * time.Millisecond}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("tray.Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("tray.Run did not return after its context ended")
		}
	})

	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("connect to the session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	b := &bus{t: t, conn: conn, name: fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", os.Getpid())}
	waitFor(t, "the StatusNotifierItem is on the bus", func() bool {
		var names []string
		conn.BusObject().Call("org.freedesktop.DBus.ListNames", 0).Store(&names)
		for _, n := range names {
			if n == b.name {
				return true
			}
		}
		return false
	})
	v, err := conn.Object(b.name, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		t.Fatalf("Menu property: %v", err)
	}
	b.menu = v.Value().(dbus.ObjectPath)

	var main, deepseek menuItem
	waitFor(t, "the menu lists both channels with the active one checked", func() bool {
		l := b.layout()
		var ok1, ok2 bool
		main, ok1 = l.find("anthropic-main")
		deepseek, ok2 = l.find("deepseek")
		return ok1 && ok2 && main.toggle == 1 && deepseek.toggle == 0
	})
	l := b.layout()
	for _, label := range []string{"Active provider", "Open dashboard", "Quit Routex", "English", "中文"} {
		if _, ok := l.find(label); !ok {
			t.Errorf("the menu lacks %q", label)
		}
	}
	if title := l.children[0].label; !strings.HasPrefix(title, "Routex — http://") {
		t.Errorf("title %q", title)
	}

	// A click on a channel makes it the active provider, as the API shows.
	b.click(deepseek.id)
	waitFor(t, "the API reports the clicked channel active", func() bool {
		a := apiCall(t, api, "GET", "/api/active", "")
		return a["channel_id"] == float64(ids[1])
	})
	waitFor(t, "the menu checks the clicked channel", func() bool {
		d, _ := b.layout().find("deepseek")
		return d.toggle == 1
	})

	// The reverse: a change through the API shows in the menu.
	apiCall(t, api, "PUT", "/api/active", fmt.Sprintf(`{"channel_id":%d}`, ids[0]))
	waitFor(t, "the menu follows a change made through the API", func() bool {
		m, _ := b.layout().find("anthropic-main")
		d, _ := b.layout().find("deepseek")
		return m.toggle == 1 && d.toggle == 0
	})

	// The DeepSeek channel shows what its account has left; once it is
	// used up the menu says it is skipped and the tooltip warns.
	waitFor(t, "the menu shows the DeepSeek balance", func() bool {
		_, ok := b.layout().find("ds-paid · 110.00 CNY")
		return ok
	})
	dsAPI.set("0.00")
	apiCall(t, api, "POST", fmt.Sprintf("/api/channels/%d/balance/refresh", int64(paid["id"].(float64))), "")
	waitFor(t, "the menu marks the used-up DeepSeek channel", func() bool {
		_, ok := b.layout().find("ds-paid · 0.00 CNY — used up, skipped")
		return ok
	})
	waitFor(t, "the tooltip warns of the balance", func() bool {
		v, err := conn.Object(b.name, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.ToolTip")
		return err == nil && strings.Contains(fmt.Sprint(v.Value()), "low balance: ds-paid 0.00 CNY")
	})

	// The Codex CLI item attaches Codex, and detaches it again, through the
	// same API as the dashboard.
	var codex menuItem
	waitFor(t, "the menu offers to attach Codex CLI", func() bool {
		var ok bool
		codex, ok = b.layout().find("Codex CLI: not attached (click to attach)")
		return ok
	})
	b.click(codex.id)
	waitFor(t, "Codex's config.toml selects Routex", func() bool {
		data, _ := os.ReadFile(codexConfig)
		return strings.Contains(string(data), `model_provider = "routex"`) &&
			strings.Contains(string(data), `experimental_bearer_token = "rx-test"`)
	})
	waitFor(t, "the menu offers to detach Codex CLI", func() bool {
		var ok bool
		codex, ok = b.layout().find("Codex CLI: attached (click to detach)")
		return ok
	})
	b.click(codex.id)
	waitFor(t, "detach removes the config.toml attach created", func() bool {
		_, err := os.Stat(codexConfig)
		return os.IsNotExist(err)
	})
	waitFor(t, "the menu offers to attach Codex CLI again", func() bool {
		_, ok := b.layout().find("Codex CLI: not attached (click to attach)")
		return ok
	})

	// Switching the language relabels the menu (when the engine has wired
	// the settings API: api.Deps.Settings).
	quitLabel := "Quit Routex"
	if apiStatus(t, api, "/api/settings") == http.StatusOK {
		zh, _ := b.layout().find("中文")
		b.click(zh.id)
		quitLabel = "退出 Routex"
		waitFor(t, "the menu switches to Chinese", func() bool {
			_, ok := b.layout().find(quitLabel)
			return ok
		})
	} else {
		t.Log("the engine does not serve /api/settings yet: language switching not tested")
	}

	// Left click on the icon opens the window; Quit asks the window to quit.
	if err := conn.Object(b.name, "/StatusNotifierItem").Call("org.kde.StatusNotifierItem.Activate", 0, int32(0), int32(0)).Err; err != nil {
		t.Fatalf("Activate: %v", err)
	}
	quit, _ := b.layout().find(quitLabel)
	b.click(quit.id)
	waitFor(t, "the window was opened and asked to quit", func() bool {
		o, q := win.counts()
		return o == 1 && q == 1
	})
}
