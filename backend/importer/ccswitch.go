package importer

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ccSwitchRow is one row of cc-switch's providers table.
type ccSwitchRow struct {
	app, name, settings, meta string
	current                   bool
}

// readCCSwitch reads cc-switch's providers table (read-only): Claude rows
// become Anthropic channels and Gemini rows Gemini channels, from the env
// block of each row's settings_config; Codex rows become channels from
// their config.toml and auth.json (see codexChannel). The current Claude
// provider becomes the active one. Other apps' rows are left out.
func readCCSwitch(path string) (Plan, error) {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro")
	if err != nil {
		return Plan{}, err
	}
	defer db.Close()
	cols, err := columns(db, "providers")
	if err == nil && (!cols["app_type"] || !cols["name"] || !cols["settings_config"]) {
		err = errors.New("no providers table")
	}
	if err != nil {
		return Plan{}, fmt.Errorf("not a cc-switch database: %w", err)
	}
	// Older databases lack the columns later versions added (meta,
	// sort_index, created_at); they read as their defaults.
	col := func(name, def string) string {
		if cols[name] {
			return "COALESCE(" + name + ", " + def + ")"
		}
		return def
	}
	order := "app_type"
	for _, c := range []string{"sort_index", "created_at"} {
		if cols[c] {
			order += ", COALESCE(" + c + ", 0)"
		}
	}
	rows, err := db.Query(`SELECT app_type, name, settings_config, ` + col("meta", "'{}'") + `, ` + col("is_current", "0") +
		` FROM providers ORDER BY ` + order + `, rowid`)
	if err != nil {
		return Plan{}, fmt.Errorf("read cc-switch providers: %w", err)
	}
	defer rows.Close()
	p := Plan{Source: "cc-switch", Routes: map[string][]string{}}
	seen := map[string]bool{}
	var skipped []string
	for rows.Next() {
		var r ccSwitchRow
		if err := rows.Scan(&r.app, &r.name, &r.settings, &r.meta, &r.current); err != nil {
			return p, err
		}
		var ch Channel
		switch r.app {
		case "claude":
			ch = claudeChannel(r)
		case "gemini":
			ch = geminiChannel(r)
		case "codex":
			var ok bool
			var note string
			ch, ok, note = codexChannel(r)
			if note != "" {
				p.Notes = append(p.Notes, note)
			}
			if !ok {
				continue
			}
		default:
			if !slices.Contains(skipped, r.app) {
				skipped = append(skipped, r.app)
			}
			continue
		}
		ch.BaseURL = strings.TrimRight(ch.BaseURL, "/")
		ch.Name = cleanName(r.name)
		if seen[ch.Name] {
			ch.Name = cleanName(r.name + " (" + r.app + ")")
		}
		seen[ch.Name] = true
		if ch.Models == nil {
			ch.Models = []string{}
		}
		ch.Priority, ch.Weight, ch.Enabled = len(p.Channels)+1, 1, true
		p.Channels = append(p.Channels, ch)
		if r.current && r.app == "claude" {
			t := ch.Name
			if len(ch.Models) > 0 {
				t += "," + ch.Models[0]
			}
			p.Routes["default"] = []string{t}
		}
	}
	if len(skipped) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("providers of other apps (%s) were left out", strings.Join(skipped, ", ")))
	}
	return p, rows.Err()
}

// columns lists a table's column names.
func columns(db *sql.DB, table string) (map[string]bool, error) {
	rows, err := db.Query("SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out[name] = true
	}
	return out, rows.Err()
}

func claudeChannel(r ccSwitchRow) Channel {
	env := gjson.Get(r.settings, "env")
	ch := Channel{Type: "anthropic", BaseURL: env.Get("ANTHROPIC_BASE_URL").String(),
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
	return ch
}

func geminiChannel(r ccSwitchRow) Channel {
	env := gjson.Get(r.settings, "env")
	ch := Channel{Type: "gemini", BaseURL: env.Get("GOOGLE_GEMINI_BASE_URL").String(), APIKey: env.Get("GEMINI_API_KEY").String()}
	if ch.BaseURL == "" {
		ch.BaseURL = "https://generativelanguage.googleapis.com"
	}
	if m := env.Get("GEMINI_MODEL").String(); m != "" {
		ch.Models = []string{m}
	}
	return ch
}
