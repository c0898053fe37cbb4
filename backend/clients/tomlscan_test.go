package clients

import (
	"slices"
	"strings"
	"testing"
)

func TestScanTOMLCoversTheFileAndFindsKeysAndTables(t *testing.T) {
	t.Parallel()
	input := readTestdata(t, "codex/typical.input.toml")
	stmts, err := scanTOML(input)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, st := range stmts {
		if i > 0 && st.start != stmts[i-1].end {
			t.Fatalf("statement %d starts at %d, the previous ended at %d", i, st.start, stmts[i-1].end)
		}
		b.WriteString(input[st.start:st.end])
	}
	if b.String() != input {
		t.Fatal("the statements do not cover the file byte for byte")
	}
	find := func(key ...string) tomlStmt {
		for _, st := range stmts {
			if slices.Equal(append(slices.Clone(st.table), st.key...), key) {
				return st
			}
		}
		t.Fatalf("no statement for %v", key)
		return tomlStmt{}
	}
	tests := []struct {
		key      []string
		kind     stmtKind
		value    string // the value's text, for key/value pairs
		endsLine string // the statement's last line
	}{
		{[]string{"model"}, stmtKeyval, `"gpt-5.5-codex"`, "model = \"gpt-5.5-codex\"            # what I use day to day\n"},
		{[]string{"tui", "notifications"}, stmtKeyval, "true", ""},
		{[]string{"projects", "/home/me/src/routex"}, stmtTable, "", ""},
		{[]string{"projects", "/home/me/src/scratch"}, stmtTable, "", ""},
		{[]string{"skills", "config"}, stmtArrayTable, "", ""},
		{[]string{"model_providers", "azure", "http_headers"}, stmtKeyval, `{ "X-Team" = "platform", X-Env = 'prod' }`, ""},
		{[]string{"sandbox_workspace_write", "writable_roots"}, stmtKeyval, "", "]\n"},
		{[]string{"history", "since"}, stmtKeyval, "2025-11-03T09:30:00Z", ""},
		{[]string{"history", "prompt_prefix"}, stmtKeyval, "", "\"\"\"\n"},
	}
	for _, tt := range tests {
		st := find(tt.key...)
		if st.kind != tt.kind {
			t.Errorf("%v: kind %d, want %d", tt.key, st.kind, tt.kind)
		}
		if tt.value != "" && input[st.val.start:st.val.end] != tt.value {
			t.Errorf("%v: value %q, want %q", tt.key, input[st.val.start:st.val.end], tt.value)
		}
		if text := input[st.start:st.end]; tt.endsLine != "" && !strings.HasSuffix(text, tt.endsLine) {
			t.Errorf("%v: statement %q does not end with %q", tt.key, text, tt.endsLine)
		}
	}
	if e := find("model_providers", "azure", "http_headers").val.entries; len(e) != 2 || e[0].key[0] != "X-Team" || e[1].key[0] != "X-Env" {
		t.Errorf("inline table entries %+v", e)
	}
}

func TestScanTOMLValues(t *testing.T) {
	t.Parallel()
	for _, v := range []string{
		`"a \" # b"`, `'C:\path'`, `"""a""""`, `'''x''''`, "\"\"\"\nx \\\"\"\" y\n\"\"\"",
		"[1, [2, 3], { a = 1 }]", "[\n  1, # one\n  2,\n]", "{ a = { b = [1] }, 'c d' = 2 }",
		"1979-05-27 07:32:00Z", "1979-05-27", "+inf", "0x_ff", "true",
	} {
		sc := &tomlScanner{s: v + " # trailing\n"}
		n, err := sc.value()
		if err != nil || v[n.start:n.end] != v {
			t.Errorf("value %q: read %q, %v", v, sc.s[n.start:n.end], err)
		}
	}
}
