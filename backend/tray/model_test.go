package tray

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// find returns the item with id, searching submenus too.
func find(items []Item, id string) (Item, bool) {
	for _, it := range items {
		if it.ID == id {
			return it, true
		}
		if c, ok := find(it.Children, id); ok {
			return c, true
		}
	}
	return Item{}, false
}

func ids(m Menu) []string {
	var out []string
	for _, it := range m.Items {
		if !it.Separator {
			out = append(out, it.ID)
		}
	}
	return out
}

var twoChannels = []Channel{
	{ID: 1, Name: "anthropic", Type: "anthropic", Enabled: true, Health: "closed"},
	{ID: 2, Name: "deepseek", Type: "openai", Enabled: true, Health: "open"},
	{ID: 3, Name: "off", Type: "gemini", Enabled: false},
}

func TestBuild(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		state State
		check func(t *testing.T, m Menu)
	}{
		{"the items come in a fixed order", State{Channels: twoChannels, ActiveID: 1, URL: "http://127.0.0.1:18080",
			ClaudeStatus: ClaudeAttached, CodexStatus: ClaudeNotAttached, Language: "en", Requests24h: -1}, func(t *testing.T, m Menu) {
			want := []string{IDTitle, IDStatus, IDProviders, "provider:1", "provider:2", IDOpen, IDClaude, IDCodex, IDLanguage, IDQuit}
			if got := ids(m); !slices.Equal(got, want) {
				t.Fatalf("ids %v, want %v", got, want)
			}
		}},
		{"the title names the URL", State{URL: "http://127.0.0.1:18080", Requests24h: -1}, func(t *testing.T, m Menu) {
			if m.Items[0].Label != "Routex — http://127.0.0.1:18080" {
				t.Fatalf("title %q", m.Items[0].Label)
			}
		}},
		{"only enabled channels are listed and the active one is checked", State{Channels: twoChannels, ActiveID: 2, Requests24h: -1},
			func(t *testing.T, m Menu) {
				a, _ := find(m.Items, "provider:1")
				b, _ := find(m.Items, "provider:2")
				if !a.Checkable || a.Checked || !b.Checked || !a.Enabled {
					t.Fatalf("provider items %+v %+v", a, b)
				}
				if _, ok := find(m.Items, "provider:3"); ok {
					t.Fatal("a disabled channel is listed")
				}
				if m.Tooltip != "Routex — deepseek" {
					t.Fatalf("tooltip %q", m.Tooltip)
				}
			}},
		{"an open breaker is marked", State{Channels: twoChannels, Requests24h: -1}, func(t *testing.T, m Menu) {
			a, _ := find(m.Items, "provider:1")
			b, _ := find(m.Items, "provider:2")
			if a.Label != "anthropic" || !strings.Contains(b.Label, "⚠") {
				t.Fatalf("labels %q %q", a.Label, b.Label)
			}
		}},
		{"without channels the menu says how to add one", State{Requests24h: -1}, func(t *testing.T, m Menu) {
			it, ok := find(m.Items, IDNoChannels)
			if !ok || it.Enabled || m.Tooltip != "Routex — no active provider" {
				t.Fatalf("no-channel item %+v, tooltip %q", it, m.Tooltip)
			}
		}},
		{"the status line counts the last day's requests when known", State{Requests24h: 42}, func(t *testing.T, m Menu) {
			if it, _ := find(m.Items, IDStatus); !strings.Contains(it.Label, "42") || it.Enabled {
				t.Fatalf("status %+v", it)
			}
		}},
		{"Claude Code's item says what a click will do", State{ClaudeStatus: ClaudeNotAttached, Requests24h: -1}, func(t *testing.T, m Menu) {
			if it, _ := find(m.Items, IDClaude); !strings.Contains(it.Label, "not attached") {
				t.Fatalf("claude %+v", it)
			}
		}},
		{"an unknown Claude Code status leaves the item out", State{Requests24h: -1}, func(t *testing.T, m Menu) {
			if _, ok := find(m.Items, IDClaude); ok {
				t.Fatal("claude item without a status")
			}
			if _, ok := find(m.Items, IDCodex); ok {
				t.Fatal("codex item without a status")
			}
		}},
		{"Codex CLI's item says what a click will do, in each state", State{CodexStatus: ClaudeAttachedElsewhere, Language: "zh", Requests24h: -1},
			func(t *testing.T, m Menu) {
				it, ok := find(m.Items, IDCodex)
				if !ok || !it.Enabled || it.Label != "Codex CLI：使用其他提供方（点击接入）" {
					t.Fatalf("codex %+v", it)
				}
				for status, want := range map[string]string{ClaudeAttached: "click to detach", ClaudeNotAttached: "click to attach"} {
					it, _ := find(Build(State{CodexStatus: status, Requests24h: -1}).Items, IDCodex)
					if !strings.HasPrefix(it.Label, "Codex CLI: ") || !strings.Contains(it.Label, want) {
						t.Errorf("%s: %q", status, it.Label)
					}
				}
			}},
		{"Chinese labels and the checked language follow the state", State{Channels: twoChannels, Language: "zh-CN", Requests24h: -1},
			func(t *testing.T, m Menu) {
				q, _ := find(m.Items, IDQuit)
				zh, _ := find(m.Items, "language:zh")
				en, _ := find(m.Items, "language:en")
				if q.Label != "退出 Routex" || !zh.Checked || en.Checked || zh.Label != "中文" {
					t.Fatalf("quit %q, zh %+v, en %+v", q.Label, zh, en)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t, Build(c.state))
		})
	}
}

