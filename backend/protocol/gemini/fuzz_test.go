package gemini

import (
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// FuzzDecodeRequest checks that no client body makes the decoder, or the
// encoder fed with what it decoded, panic.
func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range []string{
		`{"contents":[{"parts":[{"text":"hi"}]}]}`,
		`{"systemInstruction":{"parts":[{"text":"s"}]},"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"output":"x"},"parts":[{"inlineData":{"mimeType":"image/png","data":"AA"}}]}}]}]}`,
		`{"contents":[],"tools":[{"functionDeclarations":[{"name":"f","parameters":{"type":"OBJECT","properties":{"a":{"type":"STRING","nullable":true}}}}]}],"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["f"]}}}`,
		`{"contents":[{"parts":[{"text":"x","thought":true,"thoughtSignature":"s"}]}],"generationConfig":{"thinkingConfig":{"thinkingBudget":-1}}}`,
		`{"contents":[{"parts":[{"functionResponse":{"id":"zz","response":5}}]}]}`,
		`[]`, `{`, `null`,
	} {
		f.Add([]byte(seed))
	}
	codectest.FuzzRequest(f, Codec{}, protocol.EncodeOptions{Model: "gemini-3-pro-preview"})
}

// FuzzStreamDecoder checks that no upstream chunk sequence makes the stream
// decoder panic, and that what it emits encodes without panicking too.
func FuzzStreamDecoder(f *testing.F) {
	for _, s := range geminiStreams {
		f.Add([]byte(s.sse))
	}
	f.Add([]byte("data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":[1]}}]}}]}\n\n"))
	f.Add([]byte("data: {\"promptFeedback\":{\"blockReason\":\"SAFETY\"}}\n\n"))
	codectest.FuzzStream(f, Codec{}, protocol.EncodeOptions{Model: "m"})
}

// FuzzSchema checks that schema cleaning survives any JSON.
func FuzzSchema(f *testing.F) {
	f.Add([]byte(`{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"allOf":[{"$ref":"#/$defs/A"}]}}}`))
	f.Add([]byte(`{"anyOf":[{"type":["null"]},{"const":null}],"items":[true]}`))
	f.Fuzz(func(t *testing.T, schema []byte) {
		_, _ = CleanSchema(schema)
		_, _ = toJSONSchema(schema)
	})
}
