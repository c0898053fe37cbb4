package archtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// goList runs `go list -deps -json` over the pure packages from the module
// root.
func goList(t *testing.T) map[string]Package {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	args := []string{"list", "-deps", "-json=ImportPath,Dir,GoFiles,Imports,Standard"}
	for _, p := range Pure {
		args = append(args, "./"+p)
	}
	cmd := exec.Command(goBin, args...)
	cmd.Dir = filepath.Join("..", "..", "..")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs, err := ReadList(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func TestPurePackagesDoNoIO(t *testing.T) {
	t.Parallel()
	pkgs := goList(t)
	pure := 0
	var problems []string
	for path, p := range pkgs {
		if !IsPure(path) {
			continue
		}
		pure++
		lines, err := CheckHTTPUse(p)
		if err != nil {
			t.Fatal(err)
		}
		problems = append(problems, lines...)
	}
	if pure < 8 {
		t.Fatalf("only %d pure packages found: is go list run from the module root?", pure)
	}
	problems = append(problems, Check(pkgs, Exceptions)...)
	for _, p := range problems {
		t.Error(p)
	}
}

// The check itself catches what it is for, on a made-up module.
func TestCheckFindsIndirectAndDirectIO(t *testing.T) {
	t.Parallel()
	m := func(rel string) string { return Module + "/" + rel }
	pkgs := map[string]Package{
		m("backend/route"):     {ImportPath: m("backend/route"), Imports: []string{"strings", m("backend/suggest"), "example.com/lib"}},
		m("backend/suggest"):   {ImportPath: m("backend/suggest"), Imports: []string{"os"}},
		"example.com/lib":      {ImportPath: "example.com/lib", Imports: []string{"os", "example.com/db"}},
		"example.com/db":       {ImportPath: "example.com/db", Imports: []string{"database/sql"}},
		m("backend/balance"):   {ImportPath: m("backend/balance"), Imports: []string{m("backend/store")}},
		m("backend/store"):     {ImportPath: m("backend/store"), Imports: []string{"modernc.org/sqlite"}},
		m("backend/transform"): {ImportPath: m("backend/transform"), Imports: []string{"net/http"}},
		"strings":              {ImportPath: "strings", Standard: true, Imports: []string{"os"}},
		"net/http":             {ImportPath: "net/http", Standard: true, Imports: []string{"net", "os"}},
	}
	got := strings.Join(Check(pkgs, []Edge{{From: m("backend/balance"), To: m("backend/store")}, {From: m("backend/route"), To: "example.com/gone"}}), "\n")
	for _, want := range []string{
		"backend/route imports os",           // through suggest, a package of this module
		"backend/route reaches database/sql", // through two third-party packages
		"exception " + m("backend/route") + " → example.com/gone is no longer needed",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Check missed %q in:\n%s", want, got)
		}
	}
	for _, wrong := range []string{"backend/balance reaches", "backend/transform", "example.com/lib imports os"} {
		if strings.Contains(got, wrong) {
			t.Errorf("Check reported %q (an exception, the standard library or a third party's own os use):\n%s", wrong, got)
		}
	}
	if got := Check(pkgs, nil); !strings.Contains(strings.Join(got, "\n"), "backend/balance reaches "+m("backend/store")) {
		t.Errorf("without the exception, balance → store is not reported: %v", got)
	}
}

func TestCheckHTTPUseFindsClientsAndServers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `package p

import h "net/http"

var hdr = h.Header{}
var ok = h.StatusOK

func f() { h.Get("http://x") ; _ = &h.Server{} }
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := CheckHTTPUse(Package{Dir: dir, GoFiles: []string{"p.go"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !strings.Contains(got[0], "h.Get") || !strings.Contains(got[1], "h.Server") {
		t.Fatalf("got %q", got)
	}
}
