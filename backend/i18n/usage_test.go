package i18n

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/routex-app/routex/locales"
)

// localeKeys returns every key of lang.json.
func localeKeys(t *testing.T, lang string) map[string]bool {
	t.Helper()
	data, err := fs.ReadFile(locales.Files, lang+".json")
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	if err := json.Unmarshal(data, &tree); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	out := map[string]bool{}
	for _, k := range flatten("", tree) {
		out[k] = true
	}
	return out
}

// goKeys finds the translation keys the Go code names: every string literal
// shaped like a key of one of the locales' sections ("cli.listening"), and
// the prefixes of keys built at run time ("language." + tag). It reads the
// module's Go files (tests left out) from the module root.
func goKeys(t *testing.T, sections map[string]bool) (keys, prefixes map[string][]string) {
	t.Helper()
	keys, prefixes = map[string][]string{}, map[string][]string{}
	shape := regexp.MustCompile(`^([a-z]+)\.([A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*\.?)?$`)
	// File names look like keys too ("settings.json").
	file := regexp.MustCompile(`\.(json|go|toml|env|md|yaml|yml|db|log|txt|sh)$`)
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "testdata", "frontend", ".git", "build", "dist":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		concatLeft := map[*ast.BasicLit]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			if be, ok := n.(*ast.BinaryExpr); ok && be.Op == token.ADD {
				if lit, ok := be.X.(*ast.BasicLit); ok {
					concatLeft[lit] = true
				}
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			m := shape.FindStringSubmatch(s)
			if m == nil || !sections[m[1]] || file.MatchString(s) {
				return true
			}
			where := fset.Position(lit.Pos()).String()
			if concatLeft[lit] || strings.HasSuffix(s, ".") {
				prefixes[s] = append(prefixes[s], where)
			} else {
				keys[s] = append(keys[s], where)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys, prefixes
}

// Every translation key the Go code (CLI, tray, server messages) names
// exists in every locale, so a typo or a key added to one file only shows
// up here instead of printing the key to a user.
func TestEveryKeyUsedInGoExists(t *testing.T) {
	t.Parallel()
	en := localeKeys(t, "en")
	sections := map[string]bool{}
	for k := range en {
		sections[strings.SplitN(k, ".", 2)[0]] = true
	}
	keys, prefixes := goKeys(t, sections)
	if len(keys) < 100 {
		t.Fatalf("found only %d keys in the Go code: is the scan reading the module?", len(keys))
	}
	for _, lang := range Languages {
		have := localeKeys(t, lang)
		for k, where := range keys {
			if !have[k] {
				t.Errorf("%s.json has no key %q (used at %s)", lang, k, where[0])
			}
		}
		for p, where := range prefixes {
			found := false
			for k := range have {
				if strings.HasPrefix(k, p) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s.json has no key starting with %q (built at %s)", lang, p, where[0])
			}
		}
		// The tray builds "language." + tag for every language.
		for _, l := range Languages {
			if !have["language."+l] {
				t.Errorf("%s.json has no key language.%s", lang, l)
			}
		}
	}
}

func TestGoKeyScanSeesLiteralsAndPrefixes(t *testing.T) {
	t.Parallel()
	keys, prefixes := goKeys(t, map[string]bool{"cli": true, "language": true})
	if len(keys["cli.listening"]) == 0 {
		t.Error("the scan missed cli.listening")
	}
	if len(prefixes["language."]) == 0 {
		t.Error(`the scan missed the prefix "language." of the tray`)
	}
	if _, err := os.Stat(filepath.Join("..", "..", "go.mod")); err != nil {
		t.Fatal("the scan does not start at the module root")
	}
}
