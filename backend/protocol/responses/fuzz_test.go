package responses

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/routex-app/routex/backend/protocol"
)

// FuzzDecodeRequest checks that no request body makes the decoder panic,
// and that whatever decodes also encodes.
func FuzzDecodeRequest(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/requests/*.in.json")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"model":"m","input":[{"type":"reasoning","encrypted_content":"routex:redacted:"}],"tools":[{"type":"custom","name":"x","format":7}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := Codec{}.DecodeRequest(body)
		if err != nil {
			return
		}
		_, _ = Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: "gpt-5"})
	})
}

// FuzzStreamDecoder feeds arbitrary event data and checks nothing panics
// and the events encode for a client.
func FuzzStreamDecoder(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/streams/*.sse")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("data: {\"type\":\"response.output_item.done\",\"output_index\":-3,\"item\":{\"type\":\"reasoning\",\"encrypted_content\":\"routex:redacted:x\"}}\n\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		d := Codec{}.NewStreamDecoder()
		enc := Codec{}.NewStreamEncoder(protocol.EncodeOptions{FreeformTools: []string{"apply_patch"}})
		var out []byte
		for _, ev := range readSSE(t, string(text)) {
			evs, err := d.Decode(ev)
			if err != nil {
				continue
			}
			for _, e := range evs {
				out = enc.Encode(out, e)
			}
		}
		for _, e := range d.Finish() {
			out = enc.Encode(out, e)
		}
	})
}

// FuzzDecodeResponse checks that no upstream reply makes the decoder panic.
func FuzzDecodeResponse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/responses/*.in.json")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := Codec{}.DecodeResponse(body)
		if err != nil {
			return
		}
		_, _ = Codec{}.EncodeResponse(resp, protocol.EncodeOptions{FreeformTools: []string{"f"}})
	})
}

// FuzzFreeformStream checks that a free-text call unwrapped piece by piece
// is exactly the text that was wrapped, wherever the pieces split.
func FuzzFreeformStream(f *testing.F) {
	f.Add("*** Begin Patch\n+\"quoted\" \\ é 😀\t\x01", uint8(3))
	f.Add("", uint8(1))
	f.Fuzz(func(t *testing.T, text string, step uint8) {
		text = strings.ToValidUTF8(text, "\uFFFD")
		wrapped := string(protocol.FreeformInput(text))
		n := int(step%7) + 1
		var ff freeformStream
		var got strings.Builder
		for i := 0; i < len(wrapped); i += n {
			piece := ff.feed(wrapped[i:min(i+n, len(wrapped))])
			if !utf8.ValidString(piece) {
				t.Fatalf("piece %q is not valid UTF-8", piece)
			}
			got.WriteString(piece)
		}
		rest, whole := ff.finish()
		got.WriteString(rest)
		if got.String() != text || whole != text {
			t.Fatalf("unwrapped %q (whole %q), want %q", got.String(), whole, text)
		}
	})
}
