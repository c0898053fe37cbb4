package protocol

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, in string) []SSEEvent {
	t.Helper()
	r := NewSSEReader(strings.NewReader(in))
	var out []SSEEvent
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, ev)
	}
}

// sseCases are streams and the events they hold, as "event|data".
var sseCases = []struct {
	name string
	in   string
	want []string
}{
	{"anthropic events", "event: message_start\ndata: {\"a\":1}\n\nevent: ping\ndata: {}\n\n",
		[]string{"message_start|{\"a\":1}", "ping|{}"}},
	{"openai chunks and done", "data: {\"x\":1}\n\ndata: [DONE]\n\n", []string{"|{\"x\":1}", "|[DONE]"}},
	{"crlf line ends", "event: a\r\ndata: 1\r\n\r\n", []string{"a|1"}},
	{"lone cr line ends", "data: 1\r\rdata: 2\r\r", []string{"|1", "|2"}},
	{"comments are skipped", ": keep-alive\n\ndata: 1\n\n", []string{"|1"}},
	{"multi-line data is joined", "data: a\ndata: b\n\n", []string{"|a\nb"}},
	{"no space after the colon", "data:x\n\n", []string{"|x"}},
	{"a last event without its blank line", "data: [DONE]", []string{"|[DONE]"}},
	{"blank lines between events", "\n\n\ndata: 1\n\n\n\n", []string{"|1"}},
	{"several events in one read after finish_reason", "data: {\"finish_reason\":\"stop\"}\n\ndata: {\"usage\":{}}\n\ndata: [DONE]\n\n",
		[]string{"|{\"finish_reason\":\"stop\"}", "|{\"usage\":{}}", "|[DONE]"}},
	{"an event with a name and no data", "event: ping\n\ndata: 1\n\n", []string{"ping|", "|1"}},
	{"an id line is kept apart", "id: 7\ndata: 1\n\n", []string{"|1"}},
	{"crlf and lf mixed", "data: a\r\ndata: b\n\r\ndata: c\r\r", []string{"|a\nb", "|c"}},
}

func TestSSEReader(t *testing.T) {
	t.Parallel()
	for _, c := range sseCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := readAll(t, c.in)
			if len(got) != len(c.want) {
				t.Fatalf("got %d events %q, want %d", len(got), got, len(c.want))
			}
			for i, ev := range got {
				if s := ev.Event + "|" + string(ev.Data); s != c.want[i] {
					t.Errorf("event %d = %q, want %q", i, s, c.want[i])
				}
			}
		})
	}
}

func TestAppendSSERoundTrips(t *testing.T) {
	t.Parallel()
	wire := string(AppendSSE(nil, "content_block_delta", []byte("line1\nline2")))
	if wire != "event: content_block_delta\ndata: line1\ndata: line2\n\n" {
		t.Fatalf("wire = %q", wire)
	}
	got := readAll(t, wire+string(AppendSSE(nil, "", []byte("[DONE]"))))
	if len(got) != 2 || string(got[0].Data) != "line1\nline2" || string(got[1].Data) != "[DONE]" {
		t.Fatalf("round trip = %q", got)
	}
}

func FuzzSSEReader(f *testing.F) {
	for _, s := range []string{"event: a\ndata: b\n\n", "data: [DONE]", "\r\n:\r\ndata:\r\r", "data: x\ndata: y\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewSSEReader(strings.NewReader(string(in)))
		for range len(in) + 2 {
			if _, err := r.Next(); err != nil {
				return
			}
		}
		t.Fatal("reader returned more events than input bytes")
	})
}
