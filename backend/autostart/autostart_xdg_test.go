//go:build !darwin && !windows

package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestXDGEntryInATemporaryFolder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "autostart")
	e := Entry{Name: "routex", Exec: "/opt/Routex App/routex", Dir: dir}
	file := filepath.Join(dir, "routex.desktop")

	on, err := e.Enabled()
	if err != nil || on {
		t.Fatalf("before enabling: Enabled() = %v, %v", on, err)
	}
	if err := e.Disable(); err != nil {
		t.Fatalf("disabling an absent entry: %v", err)
	}
	if err := e.Enable(); err != nil {
		t.Fatalf("Enable: %v", err)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("entry not written: %v", err)
	}
	if !strings.Contains(string(raw), "\nExec=\"/opt/Routex App/routex\"\n") {
		t.Errorf("entry does not start the program:\n%s", raw)
	}
	if on, err := e.Enabled(); err != nil || !on {
		t.Errorf("after Enable: Enabled() = %v, %v", on, err)
	}
	if err := e.Enable(); err != nil {
		t.Errorf("enabling twice: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	if err := e.Disable(); err != nil {
		t.Fatalf("Disable: %v", err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("entry still there after Disable: %v", err)
	}
	if on, err := e.Enabled(); err != nil || on {
		t.Errorf("after Disable: Enabled() = %v, %v", on, err)
	}
}

func TestXDGEntryRefusesARelativeProgram(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := (Entry{Name: "routex", Exec: "routex", Dir: dir}).Enable(); err == nil {
		t.Fatal("Enable with a relative path succeeded")
	}
	if files, _ := os.ReadDir(dir); len(files) > 0 {
		t.Errorf("files written for a refused entry: %v", files)
	}
}

// TestNewUsesHomeAndRunningBinary changes HOME and XDG_CONFIG_HOME, so it
// cannot run in parallel.
func TestNewUsesHomeAndRunningBinary(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	e, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	exe, _ := os.Executable()
	exe, _ = filepath.EvalSymlinks(exe)
	if e.Exec != exe || !filepath.IsAbs(e.Exec) {
		t.Errorf("Exec = %q, want the running binary %q", e.Exec, exe)
	}
	if err := e.Enable(); err != nil {
		t.Fatalf("Enable: %v", err)
	}
	file := filepath.Join(home, ".config", "autostart", "routex.desktop")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("entry not in ~/.config/autostart: %v", err)
	}
	if !strings.Contains(string(raw), "\nExec="+execArg(exe)+"\n") {
		t.Errorf("entry does not launch %s:\n%s", exe, raw)
	}
	if err := e.Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("entry still there after Disable")
	}
}
