// Package tray is Routex's tray icon: a pure menu model built from the
// engine's state (this file), and a thin adapter that shows it through
// fyne.io/systray and turns clicks into actions (systray.go).
package tray

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/routex-app/routex/backend/i18n"
)

// Channel is what the menu shows of a channel.
type Channel struct {
	ID      int64
	Name    string
	Type    string
	Enabled bool
	// Health is the breaker state: "closed" (healthy), "open", "half_open".
	Health string
	// Balance is what the provider account has left; nil when the channel
	// has no balance query or no amount was read yet.
	Balance *Balance
}

// Balance is a channel's balance as the menu shows it.
type Balance struct {
	Remaining float64
	Unit      string
	// Level is "ok", "low", "exhausted" (the channel is skipped) or
	// "unknown" (the last refresh failed: the amount is an old one).
	Level string
}

// Client states (Claude Code's, Codex CLI's), as GET /api/clients reports
// them.
const (
	ClaudeAttached          = "attached"
	ClaudeNotAttached       = "not_attached"
	ClaudeAttachedElsewhere = "attached_elsewhere"
)

// State is everything the menu depends on. Equal states build equal menus.
type State struct {
	Channels []Channel
	// ActiveID is the channel of the first "default" route target; 0 none.
	ActiveID int64
	// ClaudeStatus is one of the Claude* constants, or "" when unknown
	// (the item is then left out).
	ClaudeStatus string
	// CodexStatus is Codex CLI's, with the same values.
	CodexStatus string
	// URL is the engine's base URL.
	URL string
	// Language is "en" or "zh"; the menu's labels and the checked language.
	Language string
	// Requests24h counts the requests of the last 24 hours for the status
	// line; negative when unknown.
	Requests24h int
	// Translator overrides the one made from Language (tests).
	Translator *i18n.Translator
}

// Item is one menu entry. Items with Children are submenus; separators
// carry nothing else.
type Item struct {
	ID        string
	Label     string
	Checkable bool
	Checked   bool
	Enabled   bool
	Separator bool
	Children  []Item
}

// Menu is the whole tray: its tooltip and items, top to bottom.
type Menu struct {
	Tooltip string
	Items   []Item
}

// Item IDs; a provider's is ProviderPrefix + its channel id, a
// language's LanguagePrefix + its tag.
const (
	IDTitle         = "title"
	IDStatus        = "status"
	IDProviders     = "providers"
	IDNoChannels    = "no_channels"
	IDOpen          = "open"
	IDClaude        = "claude"
	IDCodex         = "codex"
	IDLanguage      = "language"
	IDQuit          = "quit"
	ProviderPrefix  = "provider:"
	LanguagePrefix  = "language:"
	separatorPrefix = "sep"
)

// Build makes the menu for s: a title and status line, the enabled
// channels as checkable items with the active one checked, "Open
// dashboard", the Claude Code and Codex CLI attachments, the language and
// "Quit".
func Build(s State) Menu {
	tr := s.Translator
	if tr == nil {
		tr = i18n.New(s.Language)
	}
	var items []Item
	sep := func() { items = append(items, Item{ID: separatorPrefix + strconv.Itoa(len(items)), Separator: true}) }
	items = append(items, Item{ID: IDTitle, Label: tr.T("tray.title", "url", s.URL), Enabled: true})
	status := tr.T("tray.running")
	if s.Requests24h >= 0 {
		status = tr.T("tray.requests24h", "count", strconv.Itoa(s.Requests24h))
	}
	items = append(items, Item{ID: IDStatus, Label: status})
	sep()

	items = append(items, Item{ID: IDProviders, Label: tr.T("tray.activeProvider")})
	activeName, hasChannels := "", false
	var warnings []string
	for _, c := range s.Channels {
		if !c.Enabled {
			continue
		}
		hasChannels = true
		if c.ID == s.ActiveID {
			activeName = c.Name
		}
		items = append(items, Item{ID: ProviderPrefix + strconv.FormatInt(c.ID, 10), Label: channelLabel(tr, c),
			Checkable: true, Checked: c.ID == s.ActiveID, Enabled: true})
		if c.Balance != nil && (c.Balance.Level == "low" || c.Balance.Level == "exhausted") {
			warnings = append(warnings, tr.T("tray.balanceWarning", "name", c.Name, "amount", amount(*c.Balance)))
		}
	}
	if !hasChannels {
		items = append(items, Item{ID: IDNoChannels, Label: tr.T("tray.noChannels")})
	}
	sep()

	items = append(items, Item{ID: IDOpen, Label: tr.T("tray.openDashboard"), Enabled: true})
	if label := clientLabel(tr, "claude", s.ClaudeStatus); label != "" {
		items = append(items, Item{ID: IDClaude, Label: label, Enabled: true})
	}
	if label := clientLabel(tr, "codex", s.CodexStatus); label != "" {
		items = append(items, Item{ID: IDCodex, Label: label, Enabled: true})
	}
	lang := Item{ID: IDLanguage, Label: tr.T("language.label"), Enabled: true}
	for _, l := range i18n.Languages {
		lang.Children = append(lang.Children, Item{ID: LanguagePrefix + l, Label: tr.T("language." + l),
			Checkable: true, Checked: l == normLanguage(s.Language), Enabled: true})
	}
	items = append(items, lang)
	sep()
	items = append(items, Item{ID: IDQuit, Label: tr.T("tray.quit"), Enabled: true})

	tooltip := tr.T("tray.tooltipNone")
	if activeName != "" {
		tooltip = tr.T("tray.tooltip", "name", activeName)
	}
	if len(warnings) > 0 {
		// Warn before a request fails: low or used-up balances in the tooltip.
		tooltip = tr.T("tray.tooltipBalances", "tooltip", tooltip, "warnings", strings.Join(warnings, ", "))
	}
	return Menu{Tooltip: tooltip, Items: items}
}

