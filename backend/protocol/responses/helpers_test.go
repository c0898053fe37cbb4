package responses

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/golden"
	"github.com/routex-app/routex/backend/protocol"
)

// checkGolden compares got with testdata/name, or rewrites it under -update.
func checkGolden(t *testing.T, name string, got []byte) { t.Helper(); golden.Check(t, name, got) }

var createdRE = regexp.MustCompile(`"created_at":\d+`)

// stable replaces the creation time, the one thing that changes between
// runs.
func stable(b []byte) []byte { return createdRE.ReplaceAll(b, []byte(`"created_at":0`)) }

// neutralJSON renders a value of the neutral model as indented JSON
// without its zero fields, so golden files show only what is set.
func neutralJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(pruneZero(tree), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// eventLines renders events one per line for golden event sequences.
func eventLines(t *testing.T, evs []protocol.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, ev := range evs {
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var tree any
		if err := json.Unmarshal(b, &tree); err != nil {
			t.Fatal(err)
		}
		line, _ := json.Marshal(pruneZero(tree))
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func pruneZero(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			val = pruneZero(val)
			switch z := val.(type) {
			case nil:
				delete(x, k)
				continue
			case string:
				if z == "" {
					delete(x, k)
					continue
				}
			case float64:
				if z == 0 && k != "Index" {
					delete(x, k)
					continue
				}
			case bool:
				if !z {
					delete(x, k)
					continue
				}
			case []any:
				if len(z) == 0 {
					delete(x, k)
					continue
				}
			}
			x[k] = val
		}
		return x
	case []any:
		for i := range x {
			x[i] = pruneZero(x[i])
		}
	}
	return v
}

// indentJSON pretty-prints a wire body for a golden file.
func indentJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// readSSE reads every event of an SSE text.
func readSSE(t testing.TB, text string) []protocol.SSEEvent {
	t.Helper()
	r := protocol.NewSSEReader(strings.NewReader(text))
	var out []protocol.SSEEvent
	for {
		ev, err := r.Next()
		if err != nil {
			return out
		}
		out = append(out, ev)
	}
}

// decodeStream runs a whole SSE text through a stream decoder, Finish
// included.
func decodeStream(t testing.TB, text string) []protocol.Event {
	t.Helper()
	d := Codec{}.NewStreamDecoder()
	var out []protocol.Event
	for _, ev := range readSSE(t, text) {
		evs, err := d.Decode(ev)
		if err != nil {
			t.Fatalf("Decode(%s): %v", ev.Data, err)
		}
		out = append(out, evs...)
	}
	return append(out, d.Finish()...)
}

// encodeStream writes events as a client stream.
func encodeStream(evs []protocol.Event, opts protocol.EncodeOptions) []byte {
	enc := Codec{}.NewStreamEncoder(opts)
	var out []byte
	for _, ev := range evs {
		out = enc.Encode(out, ev)
	}
	return stable(out)
}

// eachFixture runs fn, as a parallel subtest, on every testdata/dir/*.in.json
// with its name (the file name without .in.json).
func eachFixture(t *testing.T, dir string, fn func(t *testing.T, name string, body []byte)) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.in.json"))
	if len(files) == 0 {
		t.Fatalf("no fixtures in testdata/%s", dir)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".in.json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fn(t, name, body)
		})
	}
}

func ptr[T any](v T) *T { return &v }
