package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/store"
)

// Claude Code attach states, as status and doctor show them.
const (
	attached         = "attached"
	notAttached      = "not_attached"
	attachedElswhere = "attached_elsewhere"
)

// attachState is a client's settings compared to the engine's URL.
type attachState struct {
	State   string `json:"state"`
	BaseURL string `json:"base_url,omitempty"`
	File    string `json:"file"`
}

// claudeSettingsPath honours CLAUDE_CONFIG_DIR as Claude Code does.
func claudeSettingsPath() string {
	dir := os.Getenv("CLAUDE_CONFIG_DIR")
	if dir == "" {
		h, _ := os.UserHomeDir()
		dir = filepath.Join(h, ".claude")
	}
	return filepath.Join(dir, "settings.json")
}

// claudeState reads env.ANTHROPIC_BASE_URL from Claude Code's settings.
func claudeState(engineURL string) attachState {
	path := claudeSettingsPath()
	st := attachState{State: notAttached, File: path}
	data, err := os.ReadFile(path)
	if err != nil || !gjson.ValidBytes(data) {
		return st
	}
	return compareURL(st, gjson.GetBytes(data, "env.ANTHROPIC_BASE_URL").String(), engineURL)
}

// compareURL fills st from a client's configured base URL: the engine's
// (loopback names and trailing slashes aside), another, or none.
func compareURL(st attachState, got, engineURL string) attachState {
	st.BaseURL = got
	switch {
	case got == "":
		st.State = notAttached
	case sameEndpoint(got, engineURL):
		st.State = attached
	default:
		st.State = attachedElswhere
	}
	return st
}

func sameEndpoint(a, b string) bool {
	ua, err1 := url.Parse(strings.TrimRight(a, "/"))
	ub, err2 := url.Parse(strings.TrimRight(b, "/"))
	if err1 != nil || err2 != nil {
		return false
	}
	loop := func(h string) bool {
		ip := net.ParseIP(h)
		return h == "localhost" || (ip != nil && ip.IsLoopback())
	}
	ha, hb := ua.Hostname(), ub.Hostname()
	return ua.Port() == ub.Port() && (ha == hb || (loop(ha) && loop(hb))) && strings.TrimRight(ua.Path, "/") == strings.TrimRight(ub.Path, "/")
}

// statusReport is what `routex status --json` prints.
type statusReport struct {
	Engine struct {
		Running bool   `json:"running"`
		URL     string `json:"url"`
		Version string `json:"version,omitempty"`
		UptimeS int64  `json:"uptime_s,omitempty"`
	} `json:"engine"`
	Active struct {
		Channel string `json:"channel,omitempty"`
		Model   string `json:"model,omitempty"`
	} `json:"active"`
	ClaudeCode    attachState `json:"claude_code"`
	RequestsToday int         `json:"requests_today"`
	// RequestsCapped is true when the count stopped at the store's limit.
	RequestsCapped bool `json:"requests_capped,omitempty"`
}

func newStatusCmd(f *flags, tr *i18n.Translator, version string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: tr.T("cli.statusShort"),
		Args:  cobra.NoArgs,
		RunE: withConn(f, version)(func(cmd *cobra.Command, c *conn, _ []string) error {
			rep, err := collectStatus(cmd.Context(), c)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), rep)
			}
			printStatus(cmd.OutOrStdout(), rep, tr)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, tr.T("cli.flagJSON"))
	return cmd
}

func collectStatus(ctx context.Context, c *conn) (statusReport, error) {
	var rep statusReport
	rep.Engine.Running = c.running()
	rep.Engine.URL = c.engineURL()
	if c.running() {
		rep.Engine.Version, rep.Engine.UptimeS = c.info.Version, c.info.UptimeS
	}
	name, model, err := activeTarget(c)
	if err != nil {
		return rep, err
	}
	rep.Active.Channel, rep.Active.Model = name, model
	rep.ClaudeCode = claudeState(c.engineURL())
	rep.RequestsToday, rep.RequestsCapped, err = requestsToday(ctx, c, time.Now())
	return rep, err
}

