package clients

// This file reads a TOML document into statements with their byte spans,
// so the editor in tomldoc.go can change one statement and copy every other
// byte. It does not decode values: go-toml does that, and checks the file
// before this scanner sees it, so the scanner only has to find where things
// are in a document already known to be valid.

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// stmtKind is what one statement of a TOML document is.
type stmtKind int

const (
	stmtBlank      stmtKind = iota // an empty or whitespace-only line
	stmtComment                    // a line holding only a comment
	stmtTable                      // [a.b]
	stmtArrayTable                 // [[a.b]]
	stmtKeyval                     // a.b = value (the value may span lines)
)

// tomlStmt is one statement: a header, a key/value pair, a comment line or
// a blank line.
type tomlStmt struct {
	kind stmtKind
	// start and end are the statement's bytes, its line break included.
	start, end int
	// key is a header's path, or a key/value pair's (dotted) key.
	key []string
	// table is the path of the table a key/value pair sits in.
	table []string
	// val is the value of a key/value pair.
	val tomlNode
}

// tomlNode is a value's bytes; an inline table also lists its entries.
type tomlNode struct {
	start, end int
	inline     bool
	entries    []tomlEntry
}

// tomlEntry is one key = value of an inline table.
type tomlEntry struct {
	start int // where its key begins
	key   []string
	val   tomlNode
}

// scanError is a place the scanner could not read; go-toml accepted the
// file, so this means a construct the scanner does not know.
type scanError struct {
	off int
	msg string
}

func (e *scanError) Error() string { return e.msg }

type tomlScanner struct {
	s   string
	pos int
}

// scanTOML splits s (a valid TOML document) into statements that cover it
// byte for byte.
func scanTOML(s string) ([]tomlStmt, error) {
	sc := &tomlScanner{s: s}
	var out []tomlStmt
	var table []string
	for sc.pos < len(s) {
		st, err := sc.statement()
		if err != nil {
			return nil, err
		}
		switch st.kind {
		case stmtTable, stmtArrayTable:
			table = st.key
		case stmtKeyval:
			st.table = table
		}
		out = append(out, st)
	}
	return out, nil
}

func (sc *tomlScanner) fail(format string, args ...any) error {
	return &scanError{off: sc.pos, msg: fmt.Sprintf(format, args...)}
}

func (sc *tomlScanner) peek(prefix string) bool { return strings.HasPrefix(sc.s[sc.pos:], prefix) }

func (sc *tomlScanner) skipWS() {
	for sc.pos < len(sc.s) && (sc.s[sc.pos] == ' ' || sc.s[sc.pos] == '\t') {
		sc.pos++
	}
}

func (sc *tomlScanner) atEOL() bool {
	return sc.pos >= len(sc.s) || sc.peek("\n") || sc.peek("\r\n")
}

// endLine reads an optional comment and the line break after a statement.
func (sc *tomlScanner) endLine() error {
	sc.skipWS()
	sc.skipComment()
	switch {
	case sc.pos >= len(sc.s):
	case sc.peek("\n"):
		sc.pos++
	case sc.peek("\r\n"):
		sc.pos += 2
	default:
		return sc.fail("expected the end of the line")
	}
	return nil
}

func (sc *tomlScanner) skipComment() {
	if sc.peek("#") {
		for !sc.atEOL() {
			sc.pos++
		}
	}
}

// skipSpace skips whitespace, line breaks and comments, as arrays and
// (since TOML 1.1) inline tables allow between their elements.
func (sc *tomlScanner) skipSpace() {
	for sc.pos < len(sc.s) {
		switch sc.s[sc.pos] {
		case ' ', '\t', '\n', '\r':
			sc.pos++
		case '#':
			sc.skipComment()
		default:
			return
		}
	}
}

func (sc *tomlScanner) statement() (tomlStmt, error) {
	st := tomlStmt{start: sc.pos}
	sc.skipWS()
	var err error
	switch {
	case sc.atEOL():
		st.kind = stmtBlank
		err = sc.endLine()
	case sc.peek("#"):
		st.kind = stmtComment
		err = sc.endLine()
	case sc.peek("["):
		err = sc.header(&st)
	default:
		st.kind = stmtKeyval
		if st.key, err = sc.key(); err != nil {
			return st, err
		}
		sc.skipWS()
		if !sc.peek("=") {
			return st, sc.fail("expected = after a key")
		}
		sc.pos++
		sc.skipWS()
		if st.val, err = sc.value(); err != nil {
			return st, err
		}
		err = sc.endLine()
	}
	st.end = sc.pos
	return st, err
}

func (sc *tomlScanner) header(st *tomlStmt) error {
	st.kind, sc.pos = stmtTable, sc.pos+1
	if sc.peek("[") {
		st.kind, sc.pos = stmtArrayTable, sc.pos+1
	}
	sc.skipWS()
	key, err := sc.key()
	if err != nil {
		return err
	}
	st.key = key
	sc.skipWS()
	closing := "]"
	if st.kind == stmtArrayTable {
		closing = "]]"
	}
	if !sc.peek(closing) {
		return sc.fail("expected %s after a table name", closing)
	}
	sc.pos += len(closing)
	return sc.endLine()
}

// key reads a dotted key: bare, "basic" and 'literal' parts.
func (sc *tomlScanner) key() ([]string, error) {
	var parts []string
	for {
		sc.skipWS()
		part, err := sc.simpleKey()
		if err != nil {
			return nil, err
		}
		parts = append(parts, part)
		sc.skipWS()
		if !sc.peek(".") {
			return parts, nil
		}
		sc.pos++
	}
}

