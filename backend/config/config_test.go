package config_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/config"
)

// newHome returns a home folder that does not exist yet.
func newHome(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "routex")
}

// readFileJSON decodes config.json as written, without defaults or env.
func readFileJSON(t *testing.T, home string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(config.Path(home))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("config.json is not JSON: %v\n%s", err, b)
	}
	return m
}

// writeConfig creates home with the given config.json content.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	home := newHome(t)
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config.Path(home), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}

// clearEnv makes the overrides unset for the test, whatever the caller's
// environment holds. Tests that call it cannot run in parallel.
func clearEnv(t *testing.T) {
	for _, k := range []string{config.EnvListen, config.EnvAccessKey, config.EnvAdminToken, config.EnvLogLevel,
		config.EnvDatabaseURL, config.EnvAllowedHosts, config.EnvInstance} {
		t.Setenv(k, "")
		t.Setenv(k+config.FileSuffix, "")
	}
}

func TestLoadFreshHome(t *testing.T) {
	clearEnv(t)

	t.Run("an empty folder gets a private home and config.json with new keys", func(t *testing.T) {
		home := newHome(t)
		cfg, err := config.Load(home)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Listen != "127.0.0.1:18080" || cfg.Home != home || cfg.LogLevel != "info" {
			t.Fatalf("cfg = %+v", cfg)
		}
		if !strings.HasPrefix(cfg.AccessKey, "rx-") || strings.HasPrefix(cfg.AccessKey, "rxa-") ||
			!strings.HasPrefix(cfg.AdminToken, "rxa-") || cfg.AccessKey == cfg.AdminToken ||
			len(cfg.AccessKey) != len("rx-")+48 || len(cfg.AdminToken) != len("rxa-")+48 {
			t.Fatalf("keys = %q %q", cfg.AccessKey, cfg.AdminToken)
		}
		if fi, err := os.Stat(home); err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("home mode = %v, %v; want 0700", fi.Mode().Perm(), err)
		}
		if fi, err := os.Stat(config.Path(home)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("config.json mode = %v, %v; want 0600", fi.Mode().Perm(), err)
		}
		m := readFileJSON(t, home)
		if m["listen"] != "127.0.0.1:18080" || m["access_key"] != cfg.AccessKey || m["admin_token"] != cfg.AdminToken {
			t.Fatalf("file = %v", m)
		}
		if _, ok := m["Home"]; ok {
			t.Fatalf("Home was written to the file: %v", m)
		}
		entries, _ := os.ReadDir(home)
		if len(entries) != 1 {
			t.Fatalf("home holds %d entries, want only config.json (no temp files left)", len(entries))
		}
	})

	t.Run("a second Load returns the same keys and leaves the file alone", func(t *testing.T) {
		home := newHome(t)
		first, err := config.Load(home)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(config.Path(home))
		second, err := config.Load(home)
		if err != nil {
			t.Fatal(err)
		}
		after, _ := os.ReadFile(config.Path(home))
		if first.AccessKey != second.AccessKey || first.AdminToken != second.AdminToken {
			t.Fatalf("keys changed: %+v vs %+v", first, second)
		}
		if !bytes.Equal(before, after) {
			t.Fatalf("second Load rewrote the file")
		}
	})
}

