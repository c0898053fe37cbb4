package openai

import (
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// FuzzDecodeRequest checks that no request body makes the decoder panic,
// and that whatever decodes also encodes.
func FuzzDecodeRequest(f *testing.F) {
	codectest.AddFiles(f, "testdata/requests/*.in.json")
	f.Add([]byte(`{"messages":[{"role":"tool","tool_call_id":"x","content":[{"type":"text","text":"t"}]}]}`))
	f.Add([]byte(`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":"data:image/png;base64,AA=="}]}],"stop":["a"]}`))
	codectest.FuzzRequest(f, Codec{}, protocol.EncodeOptions{Model: "deepseek-reasoner"})
}

// FuzzStreamDecoder feeds arbitrary chunk data, split into events at blank
// lines, and checks nothing panics and the events stay well-formed enough
// to encode.
func FuzzStreamDecoder(f *testing.F) {
	codectest.AddFiles(f, "testdata/streams/*.sse")
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":-1,\"function\":{\"arguments\":{}}}]}}]}\n\n"))
	codectest.FuzzStream(f, Codec{}, protocol.EncodeOptions{IncludeUsage: true})
}

// FuzzDecodeResponse checks that no upstream reply makes the decoder panic.
func FuzzDecodeResponse(f *testing.F) {
	codectest.AddFiles(f, "testdata/responses/*.in.json")
	codectest.FuzzResponse(f, Codec{}, protocol.EncodeOptions{})
}