func (sc *tomlScanner) simpleKey() (string, error) {
	switch {
	case sc.peek(`"`):
		return sc.basicString()
	case sc.peek("'"):
		end := strings.IndexByte(sc.s[sc.pos+1:], '\'')
		if end < 0 {
			return "", sc.fail("unterminated literal key")
		}
		k := sc.s[sc.pos+1 : sc.pos+1+end]
		sc.pos += end + 2
		return k, nil
	}
	start := sc.pos
	for sc.pos < len(sc.s) && isBareKeyByte(sc.s[sc.pos]) {
		sc.pos++
	}
	if sc.pos == start {
		return "", sc.fail("expected a key")
	}
	return sc.s[start:sc.pos], nil
}

func isBareKeyByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-'
}

// basicString reads a one-line "…" string and returns it decoded.
func (sc *tomlScanner) basicString() (string, error) {
	var b strings.Builder
	i := sc.pos + 1
	for i < len(sc.s) {
		c := sc.s[i]
		switch {
		case c == '"':
			sc.pos = i + 1
			return b.String(), nil
		case c == '\n':
			return "", sc.fail("unterminated string")
		case c == '\\' && i+1 < len(sc.s):
			n, r, ok := unescape(sc.s[i+1:])
			if !ok {
				return "", sc.fail("bad escape in a string")
			}
			b.WriteString(r)
			i += 1 + n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", sc.fail("unterminated string")
}

// unescape decodes the escape after a backslash in s: how many bytes it
// takes and what it stands for.
func unescape(s string) (int, string, bool) {
	simple := map[byte]string{'b': "\b", 't': "\t", 'n': "\n", 'f': "\f", 'r': "\r", '"': `"`, '\\': `\`, 'e': "\x1b"}
	if r, ok := simple[s[0]]; ok {
		return 1, r, true
	}
	width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[0]]
	if width == 0 || len(s) < 1+width {
		return 0, "", false
	}
	n, err := strconv.ParseUint(s[1:1+width], 16, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return 0, "", false
	}
	return 1 + width, string(rune(n)), true
}

// value reads any value and returns its span.
func (sc *tomlScanner) value() (tomlNode, error) {
	n := tomlNode{start: sc.pos}
	var err error
	switch {
	case sc.peek(`"""`):
		err = sc.multiline(`"""`, true)
	case sc.peek("'''"):
		err = sc.multiline("'''", false)
	case sc.peek(`"`):
		_, err = sc.basicString()
	case sc.peek("'"):
		_, err = sc.simpleKey()
	case sc.peek("["):
		err = sc.array()
	case sc.peek("{"):
		n.inline = true
		n.entries, err = sc.inlineTable()
	default:
		err = sc.scalar()
	}
	n.end = sc.pos
	return n, err
}

// multiline reads a multi-line string, basic (three double quotes) or
// literal (three single quotes); up to two quotes may end
// its content right before the closing three.
func (sc *tomlScanner) multiline(quote string, escapes bool) error {
	i := sc.pos + 3
	for i < len(sc.s) {
		switch {
		case escapes && sc.s[i] == '\\':
			i += 2
		case strings.HasPrefix(sc.s[i:], quote):
			end := i + 3
			for extra := 0; extra < 2 && end < len(sc.s) && sc.s[end] == quote[0]; extra++ {
				end++
			}
			sc.pos = end
			return nil
		default:
			i++
		}
	}
	return sc.fail("unterminated multi-line string")
}

func (sc *tomlScanner) array() error {
	sc.pos++
	for {
		sc.skipSpace()
		if sc.peek("]") {
			sc.pos++
			return nil
		}
		if _, err := sc.value(); err != nil {
			return err
		}
		sc.skipSpace()
		switch {
		case sc.peek(","):
			sc.pos++
		case sc.peek("]"):
			sc.pos++
			return nil
		default:
			return sc.fail("expected , or ] in an array")
		}
	}
}

func (sc *tomlScanner) inlineTable() ([]tomlEntry, error) {
	sc.pos++
	var entries []tomlEntry
	for {
		sc.skipSpace()
		if sc.peek("}") {
			sc.pos++
			return entries, nil
		}
		e := tomlEntry{start: sc.pos}
		var err error
		if e.key, err = sc.key(); err != nil {
			return nil, err
		}
		sc.skipWS()
		if !sc.peek("=") {
			return nil, sc.fail("expected = in an inline table")
		}
		sc.pos++
		sc.skipWS()
		if e.val, err = sc.value(); err != nil {
			return nil, err
		}
		entries = append(entries, e)
		sc.skipSpace()
		switch {
		case sc.peek(","):
			sc.pos++
		case sc.peek("}"):
			sc.pos++
			return entries, nil
		default:
			return nil, sc.fail("expected , or } in an inline table")
		}
	}
}

// scalar reads a number, boolean, date or time. A date and a time may be
// separated by a space ("1979-05-27 07:32:00Z").
func (sc *tomlScanner) scalar() error {
	start := sc.pos
	stop := func() bool { return sc.pos >= len(sc.s) || strings.IndexByte(" \t\r\n,]}#", sc.s[sc.pos]) >= 0 }
	for !stop() {
		sc.pos++
	}
	if sc.pos-start == 10 && sc.s[start+4] == '-' && sc.s[start+7] == '-' &&
		sc.peek(" ") && sc.pos+1 < len(sc.s) && sc.s[sc.pos+1] >= '0' && sc.s[sc.pos+1] <= '9' {
		sc.pos++
		for !stop() {
			sc.pos++
		}
	}
	if sc.pos == start {
		return sc.fail("expected a value")
	}
	return nil
}
