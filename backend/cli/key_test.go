package cli

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/keys"
	"github.com/routex-app/routex/backend/store"
)

func keyCmd(f *flags) *cobra.Command { return newKeyCmd(f, en, "test") }

var secretRe = regexp.MustCompile(`rtx-[0-9a-f]{48}`)

// keyCommands runs create, list, show and revoke on f's home and checks
// what the database holds: only the hash of the secret printed once.
func keyCommands(t *testing.T, f *flags, st func() *store.Store) {
	out, err := run(t, keyCmd(f), "", "create", "alice-laptop", "--owner", "alice@example.com", "--expires", "30d",
		"--model", "claude-*", "--rpm", "60", "--daily-usd", "5")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	secret := secretRe.FindString(out)
	if secret == "" || !strings.Contains(out, "Created key alice-laptop") || !strings.Contains(out, "only time") {
		t.Fatalf("create printed %q", out)
	}
	all, err := st().APIKeys(context.Background())
	if err != nil || len(all) != 1 || all[0].Hash != keys.Hash(secret) || all[0].RPM != 60 ||
		all[0].BudgetDailyUSD != 5 || all[0].ExpiresAt.Before(time.Now().Add(29*24*time.Hour)) {
		t.Fatalf("stored %+v %v", all, err)
	}

	out, err = run(t, keyCmd(f), "", "list")
	if err != nil || !strings.Contains(out, "alice-laptop") || !strings.Contains(out, secret[:12]+"…") ||
		!strings.Contains(out, "$0.00 / $5.00") || strings.Contains(out, secret[12:]) {
		t.Errorf("list: %v\n%s", err, out)
	}
	out, err = run(t, keyCmd(f), "", "show", "alice-laptop")
	if err != nil || !strings.Contains(out, "claude-*") || !strings.Contains(out, "60") || !strings.Contains(out, "active") {
		t.Errorf("show: %v\n%s", err, out)
	}
	if _, err := run(t, keyCmd(f), "", "create", "bob", "--expires", "yesterday"); err == nil || !strings.Contains(err.Error(), "--expires") {
		t.Errorf("a bad --expires: %v", err)
	}
	if _, err := run(t, keyCmd(f), "", "create", "bob", "--rpm", "-3"); err == nil || !strings.Contains(err.Error(), "rpm") {
		t.Errorf("a negative --rpm: %v", err)
	}
	if _, err := run(t, keyCmd(f), "", "revoke", "alice-laptop"); err == nil {
		t.Error("revoke without a terminal or --yes went ahead")
	}
	out, err = run(t, keyCmd(f), "", "revoke", "alice-laptop", "--yes")
	if err != nil || !strings.Contains(out, "Revoked key alice-laptop") {
		t.Errorf("revoke: %v\n%s", err, out)
	}
	out, err = run(t, keyCmd(f), "", "list", "--json")
	var doc struct {
		Keys []struct {
			Revoked bool `json:"revoked"`
		} `json:"keys"`
	}
	if err != nil || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Keys) != 1 || !doc.Keys[0].Revoked {
		t.Errorf("list --json after revoke: %v\n%s", err, out)
	}
	if _, err := run(t, keyCmd(f), "", "show", "alice-laptop"); err == nil || !strings.Contains(err.Error(), "no active key") {
		t.Errorf("show of a revoked key by name: %v", err)
	}
}

func TestKeyCommandsAgainstTheStore(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	var st *store.Store
	keyCommands(t, f, func() *store.Store {
		if st == nil {
			c, err := dial(f, "test")
			if err != nil {
				t.Fatal(err)
			}
			if st, err = c.store(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.close)
		}
		return st
	})
}

func TestKeyCommandsThroughARunningEngine(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	e := startEngine(t, f)
	keyCommands(t, f, e.Store)
}
