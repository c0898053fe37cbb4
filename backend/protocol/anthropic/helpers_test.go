package anthropic

import (
	"bytes"
	"encoding/json"
	"testing"

	goldenfile "github.com/routex-app/routex/backend/internal/golden"

	"github.com/routex-app/routex/backend/protocol"
)

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) { t.Helper(); goldenfile.Check(t, name, got) }

// marshalIndent renders a neutral value for a golden file.
func marshalIndent(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// eventLines renders neutral events one JSON object a line.
func eventLines(t *testing.T, events []protocol.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, ev := range events {
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		dropZero(m)
		if ev.Type == protocol.EventBlockStart || ev.Type == protocol.EventDelta || ev.Type == protocol.EventBlockStop {
			m["Index"] = ev.Index
		}
		if b, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// mustDecode decodes a request body or fails the test.
func mustDecode(t *testing.T, body string) *protocol.Request {
	t.Helper()
	req, err := Codec{}.DecodeRequest([]byte(body))
	if err != nil {
		t.Fatalf("DecodeRequest: %v", err)
	}
	return req
}

// mustEncode encodes a request and parses the result into a map.
func mustEncode(t *testing.T, req *protocol.Request) map[string]any {
	t.Helper()
	b, err := Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: "claude-sonnet-4-5"})
	if err != nil {
		t.Fatalf("EncodeRequest: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("encoded request is not JSON: %v\n%s", err, b)
	}
	return m
}

func ptr[T any](v T) *T { return &v }

// dropZero removes zero values from a decoded JSON object, recursively, so
// golden event lines show only what is set.
func dropZero(m map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			delete(m, k)
		case string:
			if x == "" {
				delete(m, k)
			}
		case float64:
			if x == 0 {
				delete(m, k)
			}
		case bool:
			if !x {
				delete(m, k)
			}
		case map[string]any:
			dropZero(x)
		}
	}
}