// channelLabel is a channel's name, with what its account has left when
// that is known, and a mark when its breaker is open: the user sees at a
// glance that switching to it would not help now.
func channelLabel(tr *i18n.Translator, c Channel) string {
	name := c.Name
	if b := c.Balance; b != nil {
		key := "tray.channelBalance"
		switch b.Level {
		case "low":
			key = "tray.channelBalanceLow"
		case "exhausted":
			key = "tray.channelBalanceExhausted"
		case "unknown":
			key = "tray.channelBalanceUnknown"
		}
		name = tr.T(key, "name", c.Name, "amount", amount(*b))
	}
	switch c.Health {
	case "open":
		return tr.T("tray.channelUnavailable", "name", name)
	case "half_open":
		return tr.T("tray.channelRecovering", "name", name)
	}
	return name
}

// amount writes a balance as "110.00 CNY".
func amount(b Balance) string {
	s := strconv.FormatFloat(b.Remaining, 'f', 2, 64)
	if b.Unit != "" {
		s += " " + b.Unit
	}
	return s
}

// clientLabel says a client's state and what a click does; "" for an
// unknown state, which leaves the item out.
func clientLabel(tr *i18n.Translator, client, status string) string {
	switch status {
	case ClaudeAttached:
		return tr.T("tray." + client + "Attached")
	case ClaudeNotAttached:
		return tr.T("tray." + client + "NotAttached")
	case ClaudeAttachedElsewhere:
		return tr.T("tray." + client + "Elsewhere")
	}
	return ""
}

// normLanguage maps "zh-CN" and the like to a shipped language.
func normLanguage(lang string) string {
	l := strings.ToLower(lang)
	for _, tag := range i18n.Languages {
		if l == tag || strings.HasPrefix(l, tag+"-") || strings.HasPrefix(l, tag+"_") {
			return tag
		}
	}
	return i18n.Languages[0]
}

// Actions are what a click asks of the app. The engine implements all but
// the last two (through the admin API, so a click does exactly what the
// dashboard does); the window implements OpenDashboard and Quit.
type Actions interface {
	SetActive(channelID int64) error
	AttachClaude() error
	DetachClaude() error
	AttachCodex() error
	DetachCodex() error
	SetLanguage(lang string) error
	OpenDashboard()
	Quit()
}

// Dispatch runs the action of the item with the given ID in menu state s
// (the Claude and Codex items attach or detach depending on their status).
// Items without an action do nothing.
func Dispatch(id string, s State, a Actions) error {
	switch {
	case strings.HasPrefix(id, ProviderPrefix):
		n, err := strconv.ParseInt(strings.TrimPrefix(id, ProviderPrefix), 10, 64)
		if err != nil {
			return fmt.Errorf("tray: bad item %q: %w", id, err)
		}
		return a.SetActive(n)
	case strings.HasPrefix(id, LanguagePrefix):
		return a.SetLanguage(strings.TrimPrefix(id, LanguagePrefix))
	case id == IDClaude && s.ClaudeStatus == ClaudeAttached:
		return a.DetachClaude()
	case id == IDClaude:
		return a.AttachClaude()
	case id == IDCodex && s.CodexStatus == ClaudeAttached:
		return a.DetachCodex()
	case id == IDCodex:
		return a.AttachCodex()
	case id == IDOpen || id == IDTitle:
		a.OpenDashboard()
	case id == IDQuit:
		a.Quit()
	}
	return nil
}