func TestLoadEnvOverrides(t *testing.T) {
	clearEnv(t)
	home := newHome(t)
	fileCfg, err := config.Load(home)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(config.Path(home))

	t.Setenv(config.EnvListen, "127.0.0.1:19999")
	t.Setenv(config.EnvAccessKey, "rx-from-env")
	t.Setenv(config.EnvAdminToken, "rxa-from-env")
	t.Setenv(config.EnvLogLevel, "debug")

	t.Run("environment variables win over the file", func(t *testing.T) {
		cfg, err := config.Load(home)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Listen != "127.0.0.1:19999" || cfg.AccessKey != "rx-from-env" || cfg.AdminToken != "rxa-from-env" ||
			cfg.LogLevel != "debug" {
			t.Fatalf("cfg = %+v", cfg)
		}
	})

	t.Run("overrides are not written back to the file", func(t *testing.T) {
		if _, err := config.Load(home); err != nil {
			t.Fatal(err)
		}
		after, _ := os.ReadFile(config.Path(home))
		if !bytes.Equal(before, after) {
			t.Fatalf("file changed:\n%s\n---\n%s", before, after)
		}
		m := readFileJSON(t, home)
		if m["access_key"] != fileCfg.AccessKey || m["listen"] != "127.0.0.1:18080" {
			t.Fatalf("file = %v", m)
		}
	})

	t.Run("overrides on a fresh home are not written either", func(t *testing.T) {
		home := newHome(t)
		if _, err := config.Load(home); err != nil {
			t.Fatal(err)
		}
		m := readFileJSON(t, home)
		if m["access_key"] == "rx-from-env" || m["admin_token"] == "rxa-from-env" || m["listen"] != "127.0.0.1:18080" ||
			m["log_level"] != "info" {
			t.Fatalf("file = %v", m)
		}
	})

	t.Run("an invalid override is reported", func(t *testing.T) {
		t.Setenv(config.EnvLogLevel, "loud")
		if _, err := config.Load(home); err == nil || !strings.Contains(err.Error(), "loud") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestLoadBadFiles(t *testing.T) {
	clearEnv(t)
	tests := []struct {
		name    string
		content string
		want    []string // substrings of the error besides the path
	}{
		{
			name:    "a missing comma is reported with its line and column",
			content: "{\n  \"listen\": \"127.0.0.1:18080\"\n  \"log_level\": \"info\"\n}\n",
			want:    []string{"line 3, column 3"},
		},
		{
			name:    "a wrong type is reported with its line and column",
			content: "{\n  \"log_level\": \"info\",\n  \"listen\": 5\n}\n",
			want:    []string{"line 3, column 13", "listen"},
		},
		{
			name:    "a truncated file is reported",
			content: "{\n  \"listen\": \"127.0.0.1:18080\",\n",
			want:    []string{"line"},
		},
		{
			name:    "an empty file is reported",
			content: "",
			want:    []string{"empty"},
		},
		{
			name:    "a blank file is reported",
			content: " \n\t\n",
			want:    []string{"empty"},
		},
		{
			name:    "a value that cannot work is reported",
			content: `{"listen":"nowhere","access_key":"rx-a","admin_token":"rxa-b"}`,
			want:    []string{"listen", "nowhere"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := writeConfig(t, tc.content)
			_, err := config.Load(home)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, w := range append(tc.want, config.Path(home)) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			after, _ := os.ReadFile(config.Path(home))
			if string(after) != tc.content {
				t.Fatalf("file changed:\n%q\n---\n%q", tc.content, after)
			}
		})
	}
}

func TestLoadAddsMissingKeys(t *testing.T) {
	clearEnv(t)

	t.Run("a file without keys gets them, keeping what the user wrote", func(t *testing.T) {
		home := writeConfig(t, `{"listen":"127.0.0.1:28080","log_level":"warn","language":"zh","timeouts":{"connect_ms":5}}`)
		cfg, err := config.Load(home)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(cfg.AccessKey, "rx-") || !strings.HasPrefix(cfg.AdminToken, "rxa-") {
			t.Fatalf("keys = %q %q", cfg.AccessKey, cfg.AdminToken)
		}
		if cfg.Listen != "127.0.0.1:28080" || cfg.LogLevel != "warn" || cfg.Language != "zh" ||
			cfg.Timeouts.ConnectMS != 5 || cfg.Timeouts.IdleMS != 300_000 {
			t.Fatalf("cfg = %+v", cfg)
		}
		m := readFileJSON(t, home)
		if m["listen"] != "127.0.0.1:28080" || m["log_level"] != "warn" || m["language"] != "zh" ||
			m["access_key"] != cfg.AccessKey || m["admin_token"] != cfg.AdminToken {
			t.Fatalf("file = %v", m)
		}
		if fi, _ := os.Stat(config.Path(home)); fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode = %v", fi.Mode().Perm())
		}
		again, err := config.Load(home)
		if err != nil || again.AccessKey != cfg.AccessKey || again.AdminToken != cfg.AdminToken {
			t.Fatalf("second Load: %+v, %v", again, err)
		}
	})

	t.Run("a file with only an access key keeps it and gets an admin token", func(t *testing.T) {
		home := writeConfig(t, `{"access_key":"rx-mine"}`)
		cfg, err := config.Load(home)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.AccessKey != "rx-mine" || !strings.HasPrefix(cfg.AdminToken, "rxa-") || cfg.Listen != config.DefaultListen {
			t.Fatalf("cfg = %+v", cfg)
		}
		if m := readFileJSON(t, home); m["access_key"] != "rx-mine" || m["admin_token"] != cfg.AdminToken {
			t.Fatalf("file = %v", m)
		}
	})
}

func TestValidate(t *testing.T) {
	t.Parallel()
	good := config.Defaults()
	tests := []struct {
		name    string
		change  func(c *config.Config)
		wantErr string
	}{
		{"the defaults are valid", func(c *config.Config) {}, ""},
		{"a level in capitals is valid", func(c *config.Config) { c.LogLevel = "DEBUG" }, ""},
		{"an IPv6 listen address is valid", func(c *config.Config) { c.Listen = "[::1]:8080" }, ""},
		{"a listen address without a port is rejected", func(c *config.Config) { c.Listen = "127.0.0.1" }, "listen"},
		{"an empty listen address is rejected", func(c *config.Config) { c.Listen = "" }, "listen"},
		{"an unknown log level is rejected", func(c *config.Config) { c.LogLevel = "verbose" }, "log_level"},
		{"an empty log level is rejected", func(c *config.Config) { c.LogLevel = "" }, "log_level"},
		{"a zero connect timeout is rejected", func(c *config.Config) { c.Timeouts.ConnectMS = 0 }, "timeouts"},
		{"a negative first-byte timeout is rejected", func(c *config.Config) { c.Timeouts.FirstByteMS = -1 }, "timeouts"},
		{"a zero idle timeout is rejected", func(c *config.Config) { c.Timeouts.IdleMS = 0 }, "timeouts"},
		{"a postgres URL is valid", func(c *config.Config) { c.DatabaseURL = "postgres://rx:pw@db:5432/routex" }, ""},
		{"a postgresql URL over a socket is valid", func(c *config.Config) {
			c.DatabaseURL = "postgresql:///routex?host=/var/run/postgresql"
		}, ""},
		{"a database URL of another kind is rejected", func(c *config.Config) {
			c.DatabaseURL = "mysql://rx:Secret-pw@db/routex"
		}, "database_url"},
		{"a bare path is not a database URL", func(c *config.Config) { c.DatabaseURL = "/tmp/x.db" }, "postgres://"},
		{"allowed host names, wildcards and addresses are valid", func(c *config.Config) {
			c.AllowedHosts = []string{"routex.example.com", "*.corp.example", "10.0.0.5", "[::1]", "gateway"}
		}, ""},
		{"an allowed host with a scheme is rejected", func(c *config.Config) {
			c.AllowedHosts = []string{"https://routex.example.com"}
		}, "allowed_hosts"},
		{"an allowed host with a port is rejected", func(c *config.Config) {
			c.AllowedHosts = []string{"routex.example.com:443"}
		}, "allowed_hosts"},
		{"an empty allowed host is rejected", func(c *config.Config) { c.AllowedHosts = []string{""} }, "allowed_hosts"},
		{"a bare wildcard is rejected", func(c *config.Config) { c.AllowedHosts = []string{"*"} }, "allowed_hosts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := good
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
			case err != nil && strings.Contains(err.Error(), "Secret-pw"):
				t.Fatalf("err = %v quotes the URL's password", err)
			}
		})
	}
}

