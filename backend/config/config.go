// Package config finds Routex's home folder and reads the boot settings in
// config.json: what the engine needs before it can open the database.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/sjson"
)

// DefaultListen is the loopback address the engine serves on unless told
// otherwise. Loopback by default: the proxy holds the user's provider keys.
const DefaultListen = "127.0.0.1:18080"

// Environment variables that override config.json. They win over the file so
// that a service manager or a test can run Routex without editing it.
const (
	EnvHome       = "ROUTEX_HOME"
	EnvListen     = "ROUTEX_LISTEN"
	EnvAccessKey  = "ROUTEX_ACCESS_KEY"
	EnvAdminToken = "ROUTEX_ADMIN_TOKEN"
	EnvLogLevel   = "LOG_LEVEL"
	// EnvDatabaseURL selects PostgreSQL (a postgres:// URL) instead of the
	// SQLite file in ROUTEX_HOME, as database_url does in config.json.
	EnvDatabaseURL = "ROUTEX_DATABASE_URL"
	// EnvAllowedHosts is allowed_hosts as a comma-separated list.
	EnvAllowedHosts = "ROUTEX_ALLOWED_HOSTS"
	// EnvInstance names this instance in the request log, as instance
	// does in config.json.
	EnvInstance = "ROUTEX_INSTANCE"
)

// Timeouts bound each phase of an upstream call. Separate limits catch the
// three ways a provider hangs: it never accepts, it never answers, or it
// stops in the middle of a stream.
type Timeouts struct {
	ConnectMS   int `json:"connect_ms"`
	FirstByteMS int `json:"first_byte_ms"`
	IdleMS      int `json:"idle_ms"`
	// TotalMS bounds a whole request, failover attempts included, until its
	// answer starts streaming.
	TotalMS int `json:"total_ms,omitempty"`
}

// Total is the time limit of a whole request; 0 means 10 minutes.
func (t Timeouts) Total() time.Duration {
	if t.TotalMS <= 0 {
		return 10 * time.Minute
	}
	return time.Duration(t.TotalMS) * time.Millisecond
}

// Routing tunes failover and session affinity. Zero fields take defaults.
type Routing struct {
	// FailureThreshold is how many failures in a row open a channel's
	// circuit breaker (default 3).
	FailureThreshold int `json:"failure_threshold,omitempty"`
	// CooldownS is how long an open breaker waits before a probe (default 30).
	CooldownS int `json:"cooldown_s,omitempty"`
	// AffinitySize and AffinityTTLS bound the conversation → channel map
	// (default 10000 conversations, one hour).
	AffinitySize int `json:"affinity_size,omitempty"`
	AffinityTTLS int `json:"affinity_ttl_s,omitempty"`
}

// Connect is the dial timeout.
func (t Timeouts) Connect() time.Duration { return time.Duration(t.ConnectMS) * time.Millisecond }

// FirstByte is how long the upstream may take to send response headers.
func (t Timeouts) FirstByte() time.Duration { return time.Duration(t.FirstByteMS) * time.Millisecond }

// Idle is the longest silence allowed between two reads of a response body.
func (t Timeouts) Idle() time.Duration { return time.Duration(t.IdleMS) * time.Millisecond }

// Config is the content of config.json after environment overrides.
type Config struct {
	Listen     string   `json:"listen"`
	LogLevel   string   `json:"log_level"`
	Language   string   `json:"language"`
	AccessKey  string   `json:"access_key"`
	AdminToken string   `json:"admin_token"`
	Timeouts   Timeouts `json:"timeouts"`
	Routing    Routing  `json:"routing"`
	// DatabaseURL is a postgres:// URL: Routex then keeps channels, routes,
	// settings, prices and the request log in that PostgreSQL database,
	// which several instances can share (a team gateway). Empty means the
	// SQLite file routex.db in Home.
	DatabaseURL string `json:"database_url,omitempty"`
	// AllowedHosts are host names besides localhost and the listen address
	// that requests may be addressed to (the Host header): the name a team
	// reaches its gateway by, through a load balancer. An entry "*.example.com"
	// allows every subdomain. Other names are refused, as a defence against
	// DNS rebinding.
	AllowedHosts []string `json:"allowed_hosts,omitempty"`
	// Instance names this Routex in the request log when several share a
	// database; empty means the machine's host name and the port.
	Instance string `json:"instance,omitempty"`
	// Limits bound what requests in flight may hold (bodies, idle reads).
	Limits Limits `json:"limits"`
	// Metrics says who may read /metrics.
	Metrics Metrics `json:"metrics"`

	// Home is the folder the file was read from; not stored in the file.
	Home string `json:"-"`
	// AccessKeyFrom and AdminTokenFrom name where the environment set the
	// key ("ROUTEX_ACCESS_KEY", or "ROUTEX_ACCESS_KEY_FILE=/path"); empty
	// when it is the one in config.json. `routex serve` tells people which to
	// use: a container's config.json holds keys the environment overrides.
	AccessKeyFrom  string `json:"-"`
	AdminTokenFrom string `json:"-"`
}

