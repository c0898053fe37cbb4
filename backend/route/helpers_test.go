package route

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
)

// claudeCode returns the body and headers of a real Claude Code request
// (testdata/claude-code-2.1.197-messages.json, captured at a mock upstream).
func claudeCode(t testing.TB) ([]byte, http.Header) {
	t.Helper()
	raw, err := os.ReadFile("testdata/claude-code-2.1.197-messages.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	for k, v := range f.Headers {
		h.Set(k, v)
	}
	return f.Body, h
}

// compile builds a Table from c or fails the test.
func compile(t testing.TB, c Config) *Table {
	t.Helper()
	tab, err := Compile(c)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return tab
}

// known is a knownChannel func over a fixed set of names.
func known(names ...string) func(string) bool {
	return func(n string) bool {
		for _, m := range names {
			if m == n {
				return true
			}
		}
		return false
	}
}

func ptr[T any](v T) *T { return &v }
