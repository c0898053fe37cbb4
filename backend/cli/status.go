package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/keys"
	"github.com/routex-app/routex/backend/store"
)

// engineInfo is GET /api/info.
type engineInfo struct {
	Version string `json:"version"`
	Listen  string `json:"listen"`
	BaseURL string `json:"base_url"`
	Home    string `json:"home"`
	UptimeS int64  `json:"uptime_s"`
}

// conn reaches the admin API: over HTTP when this home's engine answers,
// else in-process through the same handler over the store, so both paths
// validate input with one set of rules.
type conn struct {
	home    string
	cfg     config.Config
	version string
	remote  *adminClient // nil when no engine of this home answers
	info    engineInfo
	st      *store.Store
	local   http.Handler
}

// resolveHome is --home made absolute, or ROUTEX_HOME, or the default.
func resolveHome(f *flags) (string, error) {
	if f.home != "" {
		return filepath.Abs(f.home)
	}
	return config.Home()
}

// dial loads the home's config and asks its engine for /api/info; an engine
// that does not answer, or answers with another token (another home's), is
// treated as absent and the store is used instead.
func dial(f *flags, version string) (*conn, error) {
	home, err := resolveHome(f)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(home)
	if err != nil {
		return nil, err
	}
	cfg.Listen = listenFor(f, home, cfg.Listen)
	c := &conn{home: home, cfg: cfg, version: version}
	ac := &adminClient{base: "http://" + dialAddr(cfg.Listen), token: cfg.AdminToken, http: &http.Client{Timeout: 30 * time.Second}}
	quick := &adminClient{base: ac.base, token: ac.token, http: &http.Client{Timeout: 1500 * time.Millisecond}}
	if quick.call("GET", "/api/info", nil, &c.info) == nil {
		c.remote = ac
	}
	return c, nil
}

// running reports whether the home's engine answered.
func (c *conn) running() bool { return c.remote != nil }

// engineURL is the base URL clients use for this home's engine.
func (c *conn) engineURL() string { return "http://" + c.cfg.Listen }

// store opens the database directly, for what the API never shows (keys)
// and for when no engine runs: the SQLite file, which a running engine
// shares, or the team's PostgreSQL database when database_url is set.
func (c *conn) store() (*store.Store, error) {
	if c.st == nil {
		st, err := store.Open(config.DatabaseTarget(c.home))
		if err != nil {
			return nil, err
		}
		c.st = st
	}
	return c.st, nil
}

func (c *conn) close() {
	if c.st != nil {
		c.st.Close()
	}
}

// apiError is an error answer of the admin API, with its field errors.
type apiError struct {
	Status  int
	Type    string                    `json:"type"`
	Message string                    `json:"message"`
	Fields  map[string]api.FieldError `json:"fields"`
}

// Error prints one line per invalid field as "field: problem", the field
// name not repeated when the API's message starts with it.
func (e *apiError) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	lines := make([]string, 0, len(e.Fields))
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		msg := strings.TrimPrefix(e.Fields[k].Message, k+" ")
		lines = append(lines, k+": "+msg)
	}
	return strings.Join(lines, "\n")
}

// do sends a request to the API (in is JSON-encoded unless it is []byte)
// and decodes a JSON answer into out; an error answer is an *apiError.
func (c *conn) do(method, path string, in, out any) error {
	var body []byte
	switch v := in.(type) {
	case nil:
	case []byte:
		body = v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		body = b
	}
	status, data, err := c.roundTrip(method, path, body)
	if err != nil {
		return err
	}
	if status >= 400 {
		var e struct {
			Error apiError `json:"error"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error.Message == "" {
			e.Error.Message = fmt.Sprintf("%s %s: HTTP %d", method, path, status)
		}
		e.Error.Status = status
		return &e.Error
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = append((*raw)[:0], bytes.TrimSpace(data)...)
		return nil
	}
	return json.Unmarshal(data, out)
}

func (c *conn) roundTrip(method, path string, body []byte) (int, []byte, error) {
	if c.remote != nil {
		req, err := http.NewRequest(method, c.remote.base+path, bytes.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+c.remote.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.remote.http.Do(req)
		if err != nil {
			return 0, nil, errNotRunning{c.remote.base, err}
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		return resp.StatusCode, data, err
	}
	if c.local == nil {
		st, err := c.store()
		if err != nil {
			return 0, nil, err
		}
		info := api.Info{Version: c.version, Listen: c.cfg.Listen, BaseURL: c.engineURL(), Home: c.home, Started: time.Now()}
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		srv := api.New(st, info, quiet)
		srv.SetKeys(keys.New(st, quiet))
		c.local = srv.Handler()
	}
	req, err := http.NewRequest(method, "http://routex.local"+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	c.local.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes(), nil
}

// isNotFound reports whether err is the API's 404.
func isNotFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

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
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := dial(f, version)
			if err != nil {
				return err
			}
			defer c.close()
			rep, err := collectStatus(cmd.Context(), c)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), rep)
			}
			printStatus(cmd.OutOrStdout(), rep, tr)
			return nil
		},
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
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := dial(f, version)
			if err != nil {
				return err
			}
			defer c.close()
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
		},
	}
}
