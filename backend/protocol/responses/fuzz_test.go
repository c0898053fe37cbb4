package responses

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// FuzzDecodeRequest checks that no request body makes the decoder panic,
// and that whatever decodes also encodes.
func FuzzDecodeRequest(f *testing.F) {
	codectest.AddFiles(f, "testdata/requests/*.in.json")
	f.Add([]byte(`{"model":"m","input":[{"type":"reasoning","encrypted_content":"routex:redacted:"}],"tools":[{"type":"custom","name":"x","format":7}]}`))
	codectest.FuzzRequest(f, Codec{}, protocol.EncodeOptions{Model: "gpt-5"})
}

// FuzzStreamDecoder feeds arbitrary event data and checks nothing panics
// and the events encode for a client.
func FuzzStreamDecoder(f *testing.F) {
	codectest.AddFiles(f, "testdata/streams/*.sse")
	f.Add([]byte("data: {\"type\":\"response.output_item.done\",\"output_index\":-3,\"item\":{\"type\":\"reasoning\",\"encrypted_content\":\"routex:redacted:x\"}}\n\n"))
	codectest.FuzzStream(f, Codec{}, protocol.EncodeOptions{FreeformTools: []string{"apply_patch"}})
}

// FuzzDecodeResponse checks that no upstream reply makes the decoder panic.
func FuzzDecodeResponse(f *testing.F) {
	codectest.AddFiles(f, "testdata/responses/*.in.json")
	codectest.FuzzResponse(f, Codec{}, protocol.EncodeOptions{FreeformTools: []string{"f"}})
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