// activeTarget is the channel name and model of the active provider.
func activeTarget(c *conn) (name, model string, err error) {
	var doc struct {
		Routes map[string][]string `json:"routes"`
	}
	if err := c.do("GET", "/api/routes", nil, &doc); err != nil {
		return "", "", err
	}
	if d := doc.Routes["default"]; len(d) > 0 {
		name, model, _ = strings.Cut(d[0], ",")
	}
	return name, model, nil
}

// requestsToday counts requests since local midnight: through GET /api/logs
// when the engine offers it, else from the store's recent logs.
func requestsToday(ctx context.Context, c *conn, now time.Time) (int, bool, error) {
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	var raw json.RawMessage
	err := c.do("GET", "/api/logs?from="+url.QueryEscape(midnight.Format(time.RFC3339))+"&limit=1", nil, &raw)
	if err == nil {
		if n := gjson.GetBytes(raw, "total"); n.Exists() {
			return int(n.Int()), false, nil
		}
	}
	st, err := c.store()
	if err != nil {
		return 0, false, err
	}
	logs, err := st.RecentRequestLogs(ctx, store.MaxRecentLimit)
	if err != nil {
		return 0, false, err
	}
	n := 0
	for _, l := range logs {
		if !l.Time.Before(midnight) {
			n++
		}
	}
	return n, n == store.MaxRecentLimit, nil
}

func printStatus(out io.Writer, rep statusReport, tr *i18n.Translator) {
	tw := newTable(out)
	engine := tr.T("cli.statusEngineDown", "url", rep.Engine.URL)
	if rep.Engine.Running {
		up := (time.Duration(rep.Engine.UptimeS) * time.Second).String()
		engine = tr.T("cli.statusEngineUp", "url", rep.Engine.URL, "version", rep.Engine.Version, "uptime", up)
	}
	fmt.Fprintf(tw, "%s\t%s\n", tr.T("cli.statusEngine"), engine)
	active := tr.T("cli.statusActiveNone")
	if rep.Active.Channel != "" {
		active = rep.Active.Channel
		if rep.Active.Model != "" {
			active += " · " + rep.Active.Model
		}
	}
	fmt.Fprintf(tw, "%s\t%s\n", tr.T("cli.statusActive"), active)
	fmt.Fprintf(tw, "%s\t%s\n", tr.T("cli.statusClaude"), attachText(rep.ClaudeCode, tr))
	count := fmt.Sprint(rep.RequestsToday)
	if rep.RequestsCapped {
		count += "+"
	}
	fmt.Fprintf(tw, "%s\t%s\n", tr.T("cli.statusRequests"), count)
	tw.Flush()
}

// attachText is an attach state in words.
func attachText(s attachState, tr *i18n.Translator) string {
	switch s.State {
	case attached:
		return tr.T("cli.statusAttached")
	case attachedElswhere:
		return tr.T("cli.statusAttachedElsewhere", "url", s.BaseURL)
	}
	return tr.T("cli.statusNotAttached")
}

func printJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newDashboardCmd is `routex dashboard`: a fresh one-time login link to the
// running engine's dashboard, for a browser that has no admin token yet.
func newDashboardCmd(f *flags, tr *i18n.Translator, version string) *cobra.Command {
	return &cobra.Command{
		Use:   "dashboard",
		Short: tr.T("cli.dashboardShort"),
		Args:  cobra.NoArgs,
		RunE: withConn(f, version)(func(cmd *cobra.Command, c *conn, _ []string) error {
			if !c.running() {
				return errors.New(tr.T("cli.dashboardNotRunning"))
			}
			var link struct {
				URL string `json:"url"`
			}
			if err := c.do("POST", "/api/login/link", nil, &link); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tr.T("cli.loginLink", "url", link.URL))
			return nil
		}),
	}
}
