package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/i18n"
)

// The messages of `routex claude|gemini …` are keyed per tool
// (tool.key("Attached") is "cli.claudeAttached"), which the key scan of
// backend/i18n cannot follow: every suffix the code passes to key must exist
// for every tool, in every language.
func TestToolMessageKeysExist(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	suffixes := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "key" {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				suffixes[s] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	}
	if len(suffixes) < 10 {
		t.Fatalf("found %d tool message suffixes", len(suffixes))
	}
	for _, lang := range i18n.Languages {
		for _, tl := range []tool{claudeTool, geminiTool} {
			for s, where := range suffixes {
				if k := tl.key(s); !i18n.Has(lang, k) {
					t.Errorf("%s: no %s message %q (used at %s)", lang, tl.name, k, where)
				}
			}
		}
	}
}
