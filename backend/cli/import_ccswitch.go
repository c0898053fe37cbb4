package cli

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tidwall/gjson"
)

// readCCSwitch reads cc-switch's providers table (read-only): Claude rows
// become Anthropic channels, Gemini rows Gemini channels, from the env
// block of each row's settings_config. The current Claude provider becomes
// the active one. Codex rows are left out.
func readCCSwitch(path string) (importPlan, error) {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro")
	if err != nil {
		return importPlan{}, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT app_type, name, settings_config, is_current FROM providers
		ORDER BY app_type, COALESCE(sort_index, 0), COALESCE(created_at, 0)`)
	if err != nil {
		return importPlan{}, fmt.Errorf("not a cc-switch database (no providers table): %w", err)
	}
	defer rows.Close()
	p := importPlan{Source: "cc-switch", Routes: map[string][]string{}}
	seen := map[string]bool{}
	skipped := 0
	for rows.Next() {
		var app, name, settings string
		var current bool
		if err := rows.Scan(&app, &name, &settings, &current); err != nil {
			return p, err
		}
		env := gjson.Get(settings, "env")
		var ch exportChannel
		switch app {
		case "claude":
			ch = exportChannel{Type: "anthropic", BaseURL: env.Get("ANTHROPIC_BASE_URL").String(),
				APIKey: firstNonEmpty(env.Get("ANTHROPIC_AUTH_TOKEN").String(), env.Get("ANTHROPIC_API_KEY").String())}
			if ch.BaseURL == "" {
				ch.BaseURL = "https://api.anthropic.com"
			}
			for _, k := range []string{"ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL",
				"ANTHROPIC_DEFAULT_HAIKU_MODEL", "ANTHROPIC_SMALL_FAST_MODEL"} {
				if m := env.Get(k).String(); m != "" && !slices.Contains(ch.Models, m) {
					ch.Models = append(ch.Models, m)
				}
			}
		case "gemini":
			ch = exportChannel{Type: "gemini", BaseURL: env.Get("GOOGLE_GEMINI_BASE_URL").String(), APIKey: env.Get("GEMINI_API_KEY").String()}
			if ch.BaseURL == "" {
				ch.BaseURL = "https://generativelanguage.googleapis.com"
			}
			if m := env.Get("GEMINI_MODEL").String(); m != "" {
				ch.Models = []string{m}
			}
		default:
			skipped++
			continue
		}
		ch.BaseURL = strings.TrimRight(ch.BaseURL, "/")
		ch.Name = cleanName(name)
		if seen[ch.Name] {
			ch.Name = cleanName(name + " (" + app + ")")
		}
		seen[ch.Name] = true
		if ch.Models == nil {
			ch.Models = []string{}
		}
		ch.Priority, ch.Weight, ch.Enabled = len(p.Channels)+1, 1, true
		p.Channels = append(p.Channels, ch)
		if current && app == "claude" {
			t := ch.Name
			if len(ch.Models) > 0 {
				t += "," + ch.Models[0]
			}
			p.Routes["default"] = []string{t}
		}
	}
	if skipped > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%d providers of other apps (Codex, …) were left out", skipped))
	}
	return p, rows.Err()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
