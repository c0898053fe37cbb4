package clients

// tomlDoc edits a TOML file the way a person would: it changes the
// statements Routex owns and copies every other byte (comments, blank
// lines, key order, quoting, line endings, a byte-order mark, a missing
// final line break). It supports exactly the edits Codex's config needs:
// top-level keys set, restored or removed (before the first table), and one
// table added, replaced or removed. go-toml checks the file before an edit
// and the result after it, so a mistake here fails loudly instead of
// writing a file Codex cannot read.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/routex-app/routex/backend/config"
)

const bom = "\xEF\xBB\xBF"

// tomlDoc is a TOML file being edited. text always ends with a line break
// (one is added on parse when missing, and taken off again on render).
type tomlDoc struct {
	path    string
	text    string
	bom     bool
	eol     string
	newline bool
	stmts   []tomlStmt
	data    map[string]any
	// table is the one table this document edits, as a path
	// (["model_providers", "routex"]); tableKey is its name among keys.
	table    []string
	tableKey string
	// fieldOrder orders the table's fields when Routex writes them.
	fieldOrder []string
	// err is the first failure of a lookup (which cannot return one);
	// render reports it, so nothing is written.
	err error
	// want is what set and remove promised: render checks the result.
	want map[string]*string
}

// parseTOMLDoc reads data, reporting a malformed file with its line and
// column.
func parseTOMLDoc(path string, data []byte, table []string, fieldOrder []string) (*tomlDoc, error) {
	s := string(data)
	d := &tomlDoc{path: path, eol: "\n", newline: true, table: table, tableKey: strings.Join(table, "."),
		fieldOrder: fieldOrder, want: map[string]*string{}}
	if strings.HasPrefix(s, bom) {
		d.bom, s = true, s[len(bom):]
	}
	if i := strings.IndexByte(s, '\n'); i > 0 && s[i-1] == '\r' {
		d.eol = "\r\n"
	}
	if s != "" && !strings.HasSuffix(s, "\n") {
		d.newline, s = false, s+d.eol
	}
	if err := checkTOML(path, s); err != nil {
		return nil, err
	}
	d.text = s
	if err := d.reload(); err != nil {
		return nil, err
	}
	return d, nil
}

// checkTOML reports a file go-toml cannot read, with the line and column
// an editor shows.
func checkTOML(path, s string) error {
	var m map[string]any
	err := toml.Unmarshal([]byte(s), &m)
	if err == nil {
		return nil
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		return &SyntaxError{Path: path, Line: line, Column: col, Err: errors.New(strings.TrimPrefix(de.Error(), "toml: "))}
	}
	return &SyntaxError{Path: path, Line: 1, Column: 1, Err: err}
}

// reload scans text again after an edit and decodes it with go-toml.
func (d *tomlDoc) reload() error {
	stmts, err := scanTOML(d.text)
	if err != nil {
		off := 0
		var se *scanError
		if errors.As(err, &se) {
			off = se.off
		}
		line, col := config.LineCol([]byte(d.text), int64(off))
		return fmt.Errorf("clients: %s: line %d, column %d: Routex cannot edit this TOML (%v); the file was left untouched",
			d.path, line, col, err)
	}
	var data map[string]any
	if err := toml.Unmarshal([]byte(d.text), &data); err != nil {
		return fmt.Errorf("clients: the edited %s would not parse (a bug: the file was left untouched): %w", d.path, err)
	}
	d.stmts, d.data = stmts, data
	return nil
}

// splice replaces text[start:end] with repl and reloads.
func (d *tomlDoc) splice(start, end int, repl string) error {
	d.text = d.text[:start] + repl + d.text[end:]
	return d.reload()
}

// cut removes several spans at once, from the last, then reloads.
func (d *tomlDoc) cut(spans [][2]int) error {
	sorted := slices.Clone(spans)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i][0] > sorted[j][0] })
	for _, sp := range sorted {
		d.text = d.text[:sp[0]] + d.text[sp[1]:]
	}
	return d.reload()
}

