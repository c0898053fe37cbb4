package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/config"
)

// Settings of a team gateway: allowed host names, the instance's name, and
// secrets passed as files.

func TestAllowedHostsAndInstanceFromFileAndEnvironment(t *testing.T) {
	clearEnv(t)
	home := newHome(t)
	if _, err := config.Load(home); err != nil {
		t.Fatal(err)
	}
	if err := config.Patch(home, map[string]any{"allowed_hosts": []string{"routex.example.com"}, "instance": "gw-file"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(home)
	if err != nil || len(cfg.AllowedHosts) != 1 || cfg.AllowedHosts[0] != "routex.example.com" || cfg.Instance != "gw-file" {
		t.Fatalf("from the file: %v %q %v", cfg.AllowedHosts, cfg.Instance, err)
	}
	t.Setenv(config.EnvAllowedHosts, " ai.corp.example , *.gw.corp.example,,")
	t.Setenv(config.EnvInstance, "gw-a")
	cfg, err = config.Load(home)
	if err != nil || strings.Join(cfg.AllowedHosts, "|") != "ai.corp.example|*.gw.corp.example" || cfg.Instance != "gw-a" {
		t.Errorf("the environment wins: %v %q %v", cfg.AllowedHosts, cfg.Instance, err)
	}
	t.Setenv(config.EnvAllowedHosts, "http://bad")
	if _, err := config.Load(home); err == nil || !strings.Contains(err.Error(), "allowed_hosts") {
		t.Errorf("a bad ROUTEX_ALLOWED_HOSTS: %v", err)
	}
}

func TestSecretsFromFiles(t *testing.T) {
	clearEnv(t)
	home := newHome(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv(config.EnvAccessKey+config.FileSuffix, write("access_key", "rx-from-file\n"))
	t.Setenv(config.EnvAdminToken+config.FileSuffix, write("admin_token", "  rxa-from-file  "))
	t.Setenv(config.EnvDatabaseURL+config.FileSuffix, write("database_url", "postgres://rx:pw@db:5432/routex\n"))
	cfg, err := config.Load(home)
	if err != nil || cfg.AccessKey != "rx-from-file" || cfg.AdminToken != "rxa-from-file" ||
		cfg.DatabaseURL != "postgres://rx:pw@db:5432/routex" || config.DatabaseTarget(home) != cfg.DatabaseURL {
		t.Fatalf("secrets from files: %+v %v", cfg, err)
	}
	m := readFileJSON(t, home)
	if m["access_key"] == "rx-from-file" {
		t.Error("a secret from a file was written to config.json")
	}
	// serve points people at the keys in force, not at config.json's.
	if want := "ROUTEX_ACCESS_KEY_FILE=" + filepath.Join(dir, "access_key"); cfg.AccessKeyFrom != want {
		t.Errorf("AccessKeyFrom = %q, want %q", cfg.AccessKeyFrom, want)
	}
	if want := "ROUTEX_ADMIN_TOKEN_FILE=" + filepath.Join(dir, "admin_token"); cfg.AdminTokenFrom != want {
		t.Errorf("AdminTokenFrom = %q, want %q", cfg.AdminTokenFrom, want)
	}
	// The variable itself wins over its file.
	t.Setenv(config.EnvAccessKey, "rx-from-env")
	if cfg, err = config.Load(home); err != nil || cfg.AccessKey != "rx-from-env" || cfg.AccessKeyFrom != config.EnvAccessKey {
		t.Errorf("the variable over the file: %q from %q %v", cfg.AccessKey, cfg.AccessKeyFrom, err)
	}
	// Without the environment the keys are config.json's, and said to be.
	clearEnv(t)
	if cfg, err = config.Load(home); err != nil || cfg.AccessKeyFrom != "" || cfg.AdminTokenFrom != "" ||
		cfg.AdminToken != m["admin_token"] {
		t.Errorf("keys from config.json: from %q/%q, admin token from the file: %v, %v",
			cfg.AccessKeyFrom, cfg.AdminTokenFrom, cfg.AdminToken == m["admin_token"], err)
	}
	t.Setenv(config.EnvAdminToken+config.FileSuffix, filepath.Join(dir, "missing"))
	if _, err := config.Load(home); err == nil || !strings.Contains(err.Error(), "ROUTEX_ADMIN_TOKEN_FILE") {
		t.Errorf("a missing secret file: %v", err)
	}
}
