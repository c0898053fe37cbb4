package clients

// The one table tomlDoc edits may be written in several ways; Routex
// replaces it in the way the user wrote it, in place, and adds it as a
// [table] when it is new.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/routex-app/routex/backend/config"
)

// defForm is how a file defines the table.
type defForm int

const (
	defNone   defForm = iota
	defHeader         // [model_providers.routex] (and its sub-tables)
	defKeyval         // routex = { … } or routex.name = … in a parent table
	defEntry          // an entry of an inline table: model_providers = { routex = { … } }
)

// tableDef is where the table is defined. spans are whole statements
// (header and keyval forms); consecutive ones are merged, so the table as
// the user wrote it, comments and all, is one span. Routex's table goes
// where the first span was; the others are removed.
type tableDef struct {
	form  defForm
	spans [][2]int
	// ctx is the table the keyval statements sit in (keyval form).
	ctx []string
	// entry is the inline-table entry (entry form); container the inline
	// table holding model_providers' entries when Routex must add one.
	entry     *tomlEntry
	container *tomlNode
}

// findTable locates every statement that defines d.table.
func (d *tomlDoc) findTable() (tableDef, error) {
	var def tableDef
	var header, keyval []int
	for i, st := range d.stmts {
		switch st.kind {
		case stmtTable, stmtArrayTable:
			if hasPrefix(st.key, d.table) {
				header = append(header, i)
			}
		case stmtKeyval:
			full := append(slices.Clone(st.table), st.key...)
			switch {
			case hasPrefix(st.table, d.table):
				// A field of the table's own [header] block.
			case hasPrefix(full, d.table):
				keyval = append(keyval, i)
				def.ctx = st.table
			case hasPrefix(d.table, full) && st.val.inline:
				e, container, err := d.findEntry(st.val, d.table[len(full):])
				if err != nil {
					return def, err
				}
				if e != nil {
					def.form, def.entry = defEntry, e
				} else if container != nil {
					def.container = container
				}
			}
		}
	}
	forms := 0
	for _, n := range []int{len(header), len(keyval)} {
		if n > 0 {
			forms++
		}
	}
	if def.form == defEntry {
		forms++
	}
	if forms > 1 {
		line, _ := config.LineCol([]byte(d.text), int64(d.firstDefOffset(header, keyval, def.entry)))
		return def, fmt.Errorf("%s: [%s] is defined in more than one way (first at line %d); Routex leaves it alone: write it as one [%s] table",
			d.path, d.tableKey, line, d.tableKey)
	}
	switch {
	case len(header) > 0:
		def.form, def.spans = defHeader, d.blockSpans(header)
	case len(keyval) > 0:
		def.form, def.spans = defKeyval, d.keyvalSpans(keyval)
	}
	return def, nil
}

func (d *tomlDoc) firstDefOffset(header, keyval []int, e *tomlEntry) int {
	off := len(d.text)
	for _, i := range append(slices.Clone(header), keyval...) {
		off = min(off, d.stmts[i].start)
	}
	if e != nil {
		off = min(off, e.start)
	}
	return off
}

// findEntry looks for the entry rel (["routex"]) in an inline table, and
// failing that returns the inline table it would be added to.
func (d *tomlDoc) findEntry(n tomlNode, rel []string) (*tomlEntry, *tomlNode, error) {
	for i := range n.entries {
		e := &n.entries[i]
		switch {
		case slices.Equal(e.key, rel):
			return e, nil, nil
		case hasPrefix(e.key, rel):
			line, _ := config.LineCol([]byte(d.text), int64(e.start))
			return nil, nil, fmt.Errorf("%s: line %d: [%s] is written as dotted keys inside an inline table; Routex leaves it alone: write it as one [%s] table",
				d.path, line, d.tableKey, d.tableKey)
		case hasPrefix(rel, e.key) && e.val.inline:
			return d.findEntry(e.val, rel[len(e.key):])
		}
	}
	if len(rel) == 1 {
		return nil, &n, nil
	}
	return nil, nil, nil
}

