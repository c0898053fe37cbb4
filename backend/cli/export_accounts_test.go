package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/credit"
)

func TestExportAndImportCarryModelSlotsAndTheBalanceQuery(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	q := `{"url":"https://relay.example/api/user/self","headers":{"Authorization":"Bearer sk-relay-admin-secret","X-Key":"{{key}}"},"remaining":"data.quota","unit":"credits"}`
	if out, err := run(t, channelCmd(f), "", "add", "relay", "--type", "openai", "--base-url", "https://relay.example/v1", "--key", "sk-chan-0000bbbb",
		"--claude-model", "opus=glm-5.2", "--claude-model", "small-fast=glm-4.5-air", "--balance-query", q); err != nil {
		t.Fatalf("add: %v\n%s", err, out)
	}
	exported := filepath.Join(t.TempDir(), "export.json")
	if out, err := run(t, newExportCmd(f, en, "test"), "", "-o", exported); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(exported)
	s := string(data)
	if strings.Contains(s, "sk-relay-admin-secret") || !strings.Contains(s, `"X-Key": "{{key}}"`) ||
		!strings.Contains(s, `"small_fast": "glm-4.5-air"`) || !strings.Contains(s, `"remaining": "data.quota"`) {
		t.Fatalf("export without keys:\n%s", s)
	}
	// Changed since the export: the import brings the slots back and keeps
	// the query's secret header the file left out.
	if out, err := run(t, channelCmd(f), "", "edit", "relay", "--claude-model", "opus=other"); err != nil {
		t.Fatalf("edit: %v\n%s", err, out)
	}
	if out, err := importCmd(f).run(t, exported); err != nil || !strings.Contains(out, "1 updated") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	ch := mustChannels(t, openHomeStore(t, f))[0]
	if ch.ClaudeModels.Opus != "glm-5.2" || ch.ClaudeModels.SmallFast != "glm-4.5-air" {
		t.Errorf("slots after import: %+v", ch.ClaudeModels)
	}
	got, err := credit.ParseQuery(ch.BalanceQuery)
	if err != nil || got.Headers["Authorization"] != "Bearer sk-relay-admin-secret" || got.Headers["X-Key"] != "{{key}}" || got.Remaining != "data.quota" {
		t.Errorf("query after import: %+v %v", got, err)
	}

	// Into a fresh home: the slots and the query (without the secret) arrive.
	g := testHome(t)
	if out, err := importCmd(g).run(t, exported); err != nil || !strings.Contains(out, "1 added") {
		t.Fatalf("import into a new home: %v\n%s", err, out)
	}
	fresh := mustChannels(t, openHomeStore(t, g))[0]
	fq, _ := credit.ParseQuery(fresh.BalanceQuery)
	if fresh.ClaudeModels.Opus != "glm-5.2" || fq.URL != "https://relay.example/api/user/self" || fq.Headers["Authorization"] != "" {
		t.Errorf("new home: slots %+v query %+v", fresh.ClaudeModels, fq)
	}
}
