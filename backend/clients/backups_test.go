package clients

import (
	"errors"
	"os"
	"testing"
)

func TestBackupsListAndRestore(t *testing.T) {
	t.Parallel()
	const original = "{\n  \"model\": \"opus\"\n}\n"
	fx := newClaudeFixture(t, original)
	if list, err := fx.c.Backups(); err != nil || len(list) != 0 {
		t.Fatalf("before any change: backups %v, %v; want none", list, err)
	}
	if _, err := fx.c.Attach(AttachOptions{Mode: ModeProxy, BaseURL: testEngineURL, Token: testAccessKey}); err != nil {
		t.Fatal(err)
	}
	list, err := fx.c.Backups()
	if err != nil || len(list) != 1 || list[0].Client != "claude" || list[0].File != fx.path || list[0].Time.IsZero() {
		t.Fatalf("after attach: backups %+v, %v; want one of settings.json", list, err)
	}
	attached, _ := os.ReadFile(fx.path)
	res, err := fx.c.Restore(list[0].Name)
	if err != nil || !res.Changed || res.Backup == "" {
		t.Fatalf("Restore = %+v, %v", res, err)
	}
	if got, _ := os.ReadFile(fx.path); string(got) != original {
		t.Errorf("restored file = %q, want the original", got)
	}
	if st, _ := fx.c.Status(testEngineURL); st.State != NotAttached {
		t.Errorf("status after restoring the pre-attach copy = %s, want not_attached", st.State)
	}
	// The restore took a backup of the attached file: it can be undone.
	list, _ = fx.c.Backups()
	if len(list) != 2 {
		t.Fatalf("after restore: %d backups, want 2", len(list))
	}
	if _, err := fx.c.Restore(list[0].Name); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(fx.path); string(got) != string(attached) {
		t.Errorf("undoing the restore gave %q, want the attached file", got)
	}
	for _, bad := range []string{"../config.json", "codex-config.toml-x.bak", "claude-settings.json-nope.bak"} {
		if _, err := fx.c.Restore(bad); !errors.Is(err, ErrNoSuchBackup) {
			t.Errorf("Restore(%q) = %v, want ErrNoSuchBackup", bad, err)
		}
	}
}
