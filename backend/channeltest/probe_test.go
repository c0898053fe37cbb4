package channeltest

import (
	"strings"
	"testing"
)

// readEvents splits a stream as the proxy does (protocol.SSEReader): CR
// line ends, comments and events without data say nothing, and the first
// event with data starts the clock once.
func TestReadEventsSplitsAsTheProxyDoes(t *testing.T) {
	t.Parallel()
	stream := "event: ping\r\r: keep-alive\r\rdata: {\"a\":1}\r\rdata: {\"b\":\r\ndata: 2}\r\n\r\ndata: [DONE]"
	firsts := 0
	got, err := readEvents(strings.NewReader(stream), func() { firsts++ })
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\"a\":1}\n{\"b\":\n2}\n[DONE]\n"; string(got) != want {
		t.Errorf("readEvents = %q, want %q", got, want)
	}
	if firsts != 1 {
		t.Errorf("first was called %d times, want once", firsts)
	}
}