// Defaults returns the settings of a fresh install, without keys.
func Defaults() Config {
	return Config{
		Listen:   DefaultListen,
		LogLevel: "info",
		Language: "en",
		Timeouts: Timeouts{ConnectMS: 10_000, FirstByteMS: 300_000, IdleMS: 300_000},
	}
}

// Home returns ROUTEX_HOME, or the OS config folder plus "/routex".
func Home() (string, error) {
	if h := os.Getenv(EnvHome); h != "" {
		return filepath.Abs(h)
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("config: find the user config folder (set %s): %w", EnvHome, err)
	}
	return filepath.Join(dir, "routex"), nil
}

// Path returns the config.json path inside home.
func Path(home string) string { return filepath.Join(home, "config.json") }

// DatabasePath returns the SQLite file inside home.
func DatabasePath(home string) string { return filepath.Join(home, "routex.db") }

// Database returns what the store opens: the PostgreSQL URL when one is
// set, else the SQLite file in Home.
func (c Config) Database() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return DatabasePath(c.Home)
}

// DatabaseTarget is Database for a home whose config.json is not loaded
// (CLI commands that only open the store): ROUTEX_DATABASE_URL (or the
// file ROUTEX_DATABASE_URL_FILE names), else database_url in
// home/config.json, else the SQLite file. The file is only
// read; a missing or unreadable one means SQLite.
func DatabaseTarget(home string) string {
	if v, _, err := secretEnv(EnvDatabaseURL); err == nil && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	var f struct {
		DatabaseURL string `json:"database_url"`
	}
	if data, err := os.ReadFile(Path(home)); err == nil && json.Unmarshal(data, &f) == nil && f.DatabaseURL != "" {
		return strings.TrimSpace(f.DatabaseURL)
	}
	return DatabasePath(home)
}

// LogDir returns the folder of the rotating log files inside home.
func LogDir(home string) string { return filepath.Join(home, "logs") }

// Load reads home/config.json, creating home (0700) and the file (0600) with
// fresh keys when they are missing, then applies environment overrides. A
// malformed file is reported with its line and column and never rewritten.
func Load(home string) (Config, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return Config{}, fmt.Errorf("config: create %s: %w", home, err)
	}
	path := Path(home)
	cfg, err := read(path)
	if errors.Is(err, os.ErrNotExist) {
		cfg, err = create(path)
	}
	if err != nil {
		return Config{}, err
	}
	cfg.Home = home
	if err := cfg.applyEnv(); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("config: %s: %w", path, err)
	}
	return cfg, nil
}

func read(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: read %s: %w", path, err)
	}
	cfg := Defaults()
	if len(strings.TrimSpace(string(data))) == 0 {
		return Config{}, fmt.Errorf("config: %s is empty; fix or remove it to start fresh", path)
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return Config{}, fmt.Errorf("config: %s: %w", path, describeJSONError(data, err))
	}
	if cfg.AccessKey == "" || cfg.AdminToken == "" {
		// Keys missing from a hand-written file are generated and added to
		// it, the rest of the file kept as the user wrote it, settings this
		// version does not know included (re-encoding cfg would drop them).
		if cfg.AccessKey == "" {
			cfg.AccessKey = NewKey("rx-")
			data, err = sjson.SetBytes(data, "access_key", cfg.AccessKey)
		}
		if err == nil && cfg.AdminToken == "" {
			cfg.AdminToken = NewKey("rxa-")
			data, err = sjson.SetBytes(data, "admin_token", cfg.AdminToken)
		}
		if err == nil && !json.Valid(data) {
			err = errors.New("the result is not valid JSON")
		}
		if err != nil {
			return Config{}, fmt.Errorf("config: add keys to %s: %w", path, err)
		}
		if err := writeFile(path, data); err != nil {
			return Config{}, err
		}
	}
	return cfg, nil
}

func create(path string) (Config, error) {
	cfg := Defaults()
	cfg.AccessKey = NewKey("rx-")
	cfg.AdminToken = NewKey("rxa-")
	if err := Save(path, cfg); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Save writes cfg to path atomically (temp file, fsync, rename), mode 0600.
func Save(path string, cfg Config) error {
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("config: encode: %w", err)
	}
	return writeFile(path, append(data, '\n'))
}

// writeFile writes data to path atomically (temp file, fsync, rename), mode 0600.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.json")
	if err != nil {
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	return nil
}

// FileSuffix names the variant of a secret's variable that holds a path
// instead of the value (ROUTEX_ACCESS_KEY_FILE), as container secrets are
// passed: the value stays out of the environment and of `docker inspect`.
const FileSuffix = "_FILE"

