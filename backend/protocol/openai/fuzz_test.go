package openai

import (
	"os"
	"path/filepath"
	"testing"

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
	f.Add([]byte(`{"messages":[{"role":"tool","tool_call_id":"x","content":[{"type":"text","text":"t"}]}]}`))
	f.Add([]byte(`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":"data:image/png;base64,AA=="}]}],"stop":["a"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := Codec{}.DecodeRequest(body)
		if err != nil {
			return
		}
		_, _ = Codec{}.EncodeRequest(req, protocol.EncodeOptions{Model: "deepseek-reasoner"})
	})
}

// FuzzStreamDecoder feeds arbitrary chunk data, split into events at blank
// lines, and checks nothing panics and the events stay well-formed enough
// to encode.
func FuzzStreamDecoder(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/streams/*.sse")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":-1,\"function\":{\"arguments\":{}}}]}}]}\n\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		d := Codec{}.NewStreamDecoder()
		enc := Codec{}.NewStreamEncoder(protocol.EncodeOptions{IncludeUsage: true})
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
		_, _ = Codec{}.EncodeResponse(resp, protocol.EncodeOptions{})
	})
}
