package api

import (
	"context"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/logging"
)

// Keys of the runtime preferences in the store's settings table. The
// request log reads the last two.
const (
	SettingTheme            = "theme"
	SettingLogRetentionDays = "log_retention_days"
	SettingCaptureBodies    = "capture_bodies"
)

// Defaults of the runtime preferences.
const (
	DefaultTheme            = "system"
	DefaultLogRetentionDays = 30
	maxLogRetentionDays     = 3650
)

// Themes lists the dashboard themes.
var Themes = []string{"light", "dark", "system"}

// SettingsStore keeps the runtime preferences and the balance thresholds.
type SettingsStore interface {
	Setting(ctx context.Context, key string) (value string, ok bool, err error)
	SetSetting(ctx context.Context, key, value string) error
}

// settingsConf is the boot configuration the settings API reads and
// writes: config.json's listen and language, and the live keys.
type settingsConf struct {
	mu   sync.Mutex
	cfg  config.Config
	keys *config.Keys
	// login starts Routex at login; nil where the running binary's path
	// is unknown.
	login Autostart
}

// Autostart is the login item that start_at_login switches.
// autostart.Entry implements it for the running binary.
type Autostart interface {
	Enabled() (bool, error)
	Enable() error
	Disable() error
}

// settingsView is the JSON of GET /api/settings.
type settingsView struct {
	Listen            string `json:"listen"`
	Language          string `json:"language"`
	Theme             string `json:"theme"`
	LogRetentionDays  int    `json:"log_retention_days"`
	CaptureBodies     bool   `json:"capture_bodies"`
	StartAtLogin      bool   `json:"start_at_login"`
	AccessKeyPreview  string `json:"access_key_preview"`
	AdminTokenPreview string `json:"admin_token_preview"`
	Version           string `json:"version"`
	Home              string `json:"home"`
	// RestartRequired is true when the saved listen address differs from
	// the one the engine serves on.
	RestartRequired bool `json:"restart_required"`
	balanceSettings
}

// settingsInput is a partial PUT /api/settings.
type settingsInput struct {
	Listen           *string `json:"listen"`
	Language         *string `json:"language"`
	Theme            *string `json:"theme"`
	LogRetentionDays *int    `json:"log_retention_days"`
	CaptureBodies    *bool   `json:"capture_bodies"`
	StartAtLogin     *bool   `json:"start_at_login"`
	balanceSettingsInput

	// Read-only fields a client may echo back from a GET; ignored.
	AccessKeyPreview  *string `json:"access_key_preview"`
	AdminTokenPreview *string `json:"admin_token_preview"`
	Version           *string `json:"version"`
	Home              *string `json:"home"`
	RestartRequired   *bool   `json:"restart_required"`
}

func (in settingsInput) validate() error {
	ve := ValidationError{}
	if in.Listen != nil {
		host, port, err := net.SplitHostPort(*in.Listen)
		n, perr := strconv.Atoi(port)
		switch {
		case err != nil || perr != nil:
			ve.add("listen", "invalid", "listen must be host:port, e.g. 127.0.0.1:18080")
		case n < 1 || n > 65535:
			ve.add("listen", "range", "the port must be between 1 and 65535")
		case host != "" && net.ParseIP(host) == nil && host != "localhost":
			ve.add("listen", "invalid", "the host must be an IP address or localhost, e.g. 127.0.0.1 or 0.0.0.0")
		}
	}
	if in.Language != nil && !slices.Contains([]string{"en", "zh"}, *in.Language) {
		ve.add("language", "one_of", "language must be en or zh")
	}
	if in.Theme != nil && !slices.Contains(Themes, *in.Theme) {
		ve.add("theme", "one_of", "theme must be light, dark or system")
	}
	if in.LogRetentionDays != nil && (*in.LogRetentionDays < 1 || *in.LogRetentionDays > maxLogRetentionDays) {
		ve.add("log_retention_days", "range", "log_retention_days must be between 1 and %d", maxLogRetentionDays)
	}
	in.balanceSettingsInput.validate(ve)
	if len(ve) > 0 {
		return ve
	}
	return nil
}

// settingsStore is the store for the settings endpoints, or false (and a
// 503 answered) where the server has no boot configuration (Deps.Settings).
func (s *Server) settingsStore(w http.ResponseWriter) (SettingsStore, bool) {
	if s.conf == nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "settings are not available in this process", nil)
		return nil, false
	}
	return s.store, true
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.settingsStore(w)
	if !ok {
		return
	}
	v, err := s.readSettings(r.Context(), ss)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) readSettings(ctx context.Context, ss SettingsStore) (settingsView, error) {
	s.conf.mu.Lock()
	cfg, login := s.conf.cfg, s.conf.login
	s.conf.mu.Unlock()
	v := settingsView{Listen: cfg.Listen, Language: cfg.Language, Theme: DefaultTheme,
		LogRetentionDays: DefaultLogRetentionDays, AccessKeyPreview: logging.Redact(s.conf.keys.Access()),
		AdminTokenPreview: logging.Redact(s.conf.keys.Admin()), Version: s.info.Version, Home: cfg.Home,
		RestartRequired: s.info.Listen != "" && cfg.Listen != s.info.Listen}
	if v.Language == "" {
		v.Language = "en"
	}
	if t, ok, err := ss.Setting(ctx, SettingTheme); err != nil {
		return v, err
	} else if ok && slices.Contains(Themes, t) {
		v.Theme = t
	}
	if d, ok, err := ss.Setting(ctx, SettingLogRetentionDays); err != nil {
		return v, err
	} else if n, cerr := strconv.Atoi(d); ok && cerr == nil && n > 0 {
		v.LogRetentionDays = n
	}
	if c, ok, err := ss.Setting(ctx, SettingCaptureBodies); err != nil {
		return v, err
	} else if ok {
		v.CaptureBodies, _ = strconv.ParseBool(c)
	}
	th := s.Thresholds(ctx)
	v.BalanceWarn, v.BalanceFloor = th.Warn, th.Floor
	if login != nil {
		on, err := login.Enabled()
		if err != nil {
			return v, err
		}
		v.StartAtLogin = on
	}
	return v, nil
}