// blockSpans turns header statements into spans: each runs from its
// header to its last key/value pair (comments and blank lines after that
// belong to whatever follows). Blocks with no other table between them
// are one span.
func (d *tomlDoc) blockSpans(headers []int) [][2]int {
	var spans [][2]int
	for _, h := range headers {
		end := d.stmts[h].end
		for j := h + 1; j < len(d.stmts); j++ {
			st := d.stmts[j]
			if st.kind == stmtTable || st.kind == stmtArrayTable {
				break
			}
			if st.kind == stmtKeyval {
				end = st.end
			}
		}
		if n := len(spans); n > 0 && d.onlyOwnHeadersBetween(spans[n-1][1], d.stmts[h].start) {
			spans[n-1][1] = end
			continue
		}
		spans = append(spans, [2]int{d.stmts[h].start, end})
	}
	return spans
}

// onlyOwnHeadersBetween reports whether text[from:to] holds no statement
// but comments and blank lines.
func (d *tomlDoc) onlyOwnHeadersBetween(from, to int) bool {
	for _, st := range d.stmts {
		if st.start >= from && st.end <= to && st.kind != stmtBlank && st.kind != stmtComment {
			return false
		}
	}
	return true
}

// keyvalSpans merges key/value statements that follow each other (only
// comments and blank lines between).
func (d *tomlDoc) keyvalSpans(idx []int) [][2]int {
	var spans [][2]int
	for _, i := range idx {
		st := d.stmts[i]
		if n := len(spans); n > 0 && d.onlyOwnHeadersBetween(spans[n-1][1], st.start) {
			spans[n-1][1] = st.end
			continue
		}
		spans = append(spans, [2]int{st.start, st.end})
	}
	return spans
}

func hasPrefix(path, prefix []string) bool {
	return len(path) >= len(prefix) && slices.Equal(path[:len(prefix)], prefix)
}

// lookupTable returns the table's definition as raw text (what setRaw
// puts back) and its decoded content as canonical JSON, so a table still
// holding what Routex wrote compares equal however it is formatted.
func (d *tomlDoc) lookupTable() (raw, value string, isString, ok bool) {
	v, found := d.get(d.table)
	if !found {
		return "", "", false, false
	}
	def, err := d.findTable()
	if err != nil {
		d.err = err
		return "", "", false, true
	}
	switch def.form {
	case defEntry:
		raw = d.text[def.entry.val.start:def.entry.val.end]
	default:
		for _, sp := range def.spans {
			raw += d.text[sp[0]:sp[1]]
		}
	}
	value, err = canonical(v)
	if err != nil {
		d.err = err
	}
	return raw, value, true, true
}

// setTable writes the table with the fields in value (a JSON object of
// strings, as the format's change carries it).
func (d *tomlDoc) setTable(value string) error {
	var fields map[string]string
	if err := json.Unmarshal([]byte(value), &fields); err != nil {
		return fmt.Errorf("clients: table fields: %w", err)
	}
	canon, err := canonical(fields)
	if err != nil {
		return err
	}
	d.want[d.tableKey] = &canon
	def, err := d.findTable()
	if err != nil {
		return err
	}
	switch def.form {
	case defHeader:
		return d.replaceDef(def, d.block(fields))
	case defKeyval:
		return d.replaceDef(def, tomlPath(d.table[len(def.ctx):])+" = "+d.inline(fields)+d.eol)
	case defEntry:
		return d.replaceDef(def, d.inline(fields))
	}
	if c := def.container; c != nil {
		entry := tomlKey(d.table[len(d.table)-1]) + " = " + d.inline(fields)
		if len(c.entries) == 0 {
			return d.splice(c.start+1, c.start+1, entry)
		}
		last := c.entries[len(c.entries)-1].val.end
		return d.splice(last, last, ", "+entry)
	}
	at, prefix := d.tableInsertPos()
	return d.splice(at, at, prefix+d.block(fields))
}

