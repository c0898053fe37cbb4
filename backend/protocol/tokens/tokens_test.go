package tokens

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

func TestCountUsesTheTokenizer(t *testing.T) {
	t.Parallel()
	if got := Count("hello world"); got != 2 {
		t.Fatalf(`Count("hello world") = %d, want 2 (o200k)`, got)
	}
	long := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 100)
	if got := Count(long); got < 900 || got > 1100 {
		t.Fatalf("Count(100 sentences) = %d, want about 1000", got)
	}
	if Count("") != 0 {
		t.Fatal("empty text has no tokens")
	}
}

func TestRequestCountsEveryPart(t *testing.T) {
	t.Parallel()
	text := &protocol.Request{Messages: []protocol.Message{{Role: protocol.RoleUser,
		Content: []protocol.Block{{Type: protocol.BlockText, Text: "say hi"}}}}}
	base := Request(text)
	if base <= 0 {
		t.Fatalf("a non-empty prompt estimated at %d", base)
	}
	withAll := &protocol.Request{
		System:   []protocol.Block{{Type: protocol.BlockText, Text: "You are a coding assistant."}},
		Messages: append(text.Messages, protocol.Message{Role: protocol.RoleAssistant, Content: []protocol.Block{{Type: protocol.BlockImage}}}),
		Tools:    []protocol.Tool{{Name: "Bash", Description: "Run a command", Schema: json.RawMessage(`{"type":"object"}`)}},
	}
	if got := Request(withAll); got <= base+perImage {
		t.Fatalf("system, image and tool were not counted: %d vs base %d", got, base)
	}
	empty := &protocol.Request{Messages: []protocol.Message{{Role: protocol.RoleUser}}}
	if Request(empty) == 0 {
		t.Fatal("a request with a message must never estimate 0")
	}
}

func TestQuickStaysNearTheTokenizer(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"english prose": strings.Repeat("The quick brown fox jumps over the lazy dog. ", 50),
		"go code":       strings.Repeat("func main() { fmt.Println(\"hello\", x[i]) }\n", 50),
		"chinese":       strings.Repeat("请帮我重构这个函数，并添加单元测试。", 50),
	}
	for name, s := range cases {
		exact, quick := Count(s), Quick(s)
		if ratio := float64(quick) / float64(exact); ratio < 0.6 || ratio > 1.8 {
			t.Errorf("%s: Quick %d vs Count %d (ratio %.2f)", name, quick, exact, ratio)
		}
	}
}

func BenchmarkQuick(b *testing.B) {
	s := strings.Repeat("func main() { fmt.Println(\"hello\") }\n", 1000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Quick(s)
	}
}

func BenchmarkCount(b *testing.B) {
	s := strings.Repeat("func main() { fmt.Println(\"hello\") }\n", 1000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Count(s)
	}
}