// putSettings saves the fields sent: listen and language to config.json
// (its other keys kept), the rest to the store. A new listen address takes
// effect at the next start, which restart_required says.
func (s *Server) putSettings(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.settingsStore(w)
	if !ok {
		return
	}
	var in settingsInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := in.validate(); err != nil {
		s.fail(w, r, err)
		return
	}
	boot := map[string]any{}
	if in.Listen != nil {
		boot["listen"] = *in.Listen
	}
	if in.Language != nil {
		boot["language"] = *in.Language
	}
	if err := s.patchConfig(boot, func(c *config.Config) {
		if in.Listen != nil {
			c.Listen = *in.Listen
		}
		if in.Language != nil {
			c.Language = *in.Language
		}
	}); err != nil {
		s.fail(w, r, err)
		return
	}
	prefs := map[string]string{}
	if in.Theme != nil {
		prefs[SettingTheme] = *in.Theme
	}
	if in.LogRetentionDays != nil {
		prefs[SettingLogRetentionDays] = strconv.Itoa(*in.LogRetentionDays)
	}
	if in.CaptureBodies != nil {
		prefs[SettingCaptureBodies] = strconv.FormatBool(*in.CaptureBodies)
	}
	for k, v := range prefs {
		if err := ss.SetSetting(r.Context(), k, v); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.saveThresholds(r.Context(), ss, in.balanceSettingsInput); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.StartAtLogin != nil {
		if err := s.switchAutostart(*in.StartAtLogin); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.log.Info("settings updated", "boot", len(boot), "preferences", len(prefs))
	s.getSettings(w, r)
}

// switchAutostart adds or removes the login item, touching it only when
// its state changes: a client echoing a whole GET back changes nothing.
func (s *Server) switchAutostart(on bool) error {
	s.conf.mu.Lock()
	defer s.conf.mu.Unlock()
	if s.conf.login == nil {
		return ValidationError{"start_at_login": {Code: "unavailable", Message: "start at login is not available: the path of the running program is unknown"}}
	}
	if cur, err := s.conf.login.Enabled(); err != nil || cur == on {
		return err
	}
	if on {
		if err := s.conf.login.Enable(); err != nil {
			return err
		}
	} else if err := s.conf.login.Disable(); err != nil {
		return err
	}
	s.log.Info("start at login switched", "enabled", on)
	return nil
}

// patchConfig writes values to config.json and applies edit to the copy
// this API reports, under one lock so two saves cannot interleave.
func (s *Server) patchConfig(values map[string]any, edit func(*config.Config)) error {
	if len(values) == 0 {
		return nil
	}
	s.conf.mu.Lock()
	defer s.conf.mu.Unlock()
	if err := config.Patch(s.conf.cfg.Home, values); err != nil {
		return err
	}
	edit(&s.conf.cfg)
	return nil
}

// whichInput is the body of reveal and regenerate.
type whichInput struct {
	Which string `json:"which"`
}

func decodeWhich(r *http.Request) (string, error) {
	var in whichInput
	if err := decode(r, &in); err != nil {
		return "", err
	}
	if in.Which != "access_key" && in.Which != "admin_token" {
		return "", ValidationError{"which": {Code: "one_of", Message: "which must be access_key or admin_token"}}
	}
	return in.Which, nil
}

// revealKey answers POST /api/settings/reveal with the whole key, for the
// dashboard's reveal and copy buttons. POST, so no cache or log keeps it.
func (s *Server) revealKey(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.settingsStore(w); !ok {
		return
	}
	which, err := decodeWhich(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.conf.keys.Access()
	if which == "admin_token" {
		v = s.conf.keys.Admin()
	}
	writeJSON(w, http.StatusOK, map[string]string{"value": v})
}

// regenerateKey answers POST /api/settings/regenerate: a fresh key, saved
// to config.json and accepted by the running engine at once; the old one
// stops working. After a new admin token the browser must store the value.
func (s *Server) regenerateKey(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.settingsStore(w); !ok {
		return
	}
	which, err := decodeWhich(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	prefix, env := "rx-", config.EnvAccessKey
	if which == "admin_token" {
		prefix, env = "rxa-", config.EnvAdminToken
	}
	v := config.NewKey(prefix)
	if err := s.patchConfig(map[string]any{which: v}, func(c *config.Config) {
		if which == "admin_token" {
			c.AdminToken = v
		} else {
			c.AccessKey = v
		}
	}); err != nil {
		s.fail(w, r, err)
		return
	}
	if which == "admin_token" {
		s.conf.keys.SetAdmin(v)
	} else {
		s.conf.keys.SetAccess(v)
	}
	if os.Getenv(env) != "" {
		s.log.Warn("key regenerated, but an environment variable will override it at the next start", "which", which, "env", env)
	}
	s.log.Info("key regenerated", "which", which, "preview", logging.Redact(v))
	writeJSON(w, http.StatusOK, map[string]string{"value": v})
}

// Language is the dashboard language saved in config.json, as the settings
// API last wrote or read it; "" without Deps.Settings. The tray follows it.
func (s *Server) Language() string {
	if s.conf == nil {
		return ""
	}
	s.conf.mu.Lock()
	defer s.conf.mu.Unlock()
	return s.conf.cfg.Language
}
