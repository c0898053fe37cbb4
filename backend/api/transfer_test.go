package api_test

import (
	"context"
	"os"
	"strings"
	"testing"
)

// The window imports and exports what the CLI does, through the same code.
func TestImportAndExportThroughTheAPI(t *testing.T) {
	t.Parallel()
	a := newClientsAPI(t, "")
	a.do("POST", "/api/channels", `{"name":"kept","type":"anthropic","base_url":"https://api.anthropic.com","api_key":"sk-kept-key-00001"}`).want(t, 201)
	file := `{"routex_export":1,"channels":[
		{"name":"kept","type":"anthropic","base_url":"https://proxy.example.com","models":["claude-sonnet-4-5"],"priority":1,"weight":1,"enabled":true},
		{"name":"deepseek","type":"openai","base_url":"https://api.deepseek.com/v1","api_key":"sk-deep-key-00002","models":["deepseek-chat"],"priority":2,"weight":1,"enabled":true}],
		"routes":{"strategy":"priority","routes":{"default":["deepseek"]}}}`
	dry := a.do("POST", "/api/import?dry_run=1&name=routex.json", file).want(t, 200)
	if dry.body["added"] != float64(1) || dry.body["updated"] != float64(1) || dry.body["dry_run"] != true {
		t.Fatalf("dry run = %s", dry.raw)
	}
	if chs, _ := a.store.Channels(context.Background()); len(chs) != 1 {
		t.Fatalf("a dry run changed the channels: %d", len(chs))
	}
	a.do("POST", "/api/import", file).want(t, 200)
	chs, _ := a.store.Channels(context.Background())
	if len(chs) != 2 || chs[0].BaseURL != "https://proxy.example.com" || chs[0].APIKey != "sk-kept-key-00001" {
		t.Fatalf("after import: %+v (the updated channel keeps its key)", chs)
	}
	if got := a.do("GET", "/api/routes", "").body["routes"].(map[string]any)["default"]; got.([]any)[0] != "deepseek" {
		t.Errorf("routes after import: %v", got)
	}
	a.do("POST", "/api/import", `{"something":"else"}`).want(t, 400)

	plain := a.do("GET", "/api/export", "").want(t, 200)
	if strings.Contains(plain.raw, "sk-deep-key-00002") || plain.body["routex_export"] != float64(1) {
		t.Errorf("an export without keys: %s", plain.raw)
	}
	withKeys := a.do("GET", "/api/export?include_keys=1", "").want(t, 200)
	if !strings.Contains(withKeys.raw, "sk-deep-key-00002") {
		t.Errorf("an export with keys lacks them")
	}
	// What the export wrote imports again.
	if a.do("POST", "/api/import?dry_run=1", withKeys.raw).want(t, 200).body["updated"] != float64(2) {
		t.Errorf("re-importing the export does not update both channels")
	}
}

func TestBackupsThroughTheAPI(t *testing.T) {
	t.Parallel()
	a := newClientsAPI(t, `{"model":"opus"}`)
	if got := a.do("GET", "/api/backups", "").want(t, 200).body["backups"].([]any); len(got) != 0 {
		t.Fatalf("backups before any change: %v", got)
	}
	a.do("POST", "/api/clients/claude/attach", `{"mode":"proxy"}`).want(t, 200)
	list := a.do("GET", "/api/backups", "").want(t, 200).body["backups"].([]any)
	if len(list) != 1 {
		t.Fatalf("backups after attach: %v", list)
	}
	b := list[0].(map[string]any)
	if b["client"] != "claude" || b["file"] != a.claude {
		t.Errorf("backup = %v", b)
	}
	a.do("POST", "/api/backups/restore", `{"client":"claude","name":"`+b["name"].(string)+`"}`).want(t, 200)
	if got, _ := os.ReadFile(a.claude); string(got) != `{"model":"opus"}` {
		t.Errorf("restored settings = %s", got)
	}
	a.do("POST", "/api/backups/restore", `{"client":"claude","name":"../../etc/passwd"}`).want(t, 404)
	a.do("POST", "/api/backups/restore", `{"client":"vim","name":"x.bak"}`).want(t, 400)
}
