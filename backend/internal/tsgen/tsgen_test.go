package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed file is what the Go types generate; `make generate`
// rewrites it.
func TestGeneratedFileIsCurrent(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "..")
	got, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(root, "frontend", "src", "api", "generated.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("frontend/src/api/generated.ts is not current: run make generate")
	}
}

func TestTypesMapAsEncodingJSONWritesThem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `package x

import (
	"encoding/json"
	"time"
)

// Base is embedded.
type Base struct {
	ID int64 ` + "`json:\"id\"`" + `
}

// Kind is a named string.
type Kind string

// T is a test type.
type T struct {
	Base
	// Name has a doc.
	Name    string            ` + "`json:\"name\"`" + `
	Opt     string            ` + "`json:\"opt,omitempty\"`" + `
	Ptr     *U                ` + "`json:\"ptr\"`" + `
	List    []U               ` + "`json:\"list\"`" + `
	Map     map[string]int    ` + "`json:\"map\"`" + `
	When    time.Time         ` + "`json:\"when\"`" + `
	Raw     json.RawMessage   ` + "`json:\"raw\" tstype:\"unknown[]\"`" + `
	Kind    Kind              ` + "`json:\"kind\"`" + `
	Skip    string            ` + "`json:\"-\"`" + `
	private string
}

type U struct {
	Any any
}
`
	if err := os.MkdirAll(filepath.Join(dir, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x", "x.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := loadTypes(dir, []source{{"x", "T", "Thing"}, {"x", "U", "U"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `/** Thing is a test type. */
export interface Thing {
  id: number
  /** Name has a doc. */
  name: string
  opt?: string
  ptr?: U
  list: U[]
  map: Record<string, number>
  when: string
  raw: unknown[]
  kind: string
}
`
	if out[0] != want {
		t.Errorf("got\n%s\nwant\n%s", out[0], want)
	}
	if !strings.Contains(out[1], "  Any: unknown\n") {
		t.Errorf("U = %s", out[1])
	}
	if _, err := loadTypes(dir, []source{{"x", "Missing", "M"}}); err == nil {
		t.Error("a missing type is not reported")
	}
	if _, err := loadTypes(dir, []source{{"x", "T", "T"}}); err == nil || !strings.Contains(err.Error(), "U is not listed") {
		t.Errorf("a referenced type that is not listed: %v", err)
	}
}