// get walks the decoded document along path.
func (d *tomlDoc) get(path []string) (any, bool) {
	var cur any = d.data
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func (d *tomlDoc) lookup(key string) (raw, value string, isString, ok bool) {
	if key == d.tableKey {
		return d.lookupTable()
	}
	v, ok := d.data[key]
	if !ok {
		return "", "", false, false
	}
	if i := d.rootStmt(key); i >= 0 {
		raw = strings.TrimRight(d.stmtText(i), "\r\n")
	}
	value, isString = v.(string)
	return raw, value, isString, true
}

// stmtText is statement i's bytes, its line break included.
func (d *tomlDoc) stmtText(i int) string { return d.text[d.stmts[i].start:d.stmts[i].end] }

// rootStmt is the index of the top-level `key = …` statement, or -1.
func (d *tomlDoc) rootStmt(key string) int {
	for i, st := range d.stmts {
		if st.kind == stmtTable || st.kind == stmtArrayTable {
			break
		}
		if st.kind == stmtKeyval && len(st.key) == 1 && st.key[0] == key {
			return i
		}
	}
	return -1
}

func (d *tomlDoc) set(key, value string) error {
	if key == d.tableKey {
		return d.setTable(value)
	}
	d.want[key] = &value
	if i := d.rootStmt(key); i >= 0 {
		st := d.stmts[i]
		return d.splice(st.val.start, st.val.end, tomlQuote(value))
	}
	if _, exists := d.data[key]; exists {
		return fmt.Errorf("%s is not a plain top-level key in %s: Routex leaves it alone", key, d.path)
	}
	return d.insertRoot(tomlKey(key) + " = " + tomlQuote(value))
}

func (d *tomlDoc) setRaw(key, raw string) error {
	if key == d.tableKey {
		def, err := d.findTable()
		if err != nil {
			return err
		}
		if def.form == defNone {
			return fmt.Errorf("%s has no [%s] table to put back", d.path, d.tableKey)
		}
		return d.replaceDef(def, raw)
	}
	delete(d.want, key)
	if i := d.rootStmt(key); i >= 0 {
		st := d.stmts[i]
		return d.splice(st.start, st.end, raw+d.eol)
	}
	return d.insertRoot(raw)
}

// insertRoot adds a top-level line: after the last top-level key, or,
// when there is none, above the first table (and its comment), set off
// from it by a blank line.
func (d *tomlDoc) insertRoot(line string) error {
	last, first := -1, -1
	for i, st := range d.stmts {
		if st.kind == stmtTable || st.kind == stmtArrayTable {
			first = i
			break
		}
		if st.kind == stmtKeyval {
			last = i
		}
	}
	switch {
	case last >= 0:
		return d.splice(d.stmts[last].end, d.stmts[last].end, line+d.eol)
	case first < 0:
		return d.splice(len(d.text), len(d.text), line+d.eol)
	}
	for first > 0 && d.stmts[first-1].kind == stmtComment {
		first--
	}
	at := d.stmts[first].start
	return d.splice(at, at, line+d.eol+d.eol)
}

func (d *tomlDoc) after(key string) string {
	prev := ""
	for _, st := range d.stmts {
		if st.kind == stmtTable || st.kind == stmtArrayTable {
			break
		}
		if st.kind == stmtKeyval {
			if len(st.key) == 1 && st.key[0] == key {
				return prev
			}
			prev = strings.Join(st.key, ".")
		}
	}
	return ""
}

func (d *tomlDoc) insertRaw(key, raw, after string) error {
	if key == d.tableKey {
		return fmt.Errorf("%s: the [%s] table cannot be put back in place", d.path, d.tableKey)
	}
	if after != "" {
		if i := d.rootStmt(after); i >= 0 {
			return d.splice(d.stmts[i].end, d.stmts[i].end, raw+d.eol)
		}
	}
	return d.insertRoot(raw)
}

func (d *tomlDoc) remove(key string) error {
	if key == d.tableKey {
		return d.removeTable()
	}
	d.want[key] = nil
	i := d.rootStmt(key)
	if i < 0 {
		return nil
	}
	at := d.stmts[i].start
	if err := d.splice(at, d.stmts[i].end, ""); err != nil {
		return err
	}
	// The blank line insertRoot put between Routex's lines and the first
	// table (or its comment) goes with the last of them. A blank line
	// before Routex's own table is that table's, and goes with it.
	for _, st := range d.stmts {
		if st.kind == stmtKeyval && len(st.table) == 0 {
			return nil
		}
	}
	for j, st := range d.stmts {
		if st.start != at || st.kind != stmtBlank || (j > 0 && d.stmts[j-1].kind != stmtBlank) {
			continue
		}
		for _, next := range d.stmts[j+1:] {
			switch {
			case next.kind == stmtBlank:
				continue
			case next.kind == stmtComment || (next.kind == stmtTable || next.kind == stmtArrayTable) && !hasPrefix(next.key, d.table):
				return d.splice(st.start, st.end, "")
			}
			break
		}
		break
	}
	return nil
}

func (d *tomlDoc) hasContainer() bool        { return true }
func (d *tomlDoc) dropEmptyContainer() error { return nil }

// render is the edited file, checked: it must parse, and hold what set
// and remove were asked for.
func (d *tomlDoc) render() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	check, err := parseTOMLDoc(d.path, []byte(d.text), d.table, d.fieldOrder)
	if err != nil {
		return nil, fmt.Errorf("clients: the edited %s would not parse (a bug: the file was left untouched): %w", d.path, err)
	}
	for key, want := range d.want {
		_, got, isString, ok := check.lookup(key)
		if want == nil && ok || want != nil && (!ok || !isString || got != *want) {
			return nil, fmt.Errorf("clients: the edited %s does not hold the intended %s (a bug: the file was left untouched)", d.path, key)
		}
	}
	out := d.text
	if !d.newline {
		out = strings.TrimSuffix(out, d.eol)
	}
	if d.bom {
		out = bom + out
	}
	return []byte(out), nil
}

// tomlQuote writes s as a TOML basic string.
func tomlQuote(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tomlKey writes a key bare when it can be, quoted when not.
func tomlKey(k string) string {
	if k == "" {
		return `""`
	}
	for i := 0; i < len(k); i++ {
		if !isBareKeyByte(k[i]) {
			return tomlQuote(k)
		}
	}
	return k
}

// tomlPath writes a dotted key.
func tomlPath(path []string) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = tomlKey(p)
	}
	return strings.Join(parts, ".")
}

// canonical is a stable text of a decoded value, for comparing a table
// with what Routex wrote: JSON with sorted keys.
func canonical(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
