package tray

import (
	"strings"
	"testing"
)

func TestBalancesShowNextToEachProvider(t *testing.T) {
	t.Parallel()
	chs := []Channel{
		{ID: 1, Name: "deepseek", Enabled: true, Health: "closed", Balance: &Balance{Remaining: 110, Unit: "CNY", Level: "ok"}},
		{ID: 2, Name: "kimi", Enabled: true, Health: "closed", Balance: &Balance{Remaining: 3.2, Unit: "CNY", Level: "low"}},
		{ID: 3, Name: "openrouter", Enabled: true, Health: "open", Balance: &Balance{Remaining: 0, Unit: "USD", Level: "exhausted"}},
		{ID: 4, Name: "glm", Enabled: true, Health: "closed"},
		{ID: 5, Name: "siliconflow", Enabled: true, Health: "closed", Balance: &Balance{Remaining: 9, Unit: "CNY", Level: "unknown"}},
	}
	for _, tc := range []struct {
		lang    string
		labels  map[string]string
		tooltip string
	}{
		{"en", map[string]string{
			"provider:1": "deepseek · 110.00 CNY",
			"provider:2": "kimi · 3.20 CNY — balance low",
			"provider:3": "openrouter · 0.00 USD — used up, skipped ⚠ unavailable",
			"provider:4": "glm",
			"provider:5": "siliconflow · 9.00 CNY?",
		}, "Routex — deepseek · low balance: kimi 3.20 CNY, openrouter 0.00 USD"},
		{"zh", map[string]string{
			"provider:1": "deepseek · 110.00 CNY",
			"provider:2": "kimi · 3.20 CNY — 余额偏低",
			"provider:3": "openrouter · 0.00 USD — 已用尽，已跳过 ⚠ 不可用",
		}, "Routex — deepseek · 余额不足：kimi 3.20 CNY, openrouter 0.00 USD"},
	} {
		m := Build(State{Channels: chs, ActiveID: 1, Language: tc.lang, Requests24h: -1})
		for id, want := range tc.labels {
			it, ok := find(m.Items, id)
			if !ok || it.Label != want {
				t.Errorf("%s: %s = %q, want %q", tc.lang, id, it.Label, want)
			}
		}
		if m.Tooltip != tc.tooltip {
			t.Errorf("%s: tooltip %q, want %q", tc.lang, m.Tooltip, tc.tooltip)
		}
	}
	// Without low balances the tooltip names the provider only.
	m := Build(State{Channels: chs[:1], ActiveID: 1, Language: "en", Requests24h: -1})
	if strings.Contains(m.Tooltip, "balance") {
		t.Errorf("tooltip %q", m.Tooltip)
	}
}
