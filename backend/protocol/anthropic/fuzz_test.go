package anthropic

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// FuzzDecodeRequest checks that no request body makes DecodeRequest or
// EncodeRequest panic.
func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
	f.Add([]byte(`{"model":"m","system":[{"type":"text","text":"s"}],"messages":[{"role":"system","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"a.b","name":"n","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"a.b","content":[{"type":"image","source":{"type":"url","url":"u"}}]}]}],"thinking":{"type":"enabled","budget_tokens":99999},"max_tokens":10,"tool_choice":{"type":"any"}}`))
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"x"}}]}],"tools":[{"type":"web_search_20250305","name":"w"}]}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"messages":5}`))
	codectest.FuzzRequest(f, Codec{}, protocol.EncodeOptions{Model: "m"})
}

// FuzzStreamDecoder checks that no upstream stream makes the decoder or,
// fed what it decoded, the encoder panic, and that what the encoder
// writes is a valid stream whenever the decoder accepted the input.
func FuzzStreamDecoder(f *testing.F) {
	for _, name := range []string{"text.sse", "tools.sse", "server_tools.sse", "error_midstream.sse", "early_end.sse"} {
		f.Add(codectest.ReadTestdata(f, name))
	}
	f.Add([]byte("data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"))
	f.Add([]byte("event: message_delta\ndata: {}\n\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		r := protocol.NewSSEReader(bytes.NewReader(text))
		d := Codec{}.NewStreamDecoder()
		e := Codec{}.NewStreamEncoder(protocol.EncodeOptions{Model: "m", EstimatedInputTokens: 1})
		var wire []byte
		for {
			ev, err := r.Next()
			if errors.Is(err, io.EOF) || err != nil {
				break
			}
			evs, err := d.Decode(ev)
			if err != nil {
				return
			}
			for _, x := range evs {
				wire = e.Encode(wire, x)
			}
		}
		for _, x := range d.Finish() {
			wire = e.Encode(wire, x)
		}
		again, err := codectest.DecodeSSE(Codec{}, wire)
		if err != nil {
			t.Fatalf("encoder output does not decode: %v\n%s", err, wire)
		}
		if err := ValidateStream(again); err != nil {
			t.Fatalf("encoder output is not a valid stream: %v\n%s", err, wire)
		}
	})
}