// secretEnv returns the variable name's value, else the trimmed content of
// the file its _FILE variant names, else "", and where the value came from
// (the variable, or NAME_FILE=path).
func secretEnv(name string) (value, from string, err error) {
	if v := os.Getenv(name); v != "" {
		return v, name, nil
	}
	path := os.Getenv(name + FileSuffix)
	if path == "" {
		return "", "", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("config: %s%s: %w", name, FileSuffix, err)
	}
	return strings.TrimSpace(string(data)), name + FileSuffix + "=" + path, nil
}

func (c *Config) applyEnv() error {
	if v := os.Getenv(EnvListen); v != "" {
		c.Listen = v
	}
	var dbFrom string
	for _, sec := range []struct {
		name      string
		dst, from *string
	}{{EnvAccessKey, &c.AccessKey, &c.AccessKeyFrom}, {EnvAdminToken, &c.AdminToken, &c.AdminTokenFrom},
		{EnvDatabaseURL, &c.DatabaseURL, &dbFrom}} {
		v, from, err := secretEnv(sec.name)
		if err != nil {
			return err
		}
		if v != "" {
			*sec.dst, *sec.from = v, from
		}
	}
	if v := os.Getenv(EnvLogLevel); v != "" {
		c.LogLevel = v
	}
	if v := os.Getenv(EnvAllowedHosts); v != "" {
		c.AllowedHosts = nil
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				c.AllowedHosts = append(c.AllowedHosts, h)
			}
		}
	}
	if v := os.Getenv(EnvInstance); v != "" {
		c.Instance = v
	}
	if v := os.Getenv(EnvMetricsToken); v != "" {
		c.Metrics.Token = v
	}
	c.DatabaseURL = strings.TrimSpace(c.DatabaseURL)
	return nil
}

// Validate reports the first setting that cannot work, naming it.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen %q is not host:port: %w", c.Listen, err)
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "warning", "error":
	default:
		return fmt.Errorf("log_level %q must be debug, info, warn or error", c.LogLevel)
	}
	if err := checkDatabaseURL(c.DatabaseURL); err != nil {
		return err
	}
	for _, h := range c.AllowedHosts {
		if !validHostPattern(h) {
			return fmt.Errorf("allowed_hosts entry %q must be a host name such as routex.example.com or *.example.com, without scheme, port or path", h)
		}
	}
	if err := c.Limits.validate(); err != nil {
		return err
	}
	t := c.Timeouts
	if t.ConnectMS <= 0 || t.FirstByteMS <= 0 || t.IdleMS <= 0 {
		return fmt.Errorf("timeouts must be positive milliseconds (connect_ms %d, first_byte_ms %d, idle_ms %d)",
			t.ConnectMS, t.FirstByteMS, t.IdleMS)
	}
	return nil
}

// checkDatabaseURL accepts "" (SQLite) or a postgres:// URL; the rest is
// checked by the driver when the store connects. Its errors never quote the
// URL: it may hold a password.
func checkDatabaseURL(raw string) error {
	if raw == "" {
		return nil
	}
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok || (!strings.EqualFold(scheme, "postgres") && !strings.EqualFold(scheme, "postgresql")) {
		return fmt.Errorf("database_url (or %s) must be a postgres:// URL such as postgres://routex:PASSWORD@db.example.com:5432/routex; leave it out to use the SQLite file", EnvDatabaseURL)
	}
	return nil
}

// validHostPattern accepts a host name, an IP address, or "*." and a
// host name.
func validHostPattern(h string) bool {
	name := strings.TrimPrefix(h, "*.")
	if name == "" {
		return false
	}
	if net.ParseIP(strings.Trim(name, "[]")) != nil {
		return name == h // no wildcard on an address
	}
	return !strings.ContainsAny(name, "/:@ *?#[]")
}

// NewKey returns prefix plus 48 random hex characters (192 bits).
func NewKey(prefix string) string {
	b := make([]byte, 24)
	rand.Read(b) // never fails: crypto/rand aborts the process instead
	return prefix + hex.EncodeToString(b)
}

// describeJSONError adds the line and column of a syntax or type error.
func describeJSONError(data []byte, err error) error {
	var offset int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	if offset < 0 {
		return err
	}
	// Offset counts the bytes read, the offending one included: point at it.
	line, col := LineCol(data, offset-1)
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

// LineCol converts a byte offset into a 1-based line and column, the column
// counted in characters as editors count it.
func LineCol(data []byte, offset int64) (line, col int) {
	offset = max(0, min(offset, int64(len(data))))
	line, col = 1, 1
	for _, b := range data[:offset] {
		switch {
		case b == '\n':
			line++
			col = 1
		case !utf8.RuneStart(b):
			// A continuation byte of a multi-byte character.
		default:
			col++
		}
	}
	return line, col
}
