package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
	"github.com/routex-app/routex/backend/importer"
	"github.com/routex-app/routex/backend/store"
	"github.com/spf13/cobra"
)

// engineInfo is GET /api/info.
type engineInfo struct {
	Version string `json:"version"`
	Listen  string `json:"listen"`
	BaseURL string `json:"base_url"`
	Home    string `json:"home"`
	UptimeS int64  `json:"uptime_s"`
}

// conn is the CLI's one client of the admin API: over HTTP when this
// home's engine answers, else in-process through the same handler over the
// store (engine.OfflineAPI), so both paths validate input with one set of
// rules and explain routes with one router.
type conn struct {
	home    string
	cfg     config.Config
	version string
	remote  *remote // nil when no engine of this home answers
	info    engineInfo
	st      *store.Store
	local   http.Handler
}

// remote is an engine's admin API over HTTP, with its admin token.
type remote struct {
	base  string
	token string
	http  *http.Client
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
	base := "http://" + dialAddr(cfg.Listen)
	if info, ok := askInfo(base, cfg.AdminToken, 1500*time.Millisecond); ok {
		c.info = info
		c.remote = &remote{base: base, token: cfg.AdminToken, http: &http.Client{Timeout: 30 * time.Second}}
	}
	return c, nil
}

// withConn makes a command's RunE from fn, which runs with a connection
// to the home's admin API (dial), closed when fn returns.
func withConn(f *flags, version string) func(fn func(cmd *cobra.Command, c *conn, args []string) error) func(*cobra.Command, []string) error {
	return func(fn func(cmd *cobra.Command, c *conn, args []string) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			c, err := dial(f, version)
			if err != nil {
				return err
			}
			defer c.close()
			return fn(cmd, c, args)
		}
	}
}

// askInfo asks the engine at base for GET /api/info within timeout; false
// when none answers there, or one answers that refuses token.
func askInfo(base, token string, timeout time.Duration) (engineInfo, bool) {
	c := &conn{remote: &remote{base: base, token: token, http: &http.Client{Timeout: timeout}}}
	var info engineInfo
	return info, c.do("GET", "/api/info", nil, &info) == nil
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

// isNotFound reports whether err is the API's 404.
func isNotFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// errNotRunning says the engine did not answer.
type errNotRunning struct {
	base string
	err  error
}

func (e errNotRunning) Error() string {
	return fmt.Sprintf("no Routex engine answers at %s (start it with `routex` or `routex serve`): %v", e.base, e.err)
}

// do sends a request to the API (its body importer.Body(in)) and decodes
// a JSON answer into out; an error answer is an *apiError.
func (c *conn) do(method, path string, in, out any) error {
	body, err := importer.Body(in)
	if err != nil {
		return err
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

// listOf is the list a GET of path answers under field, as GET /api/keys
// answers {"keys": […]}.
func listOf[T any](c *conn, path, field string) ([]T, error) {
	var doc map[string]json.RawMessage
	if err := c.do("GET", path, nil, &doc); err != nil {
		return nil, err
	}
	var list []T
	if raw, ok := doc[field]; ok {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("GET %s: %w", path, err)
		}
	}
	return list, nil
}

// pick is the item of all that ref names: the first named says is named
// ref, else the one whose id is the number ref.
func pick[T any](all []T, ref string, named func(T) bool, id func(T) int64) (T, bool) {
	for _, v := range all {
		if named(v) {
			return v, true
		}
	}
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		for _, v := range all {
			if id(v) == n {
				return v, true
			}
		}
	}
	var zero T
	return zero, false
}

// roundTrip sends one request to the engine, or to the in-process API
// when none runs, and returns the status and body of its answer.
func (c *conn) roundTrip(method, path string, body []byte) (int, []byte, error) {
	if c.remote != nil {
		return c.remote.roundTrip(method, path, body)
	}
	if c.local == nil {
		st, err := c.store()
		if err != nil {
			return 0, nil, err
		}
		info := api.Info{Version: c.version, Listen: c.cfg.Listen, BaseURL: c.engineURL(), Home: c.home, Started: time.Now()}
		srv, err := engine.OfflineAPI(c.cfg, st, info, slog.New(slog.DiscardHandler))
		if err != nil {
			return 0, nil, err
		}
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

// roundTrip sends one request over HTTP with the admin token; an engine
// that does not answer is an errNotRunning.
func (r *remote) roundTrip(method, path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, r.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.http.Do(req)
	if err != nil {
		return 0, nil, errNotRunning{r.base, err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return resp.StatusCode, data, err
}
