package responses

import (
	"regexp"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

var createdRE = regexp.MustCompile(`"created_at":\d+`)

// stable replaces the creation time, the one thing that changes between
// runs.
func stable(b []byte) []byte { return createdRE.ReplaceAll(b, []byte(`"created_at":0`)) }

// decodeStream runs a whole SSE text through a stream decoder, Finish
// included.
func decodeStream(t testing.TB, text string) []protocol.Event {
	t.Helper()
	return codectest.DecodeStream(t, Codec{}, text)
}

// encodeStream writes events as a client stream with a fixed creation time.
func encodeStream(evs []protocol.Event, opts protocol.EncodeOptions) []byte {
	return stable(codectest.EncodeStream(Codec{}, opts, evs))
}
