package protocol

import (
	"encoding/json"
	"testing"
)

func TestRepairJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{"an empty string is a call without arguments", "", `{}`, true},
		{"a valid object passes unchanged", `{"a":1,"b":[1,2]}`, `{"a":1,"b":[1,2]}`, true},
		{"a trailing comma in an object is removed", `{"a":1,}`, `{"a":1}`, true},
		{"a trailing comma in an array is removed", `{"a":[1,2,],}`, `{"a":[1,2]}`, true},
		{"unquoted keys are quoted", `{path: "/tmp", limit: 3}`, `{"path": "/tmp", "limit": 3}`, true},
		{"single quotes become double quotes", `{'cmd': 'echo "hi" it\'s'}`, `{"cmd": "echo \"hi\" it's"}`, true},
		{"python literals become JSON ones", `{"a": True, "b": None, "c": False}`, `{"a": true, "b": null, "c": false}`, true},
		{"a string cut short is closed", `{"command": "ls -l`, `{"command": "ls -l"}`, true},
		{"nested containers cut short are closed", `{"a": {"b": [1, 2`, `{"a": {"b": [1, 2]}}`, true},
		{"a key cut short gets a null value", `{"a": 1, "b`, `{"a": 1, "b":null}`, true},
		{"a key without its value gets null", `{"a": 1, "b":`, `{"a": 1, "b":null}`, true},
		{"a literal cut short is completed", `{"a": tr`, `{"a": true}`, true},
		{"a number cut short is trimmed", `{"a": 1.`, `{"a": 1}`, true},
		{"a trailing backslash is dropped", `{"a": "x\`, `{"a": "x"}`, true},
		{"raw newlines in strings are escaped", "{\"a\": \"x\ny\"}", `{"a": "x\ny"}`, true},
		{"a double-encoded object is unwrapped", `"{\"a\":1}"`, `{"a":1}`, true},
		{"prose before the object is skipped", "```json\n{\"a\":1}\n```", `{"a":1}`, true},
		{"an extra closing brace is ignored", `{"a":1}}`, `{"a":1}`, true},
		{"plain text is hopeless", `run the tests`, `{}`, false},
		{"an array is not an object", `[1,2]`, `{}`, false},
		{"a number is not an object", `42`, `{}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, ok := RepairJSON(c.in)
			if string(got) != c.want || ok != c.ok {
				t.Errorf("RepairJSON(%q) = %s, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
			}
			if !json.Valid(got) {
				t.Errorf("RepairJSON(%q) returned invalid JSON %s", c.in, got)
			}
		})
	}
}

func FuzzRepairJSON(f *testing.F) {
	for _, s := range []string{`{"a":1,}`, `{a:'b'`, `{"x": [1, {"y": "z`, `"{}"`, `{\u12`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := RepairJSON(s)
		if !json.Valid(got) {
			t.Fatalf("RepairJSON(%q) = %s (ok=%v): invalid JSON", s, got, ok)
		}
		if got[0] != '{' {
			t.Fatalf("RepairJSON(%q) = %s: not an object", s, got)
		}
	})
}
