package codectest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// AddFiles adds every file matching pattern to f's seed corpus.
func AddFiles(f *testing.F, pattern string) {
	f.Helper()
	files, _ := filepath.Glob(pattern)
	for _, s := range files {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
}

// FuzzRequest checks that no request body makes c's decoder panic, and
// that whatever decodes also encodes with opts without panicking.
func FuzzRequest(f *testing.F, c protocol.Codec, opts protocol.EncodeOptions) {
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := c.DecodeRequest(body)
		if err != nil {
			return
		}
		_, _ = c.EncodeRequest(req, opts)
	})
}

// FuzzResponse checks that no upstream reply makes c's decoder panic, and
// that whatever decodes also encodes with opts without panicking.
func FuzzResponse(f *testing.F, c protocol.Codec, opts protocol.EncodeOptions) {
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := c.DecodeResponse(body)
		if err != nil {
			return
		}
		_, _ = c.EncodeResponse(resp, opts)
	})
}

// FuzzStream feeds arbitrary SSE text to c's stream decoder, skipping the
// events it refuses, and encodes what it emits (Finish included) with opts:
// neither may panic.
func FuzzStream(f *testing.F, c protocol.Codec, opts protocol.EncodeOptions) {
	f.Fuzz(func(t *testing.T, text []byte) {
		d := c.NewStreamDecoder()
		enc := c.NewStreamEncoder(opts)
		var out []byte
		for _, ev := range ReadSSE(t, string(text)) {
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
