package protocol

import (
	"bytes"
	"strings"
	"testing"
)

// split feeds chunks to a splitter and returns its events as
// "event|data"; each chunk is overwritten after its Write, as a relay
// reuses its buffer, so an event kept across writes must have been copied.
func split(s *SSESplitter, chunks ...string) []string {
	var out []string
	emit := func(f SSEFields) { out = append(out, string(f.Event)+"|"+string(f.Data)) }
	for _, c := range chunks {
		buf := []byte(c)
		s.Write(buf, emit)
		for i := range buf {
			buf[i] = '#'
		}
	}
	s.Flush(emit)
	return out
}

func TestSSESplitterCutAnywhere(t *testing.T) {
	t.Parallel()
	for _, c := range sseCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			want := strings.Join(c.want, "\x00")
			for i := 0; i <= len(c.in); i++ {
				for j := i; j <= len(c.in); j++ {
					got := split(&SSESplitter{}, c.in[:i], c.in[i:j], c.in[j:])
					if s := strings.Join(got, "\x00"); s != want {
						t.Fatalf("cut at %d and %d: events %q, want %q", i, j, got, c.want)
					}
				}
			}
			var bytewise []string
			for i := range len(c.in) {
				bytewise = append(bytewise, c.in[i:i+1])
			}
			if got := strings.Join(split(&SSESplitter{}, bytewise...), "\x00"); got != want {
				t.Fatalf("byte by byte: events %q, want %q", got, c.want)
			}
		})
	}
}

func TestSSESplitterSkip(t *testing.T) {
	t.Parallel()
	var asked []string
	s := &SSESplitter{Skip: func(name []byte) bool {
		asked = append(asked, string(name))
		return bytes.HasPrefix(name, []byte("content_"))
	}}
	got := split(s, "event: message_start\ndata: 1\n\nevent: content_block_delta\ndata: 2\n\n",
		"event: content_block_delta\ndata: 3\n\nevent: message_delta\ndata: 4\n\n")
	if strings.Join(got, ",") != "message_start|1,message_delta|4" {
		t.Fatalf("events %q, want the two message events only", got)
	}
	if strings.Join(asked, ",") != "message_start,content_block_delta,content_block_delta,message_delta" {
		t.Fatalf("Skip asked about %q", asked)
	}
}

func TestSSESplitterTooLong(t *testing.T) {
	t.Parallel()
	long := "data: " + strings.Repeat("a", 64) + "\n\n"
	for _, chunks := range [][]string{{long}, {long[:10], long[10:]}, {"data: x\n", long[6:]}} {
		s := &SSESplitter{MaxLine: 32}
		got := split(s, append(chunks, "data: ok\n\n")...)
		if strings.Join(got, ",") != "|ok" || !s.TooLong() {
			t.Fatalf("chunks %q: events %q, TooLong %v; want the long event dropped and the next one read",
				chunks, got, s.TooLong())
		}
		if len(s.line) > 32 || len(s.data) > 32 {
			t.Fatalf("chunks %q: kept %d line and %d data bytes, over MaxLine", chunks, len(s.line), len(s.data))
		}
	}
}

func FuzzSSESplitter(f *testing.F) {
	for _, c := range sseCases {
		f.Add([]byte(c.in), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, cut uint8) {
		whole := split(&SSESplitter{}, string(in))
		at := min(int(cut), len(in))
		if got := split(&SSESplitter{}, string(in[:at]), string(in[at:])); strings.Join(got, "\x00") != strings.Join(whole, "\x00") {
			t.Fatalf("cut at %d: %q, whole: %q", at, got, whole)
		}
	})
}
