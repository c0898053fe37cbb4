package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
)

// HTTPIO are the net/http names that serve or send requests. Pure packages
// may use the package's types and constants (http.Header, status codes) but
// none of these.
var HTTPIO = map[string]bool{
	"ListenAndServe": true, "ListenAndServeTLS": true, "Serve": true, "ServeTLS": true,
	"Server": true, "ServeMux": true, "NewServeMux": true, "Handle": true, "HandleFunc": true,
	"FileServer": true, "ServeFile": true, "ServeContent": true,
	"Client": true, "DefaultClient": true, "Transport": true, "DefaultTransport": true,
	"Get": true, "Head": true, "Post": true, "PostForm": true,
	"NewRequest": true, "NewRequestWithContext": true,
}

// CheckHTTPUse returns one line per use of an HTTPIO name in the Go files of
// p (tests excluded: go list's GoFiles has none).
func CheckHTTPUse(p Package) ([]string, error) {
	var out []string
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		path := filepath.Join(p.Dir, name)
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil, fmt.Errorf("archtest: parse %s: %w", path, err)
		}
		local := ""
		for _, imp := range f.Imports {
			if v, _ := strconv.Unquote(imp.Path.Value); v == "net/http" {
				local = "http"
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		if local == "" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == local && HTTPIO[sel.Sel.Name] {
				out = append(out, fmt.Sprintf("%s uses %s.%s (network I/O)", fset.Position(sel.Pos()), local, sel.Sel.Name))
			}
			return true
		})
	}
	return out, nil
}
