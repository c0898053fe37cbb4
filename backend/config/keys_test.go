package config

import (
	"encoding/json"
	"os"
	"sync"
	"testing"
)

func TestKeysAreSafeToSwapWhileRead(t *testing.T) {
	t.Parallel()
	k := NewKeys("a1", "b1")
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(2)
		go func() { defer wg.Done(); k.SetAccess("a2"); k.SetAdmin("b2") }()
		go func() { defer wg.Done(); _, _ = k.Access(), k.Admin() }()
	}
	wg.Wait()
	if k.Access() != "a2" || k.Admin() != "b2" {
		t.Fatalf("got %q %q", k.Access(), k.Admin())
	}
}

func TestPatchKeepsUnknownKeys(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	if err := os.WriteFile(Path(home), []byte(`{"listen":"127.0.0.1:1","plugin":{"x":[1,2]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Patch(home, map[string]any{"listen": "127.0.0.1:2", "language": "zh"}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(Path(home))
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m["listen"] != "127.0.0.1:2" || m["language"] != "zh" || m["plugin"] == nil {
		t.Fatalf("patched file: %s", raw)
	}
	if fi, _ := os.Stat(Path(home)); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
}
