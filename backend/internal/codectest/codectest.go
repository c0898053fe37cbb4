// Package codectest holds the harnesses every codec's tests share: golden
// files for fixtures run through a codec, stream decode and encode loops,
// the neutral stream grammar and the fuzz targets, so a change to how
// codecs are tested is made once. Only tests import it; golden files stay
// in each codec's own testdata/.
package codectest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/golden"
	"github.com/routex-app/routex/backend/protocol"
)

// EachFile runs fn, as a parallel subtest, on every file matching pattern
// (a glob whose base is "*" and a suffix, e.g. testdata/streams/*.sse),
// with the file's name less that suffix. No match fails the test, so a
// renamed fixture folder cannot turn a golden test into a silent pass.
func EachFile(t *testing.T, pattern string, fn func(t *testing.T, name string, body []byte)) {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures match %s: %v", pattern, err)
	}
	suffix := strings.TrimPrefix(filepath.Base(pattern), "*")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), suffix)
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

// EachFixture runs fn on every testdata/dir/*.in.json, named without
// .in.json (see EachFile).
func EachFixture(t *testing.T, dir string, fn func(t *testing.T, name string, body []byte)) {
	t.Helper()
	EachFile(t, filepath.Join("testdata", dir, "*.in.json"), fn)
}

// Golden decodes every testdata/dir/*.in.json with decode and checks the
// neutral value against dir/NAME.neutral.json; when encode is not nil it
// also checks the encoded wire body, indented, against dir/NAME.encoded.json.
func Golden[T any](t *testing.T, dir string, decode func([]byte) (T, error), encode func(T) ([]byte, error)) {
	t.Helper()
	EachFixture(t, dir, func(t *testing.T, name string, body []byte) {
		v, err := decode(body)
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, dir+"/"+name+".neutral.json", NeutralJSON(t, v))
		if encode == nil {
			return
		}
		out, err := encode(v)
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, dir+"/"+name+".encoded.json", IndentJSON(t, out))
	})
}

// ReadTestdata returns the file testdata/name.
func ReadTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Pruner says which zero values a golden rendering of neutral values
// leaves out. Every codec's golden files drop null, "", 0, false and empty
// arrays; the two options are where their files, written at different
// times, differ.
type Pruner struct {
	// DropIndex0 leaves out an Index of 0 too; without it Index stays, since
	// block 0 is a block.
	DropIndex0 bool
	// DropEmptyObjects leaves out {} as well (once its own members are
	// pruned).
	DropEmptyObjects bool
}

// Default is the Pruner of the OpenAI and Responses golden files.
var Default = Pruner{}

// NeutralJSON renders a value of the neutral model with Default.
func NeutralJSON(t testing.TB, v any) []byte { t.Helper(); return Default.NeutralJSON(t, v) }

// EventLines renders neutral events with Default.
func EventLines(t testing.TB, evs []protocol.Event) []byte {
	t.Helper()
	return Default.EventLines(t, evs)
}

// NeutralJSON renders a value of the neutral model as indented JSON
// without its zero fields, so golden files show only what is set.
func (p Pruner) NeutralJSON(t testing.TB, v any) []byte {
	t.Helper()
	out, err := json.MarshalIndent(p.Prune(toTree(t, v)), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// EventLines renders neutral events one compact JSON object a line,
// without their zero fields, for golden event sequences.
func (p Pruner) EventLines(t testing.TB, evs []protocol.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, ev := range evs {
		line, err := json.Marshal(p.Prune(toTree(t, ev)))
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// toTree turns v into the generic JSON tree encoding/json would read back.
func toTree(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		t.Fatal(err)
	}
	return tree
}

// Prune removes, in place and recursively, the object members p leaves
// out.
func (p Pruner) Prune(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			val = p.Prune(val)
			if p.isZero(k, val) {
				delete(x, k)
				continue
			}
			x[k] = val
		}
		return x
	case []any:
		for i := range x {
			x[i] = p.Prune(x[i])
		}
	}
	return v
}

func (p Pruner) isZero(key string, v any) bool {
	switch z := v.(type) {
	case nil:
		return true
	case string:
		return z == ""
	case float64:
		return z == 0 && (key != "Index" || p.DropIndex0)
	case bool:
		return !z
	case []any:
		return len(z) == 0
	case map[string]any:
		return len(z) == 0 && p.DropEmptyObjects
	}
	return false
}

// IndentJSON pretty-prints a wire body for a golden file, so diffs are
// readable.
func IndentJSON(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// ReadSSE reads every event of an SSE text, up to the first read error.
func ReadSSE(t testing.TB, text string) []protocol.SSEEvent {
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

// DecodeSSE runs a whole SSE text through a fresh stream decoder of c,
// Finish included, and returns the first read or decode error.
func DecodeSSE(c protocol.Codec, text []byte) ([]protocol.Event, error) {
	r := protocol.NewSSEReader(bytes.NewReader(text))
	d := c.NewStreamDecoder()
	var out []protocol.Event
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, err
		}
		evs, err := d.Decode(ev)
		if err != nil {
			return out, fmt.Errorf("decode %s: %w", ev.Data, err)
		}
		out = append(out, evs...)
	}
	return append(out, d.Finish()...), nil
}

// DecodeStream is DecodeSSE that fails the test on an error.
func DecodeStream(t testing.TB, c protocol.Codec, text string) []protocol.Event {
	t.Helper()
	evs, err := DecodeSSE(c, []byte(text))
	if err != nil {
		t.Fatalf("decode stream: %v", err)
	}
	return evs
}

// EncodeStream writes events through a fresh stream encoder of c.
func EncodeStream(c protocol.Codec, opts protocol.EncodeOptions, evs []protocol.Event) []byte {
	enc := c.NewStreamEncoder(opts)
	var out []byte
	for _, ev := range evs {
		out = enc.Encode(out, ev)
	}
	return out
}

// Ptr returns a pointer to a copy of v, for optional fields in test values.
func Ptr[T any](v T) *T { return &v }