// recorder is an Actions that notes each call, standing in for the engine
// and the window.
type recorder struct {
	calls []string
	err   error
}

func (r *recorder) SetActive(id int64) error {
	r.calls = append(r.calls, "active:"+itoa(id))
	return r.err
}
func (r *recorder) AttachClaude() error { r.calls = append(r.calls, "attach"); return r.err }
func (r *recorder) DetachClaude() error { r.calls = append(r.calls, "detach"); return r.err }
func (r *recorder) AttachCodex() error  { r.calls = append(r.calls, "attach-codex"); return r.err }
func (r *recorder) DetachCodex() error  { r.calls = append(r.calls, "detach-codex"); return r.err }
func (r *recorder) SetLanguage(lang string) error {
	r.calls = append(r.calls, "lang:"+lang)
	return r.err
}
func (r *recorder) OpenDashboard() { r.calls = append(r.calls, "open") }
func (r *recorder) Quit()          { r.calls = append(r.calls, "quit") }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestDispatch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, id      string
		claude, codex string
		want          string
	}{
		{"a provider makes it active", "provider:2", "", "", "active:2"},
		{"a language switches to it", "language:zh", "", "", "lang:zh"},
		{"the Claude item attaches when not attached", IDClaude, ClaudeNotAttached, ClaudeAttached, "attach"},
		{"the Claude item detaches when attached", IDClaude, ClaudeAttached, ClaudeNotAttached, "detach"},
		{"the Codex item attaches when not attached", IDCodex, ClaudeAttached, ClaudeNotAttached, "attach-codex"},
		{"the Codex item attaches when it points elsewhere", IDCodex, "", ClaudeAttachedElsewhere, "attach-codex"},
		{"the Codex item detaches when attached", IDCodex, ClaudeNotAttached, ClaudeAttached, "detach-codex"},
		{"open shows the window", IDOpen, "", "", "open"},
		{"the title shows the window too", IDTitle, "", "", "open"},
		{"quit quits", IDQuit, "", "", "quit"},
		{"the status line does nothing", IDStatus, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{}
			if err := Dispatch(c.id, State{ClaudeStatus: c.claude, CodexStatus: c.codex}, r); err != nil {
				t.Fatal(err)
			}
			if strings.Join(r.calls, ",") != c.want {
				t.Fatalf("calls %v, want %q", r.calls, c.want)
			}
		})
	}
	r := &recorder{err: errors.New("store closed")}
	if err := Dispatch("provider:1", State{}, r); err == nil {
		t.Fatal("an action's error must come back")
	}
	if err := Dispatch("provider:x", State{}, &recorder{}); err == nil {
		t.Fatal("a malformed provider id is an error")
	}
}