func TestLineCol(t *testing.T) {
	t.Parallel()
	data := []byte("ab\ncd\n\nx")
	tests := []struct {
		name      string
		offset    int64
		line, col int
	}{
		{"offset 0 is line 1 column 1", 0, 1, 1},
		{"the second byte is column 2", 1, 1, 2},
		{"the newline itself is still on line 1", 2, 1, 3},
		{"the byte after a newline starts line 2", 3, 2, 1},
		{"an empty line has column 1", 6, 3, 1},
		{"the last byte", 7, 4, 1},
		{"an offset past the end is clamped to the end", 100, 4, 2},
		{"a negative offset is clamped to the start", -5, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			line, col := config.LineCol(data, tc.offset)
			if line != tc.line || col != tc.col {
				t.Fatalf("LineCol(%d) = %d:%d, want %d:%d", tc.offset, line, col, tc.line, tc.col)
			}
		})
	}

	t.Run("columns count characters, not bytes", func(t *testing.T) {
		t.Parallel()
		s := []byte("\"语言\": x")
		line, col := config.LineCol(s, int64(bytes.IndexByte(s, 'x')))
		if line != 1 || col != 7 {
			t.Fatalf("LineCol = %d:%d, want 1:7", line, col)
		}
	})
}

func TestHome(t *testing.T) {
	t.Run("ROUTEX_HOME is used, made absolute", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv(config.EnvHome, dir)
		got, err := config.Home()
		if err != nil || got != dir {
			t.Fatalf("Home = %q, %v; want %q", got, err, dir)
		}
		t.Chdir(dir)
		t.Setenv(config.EnvHome, "rel")
		got, err = config.Home()
		if err != nil || !filepath.IsAbs(got) || got != filepath.Join(dir, "rel") {
			t.Fatalf("Home = %q, %v; want %q", got, err, filepath.Join(dir, "rel"))
		}
	})

	t.Run("without ROUTEX_HOME it is the user config folder plus routex", func(t *testing.T) {
		t.Setenv(config.EnvHome, "")
		t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg-test")
		got, err := config.Home()
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(got) != "routex" || !strings.HasSuffix(got, string(filepath.Separator)+"routex") {
			t.Fatalf("Home = %q", got)
		}
	})

	t.Run("the files live inside home", func(t *testing.T) {
		if config.Path("/h") != filepath.Join("/h", "config.json") || config.DatabasePath("/h") != filepath.Join("/h", "routex.db") ||
			config.LogDir("/h") != filepath.Join("/h", "logs") {
			t.Fatal("paths moved")
		}
	})
}

