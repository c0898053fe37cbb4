package route

import (
	"net/http"
	"testing"

	"github.com/routex-app/routex/backend/internal/fixture"
)

// claudeCode returns the body and headers of a real Claude Code request
// (the repository's testdata/claude-code-2.1.197-messages.json).
func claudeCode(t testing.TB) ([]byte, http.Header) {
	t.Helper()
	c := fixture.ClaudeCode(t)
	return c.Body, c.Header()
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
