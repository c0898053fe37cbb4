package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// source names one Go type to write as a TypeScript interface.
type source struct {
	dir, goName, tsName string
}

// pkg is one parsed Go package: its name and its type declarations.
type pkg struct {
	name  string
	types map[string]*ast.TypeSpec
	docs  map[string]*ast.CommentGroup
}

// loadTypes parses the packages of srcs and renders each type, in the order
// of srcs.
func loadTypes(root string, srcs []source) ([]string, error) {
	pkgs := map[string]*pkg{}
	tsNames := map[string]string{} // "pkgname.GoName" -> TS name
	for _, s := range srcs {
		p, ok := pkgs[s.dir]
		if !ok {
			var err error
			if p, err = parseDir(filepath.Join(root, s.dir)); err != nil {
				return nil, err
			}
			pkgs[s.dir] = p
		}
		if p.types[s.goName] == nil {
			return nil, fmt.Errorf("%s: no type %s", s.dir, s.goName)
		}
		tsNames[p.name+"."+s.goName] = s.tsName
	}
	var out []string
	for _, s := range srcs {
		p := pkgs[s.dir]
		r := renderer{pkg: p, names: tsNames}
		text, err := r.render(s)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", s.dir, s.goName, err)
		}
		out = append(out, text)
	}
	return out, nil
}

func parseDir(dir string) (*pkg, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	p := &pkg{types: map[string]*ast.TypeSpec{}, docs: map[string]*ast.CommentGroup{}}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		p.name = f.Name.Name
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, sp := range gd.Specs {
				ts := sp.(*ast.TypeSpec)
				p.types[ts.Name.Name] = ts
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				p.docs[ts.Name.Name] = doc
			}
		}
	}
	return p, nil
}

// renderer writes the types of one package.
type renderer struct {
	pkg   *pkg
	names map[string]string
}

func (r renderer) render(s source) (string, error) {
	ts := r.pkg.types[s.goName]
	var b strings.Builder
	writeDoc(&b, "", r.pkg.docs[s.goName], s.goName, s.tsName)
	st, ok := ts.Type.(*ast.StructType)
	if !ok {
		typ, err := r.tsType(ts.Type)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "export type %s = %s\n", s.tsName, typ)
		return b.String(), nil
	}
	fmt.Fprintf(&b, "export interface %s {\n", s.tsName)
	if err := r.fields(&b, st); err != nil {
		return "", err
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// fields writes a struct's JSON fields; embedded structs of the same
// package are flattened, as encoding/json does.
func (r renderer) fields(b *strings.Builder, st *ast.StructType) error {
	for _, f := range st.Fields.List {
		tag := reflect.StructTag("")
		if f.Tag != nil {
			tag = reflect.StructTag(strings.Trim(f.Tag.Value, "`"))
		}
		jsonTag := tag.Get("json")
		name, opts, _ := strings.Cut(jsonTag, ",")
		if name == "-" && opts == "" {
			continue
		}
		if len(f.Names) == 0 {
			if err := r.embedded(b, f.Type); err != nil {
				return err
			}
			continue
		}
		for _, id := range f.Names {
			if !id.IsExported() {
				continue
			}
			field := name
			if field == "" {
				field = id.Name
			}
			typ := tag.Get("tstype")
			if typ == "" {
				var err error
				if typ, err = r.tsType(f.Type); err != nil {
					return fmt.Errorf("field %s: %w", id.Name, err)
				}
			}
			_, isPtr := f.Type.(*ast.StarExpr)
			optional := ""
			if strings.Contains(","+opts+",", ",omitempty,") || isPtr {
				optional = "?"
			}
			writeDoc(b, "  ", f.Doc, "", "")
			fmt.Fprintf(b, "  %s%s: %s\n", field, optional, typ)
		}
	}
	return nil
}

func (r renderer) embedded(b *strings.Builder, t ast.Expr) error {
	id, ok := t.(*ast.Ident)
	if !ok {
		return fmt.Errorf("embedded %T is not supported: name the field", t)
	}
	ts := r.pkg.types[id.Name]
	st, ok := ts.Type.(*ast.StructType)
	if ts == nil || !ok {
		return fmt.Errorf("embedded %s is not a struct of this package", id.Name)
	}
	return r.fields(b, st)
}

// tsType maps a Go type expression to TypeScript.
func (r renderer) tsType(t ast.Expr) (string, error) {
	switch t := t.(type) {
	case *ast.Ident:
		switch t.Name {
		case "string":
			return "string", nil
		case "bool":
			return "boolean", nil
		case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
			return "number", nil
		case "any":
			return "unknown", nil
		}
		if ts, ok := r.names[r.pkg.name+"."+t.Name]; ok {
			return ts, nil
		}
		// A named basic type of this package (type Verdict string) is
		// written as its underlying type.
		if spec := r.pkg.types[t.Name]; spec != nil {
			if _, isStruct := spec.Type.(*ast.StructType); !isStruct {
				return r.tsType(spec.Type)
			}
		}
		return "", fmt.Errorf("type %s is not listed in tsgen's sources", t.Name)
	case *ast.StarExpr:
		return r.tsType(t.X)
	case *ast.ArrayType:
		if id, ok := t.Elt.(*ast.Ident); ok && id.Name == "byte" {
			return "string", nil // []byte is base64 in JSON
		}
		elt, err := r.tsType(t.Elt)
		if err != nil {
			return "", err
		}
		if strings.ContainsAny(elt, " |") {
			elt = "(" + elt + ")"
		}
		return elt + "[]", nil
	case *ast.MapType:
		k, err := r.tsType(t.Key)
		if err != nil {
			return "", err
		}
		v, err := r.tsType(t.Value)
		if err != nil {
			return "", err
		}
		return "Record<" + k + ", " + v + ">", nil
	case *ast.InterfaceType:
		return "unknown", nil
	case *ast.SelectorExpr:
		pkgName := fmt.Sprint(t.X)
		switch pkgName + "." + t.Sel.Name {
		case "time.Time":
			return "string", nil
		case "time.Duration":
			return "number", nil
		case "json.RawMessage":
			return "unknown", nil
		}
		if ts, ok := r.names[pkgName+"."+t.Sel.Name]; ok {
			return ts, nil
		}
		return "", fmt.Errorf("type %s.%s is not listed in tsgen's sources", pkgName, t.Sel.Name)
	}
	return "", fmt.Errorf("type %T is not supported", t)
}

// writeDoc writes a Go doc comment as JSDoc, with the Go name replaced by
// the TypeScript one in its first word.
func writeDoc(b *strings.Builder, indent string, cg *ast.CommentGroup, goName, tsName string) {
	if cg == nil {
		return
	}
	text := strings.TrimSpace(cg.Text())
	if text == "" {
		return
	}
	if goName != "" && goName != tsName && strings.HasPrefix(text, goName+" ") {
		text = tsName + text[len(goName):]
	}
	lines := strings.Split(text, "\n")
	if len(lines) == 1 {
		fmt.Fprintf(b, "%s/** %s */\n", indent, strings.ReplaceAll(lines[0], "*/", "* /"))
		return
	}
	fmt.Fprintf(b, "%s/**\n", indent)
	for _, l := range lines {
		l = strings.ReplaceAll(l, "*/", "* /")
		if l == "" {
			fmt.Fprintf(b, "%s *\n", indent)
		} else {
			fmt.Fprintf(b, "%s * %s\n", indent, l)
		}
	}
	fmt.Fprintf(b, "%s */\n", indent)
}