func TestNewKey(t *testing.T) {
	t.Parallel()
	a, b := config.NewKey("rx-"), config.NewKey("rx-")
	if a == b || !strings.HasPrefix(a, "rx-") || len(a) != 51 {
		t.Fatalf("keys %q %q", a, b)
	}
}

func TestLoadKeepsUnknownSettings(t *testing.T) {
	clearEnv(t)

	t.Run("adding keys keeps settings this version does not know, byte for byte", func(t *testing.T) {
		orig := "{\n  \"listen\": \"127.0.0.1:28080\",\n  \"future_setting\": {\"x\": [1, 2]}\n}\n"
		home := writeConfig(t, orig)
		cfg, err := config.Load(home)
		if err != nil {
			t.Fatal(err)
		}
		after, _ := os.ReadFile(config.Path(home))
		m := readFileJSON(t, home)
		if _, ok := m["future_setting"]; !ok || !strings.Contains(string(after), `"future_setting": {"x": [1, 2]}`) {
			t.Fatalf("future_setting lost or reformatted:\n%s", after)
		}
		if m["access_key"] != cfg.AccessKey || m["admin_token"] != cfg.AdminToken || m["listen"] != "127.0.0.1:28080" {
			t.Fatalf("file = %v", m)
		}
	})
}

func TestDatabaseChoosesPostgresOnlyWhenAURLIsSet(t *testing.T) {
	clearEnv(t)
	home := newHome(t)
	cfg, err := config.Load(home)
	if err != nil {
		t.Fatal(err)
	}
	sqlite := config.DatabasePath(home)
	if cfg.Database() != sqlite || config.DatabaseTarget(home) != sqlite {
		t.Errorf("no URL: Database() = %q, DatabaseTarget = %q; want the SQLite file %q",
			cfg.Database(), config.DatabaseTarget(home), sqlite)
	}
	if m := readFileJSON(t, home); m["database_url"] != nil {
		t.Errorf("a fresh config.json has database_url %v; want none (SQLite)", m["database_url"])
	}

	const fromFile = "postgres://rx:file-pw@db.internal:5432/routex"
	if err := config.Patch(home, map[string]any{"database_url": fromFile}); err != nil {
		t.Fatal(err)
	}
	if cfg, err = config.Load(home); err != nil || cfg.Database() != fromFile || config.DatabaseTarget(home) != fromFile {
		t.Errorf("database_url in the file: Database() = %q, DatabaseTarget = %q, %v", cfg.Database(),
			config.DatabaseTarget(home), err)
	}

	const fromEnv = "postgresql://rx:env-pw@other:5433/routex"
	t.Setenv(config.EnvDatabaseURL, " "+fromEnv+" ")
	if cfg, err = config.Load(home); err != nil || cfg.Database() != fromEnv || config.DatabaseTarget(home) != fromEnv {
		t.Errorf("ROUTEX_DATABASE_URL wins: Database() = %q, DatabaseTarget = %q, %v", cfg.Database(),
			config.DatabaseTarget(home), err)
	}
	if m := readFileJSON(t, home); m["database_url"] != fromFile {
		t.Errorf("the environment's URL was written to config.json: %v", m["database_url"])
	}

	t.Setenv(config.EnvDatabaseURL, "mysql://rx:env-pw@other/routex")
	if _, err := config.Load(home); err == nil || strings.Contains(err.Error(), "env-pw") ||
		!strings.Contains(err.Error(), config.EnvDatabaseURL) {
		t.Errorf("a bad URL: err = %v; want one naming %s without the password", err, config.EnvDatabaseURL)
	}
}