// replaceDef puts text where the definition's first span (or entry value)
// is and removes its other spans.
func (d *tomlDoc) replaceDef(def tableDef, text string) error {
	if def.form == defEntry {
		return d.splice(def.entry.val.start, def.entry.val.end, text)
	}
	first := def.spans[0]
	d.text = d.text[:first[0]] + text + d.text[first[1]:]
	shift := len(text) - (first[1] - first[0])
	rest := make([][2]int, 0, len(def.spans)-1)
	for _, sp := range def.spans[1:] {
		rest = append(rest, [2]int{sp[0] + shift, sp[1] + shift})
	}
	return d.cut(rest)
}

// tableInsertPos is where a new [table] goes: after the last table whose
// path starts like it ([model_providers.*]), else after the file's last
// non-blank line; set off by a blank line unless the file is empty.
func (d *tomlDoc) tableInsertPos() (int, string) {
	parent := d.table[:len(d.table)-1]
	at, found := -1, false
	for i, st := range d.stmts {
		if (st.kind == stmtTable || st.kind == stmtArrayTable) && len(parent) > 0 && hasPrefix(st.key, parent) {
			at, found = d.blockSpans([]int{i})[0][1], true
		}
	}
	if !found {
		for _, st := range d.stmts {
			if st.kind != stmtBlank {
				at = st.end
			}
		}
	}
	if at < 0 {
		return 0, ""
	}
	return at, d.eol
}

// removeTable deletes the table and the blank line tableInsertPos put
// before it.
func (d *tomlDoc) removeTable() error {
	d.want[d.tableKey] = nil
	def, err := d.findTable()
	if err != nil {
		return err
	}
	switch def.form {
	case defNone:
		return nil
	case defEntry:
		return d.removeEntry(def.entry)
	}
	at := def.spans[0][0]
	if err := d.cut(def.spans); err != nil {
		return err
	}
	for _, st := range d.stmts {
		if st.end == at && st.kind == stmtBlank && def.form == defHeader {
			return d.splice(st.start, st.end, "")
		}
	}
	return nil
}

// removeEntry deletes an inline-table entry and the comma before it (or,
// for the first entry, after it).
func (d *tomlDoc) removeEntry(e *tomlEntry) error {
	start, end := e.start, e.val.end
	before := strings.TrimRight(d.text[:start], " \t")
	if strings.HasSuffix(before, ",") {
		start = len(before) - 1
	} else if rest := strings.TrimLeft(d.text[end:], " \t"); strings.HasPrefix(rest, ",") {
		end = len(d.text) - len(rest) + 1
		end += len(d.text[end:]) - len(strings.TrimLeft(d.text[end:], " \t"))
	}
	return d.splice(start, end, "")
}

// orderedFields lists fields in d.fieldOrder first, then the rest sorted.
func (d *tomlDoc) orderedFields(fields map[string]string) []string {
	var keys []string
	for _, k := range d.fieldOrder {
		if _, ok := fields[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range fields {
		if !slices.Contains(d.fieldOrder, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(keys, rest...)
}

// block writes the table as a [header] with one field a line.
func (d *tomlDoc) block(fields map[string]string) string {
	var b strings.Builder
	b.WriteString("[" + tomlPath(d.table) + "]" + d.eol)
	for _, k := range d.orderedFields(fields) {
		b.WriteString(tomlKey(k) + " = " + tomlQuote(fields[k]) + d.eol)
	}
	return b.String()
}

// inline writes the table as { a = "…", b = "…" }.
func (d *tomlDoc) inline(fields map[string]string) string {
	parts := make([]string, 0, len(fields))
	for _, k := range d.orderedFields(fields) {
		parts = append(parts, tomlKey(k)+" = "+tomlQuote(fields[k]))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}
