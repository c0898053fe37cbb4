package proxy

import (
	"io"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/protocol"
)

// A stream is judged at its first event whatever its line ends, without
// waiting for more: an upstream that ends lines with CR alone and keeps the
// connection open must not hold the request until maxPeek or the timeout.
func TestPeekJudgesTheFirstEventOfAnOpenStream(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, stream string
		bad          bool
	}{
		{"an error event, CR line ends", "event: error\rdata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}\r\r", true},
		{"an error in data, CRLF line ends", "data: {\"error\":{\"message\":\"quota\",\"type\":\"insufficient_quota\"}}\r\n\r\n", true},
		{"a chunk, CR line ends, after a keep-alive", ": ping\r\rdata: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\r\r", false},
		{"a chunk, LF line ends", "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			pr, pw := io.Pipe()
			defer pw.Close()
			go pw.Write([]byte(c.stream)) // and nothing more: the stream stays open
			type result struct{ problem, err error }
			done := make(chan result, 1)
			go func() {
				_, _, _, problem, err := peekReply(pr, protocol.OpenAI, true)
				done <- result{problem, err}
			}()
			select {
			case r := <-done:
				if r.err != nil || (r.problem != nil) != c.bad {
					t.Errorf("problem %v, err %v; want a problem: %t", r.problem, r.err, c.bad)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the first event was not judged while the stream stayed open")
			}
		})
	}
}
