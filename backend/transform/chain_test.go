package transform

import (
	"net/http"
	"slices"
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// recorder is a fake step with every capability, written to show the
// order in which a chain runs its steps: each call appends the step's
// label to a log the test reads. The built-ins cannot show it, since most
// of them commute.
type recorder struct {
	label string
	log   *[]string
}

func (r recorder) name() string                { return r.label }
func (r recorder) request(*protocol.Request)   { *r.log = append(*r.log, "request "+r.label) }
func (r recorder) response(*protocol.Response) { *r.log = append(*r.log, "response "+r.label) }
func (r recorder) headers(http.Header)         { *r.log = append(*r.log, "headers "+r.label) }
func (r recorder) newStreamer() streamer       { return r }
func (r recorder) body(_ protocol.Format, b []byte) ([]byte, error) {
	*r.log = append(*r.log, "body "+r.label)
	return b, nil
}
func (r recorder) push(ev protocol.Event, out []protocol.Event) []protocol.Event {
	*r.log = append(*r.log, "event "+r.label)
	return append(out, ev)
}

func TestChainOrder(t *testing.T) {
	t.Parallel()
	var log []string
	c := newChain([]step{recorder{"a", &log}, recorder{"b", &log}, recorder{"c", &log}})
	c.Request(&protocol.Request{})
	_, _ = c.Body(protocol.OpenAI, []byte(`{}`))
	c.Headers(http.Header{})
	c.Response(&protocol.Response{})
	c.NewStream().Event(protocol.Event{Type: protocol.EventPing})
	want := []string{
		"request a", "request b", "request c",
		"body a", "body b", "body c",
		"headers a", "headers b", "headers c",
		"response c", "response b", "response a",
		"event c", "event b", "event a",
	}
	if !slices.Equal(log, want) {
		t.Errorf("order =\n%q\nwant\n%q", log, want)
	}
}

func TestBuiltinOrderIsVisible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, config string
		want         float64
	}{
		{"the later sampling step wins on the request", `[["sampling", {"temperature": 0.1}], ["sampling", {"temperature": 0.2}]]`, 0.2},
		{"reversed, the other one wins", `[["sampling", {"temperature": 0.2}], ["sampling", {"temperature": 0.1}]]`, 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var req protocol.Request
			mustChain(t, tt.config, "m").Request(&req)
			if *req.Temperature != tt.want {
				t.Errorf("temperature = %v, want %v", *req.Temperature, tt.want)
			}
		})
	}
}

func TestModelGroups(t *testing.T) {
	t.Parallel()
	config := `["cleancache",
		{"models": ["deepseek-reasoner", "glm-*"], "use": ["reasoning", ["maxtoken", {"max_tokens": 8192}]]},
		"toolrepair",
		{"models": ["GLM-4.6"], "use": ["tooluse"]}]`
	p, err := Parse([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, model string
		want        []string
	}{
		{"a model no group names gets the unscoped steps", "gpt-4o", []string{"cleancache", "toolrepair"}},
		{"an exact name brings its group in place", "deepseek-reasoner", []string{"cleancache", "reasoning", "maxtoken", "toolrepair"}},
		{"a glob matches", "glm-4.5-air", []string{"cleancache", "reasoning", "maxtoken", "toolrepair"}},
		{"two groups can match, case ignored", "glm-4.6", []string{"cleancache", "reasoning", "maxtoken", "toolrepair", "tooluse"}},
		{"an empty model matches no group", "", []string{"cleancache", "toolrepair"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := p.For(tt.model).Names(); !slices.Equal(got, tt.want) {
				t.Errorf("For(%q) = %q, want %q", tt.model, got, tt.want)
			}
		})
	}
}

func TestNeedsDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, config string
		want         bool
	}{
		{"an empty pipeline does not", `[]`, false},
		{"body and header steps do not", `["streamoptions", ["customparams", {"params": {"a": 1}}], ["headers", {"remove": ["a"]}]]`, false},
		{"a request step does", `["cleancache"]`, true},
		{"a response step does", `["toolrepair"]`, true},
		{"a group step does only for its models", `[{"models": ["other"], "use": ["tooluse"]}]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mustChain(t, tt.config, "m").NeedsDecode(); got != tt.want {
				t.Errorf("NeedsDecode() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNilPipelineIsANoOp(t *testing.T) {
	t.Parallel()
	var p *Pipeline
	c := p.For("m")
	if !p.Empty() || !c.Empty() || c.NeedsDecode() || c.Names() != nil {
		t.Fatal("nil pipeline or chain is not empty")
	}
	req := protocol.Request{MaxTokens: 5}
	c.Request(&req)
	body := []byte(`{"stream":true}`)
	got, err := c.Body(protocol.OpenAI, body)
	if err != nil || &got[0] != &body[0] {
		t.Errorf("Body changed or copied the body: %s, %v", got, err)
	}
	h := http.Header{"A": {"b"}}
	c.Headers(h)
	resp := protocol.Response{Content: []protocol.Block{{Type: protocol.BlockText, Text: "<think>x</think>y"}}}
	c.Response(&resp)
	if req.MaxTokens != 5 || len(h) != 1 || resp.Content[0].Text != "<think>x</think>y" {
		t.Error("nil chain changed something")
	}
	in := textStream("<think>x</think>y")
	out := run(t, c, in)
	if summary(out) != summary(in) {
		t.Errorf("stream = %s, want %s", summary(out), summary(in))
	}
}

func TestEmptyChainAllocatesNothing(t *testing.T) {
	var p *Pipeline
	req := &protocol.Request{}
	resp := &protocol.Response{}
	body := []byte(`{}`)
	h := http.Header{}
	st := p.For("m").NewStream()
	ev := protocol.Event{Type: protocol.EventPing}
	allocs := testing.AllocsPerRun(100, func() {
		c := p.For("m")
		c.Request(req)
		_, _ = c.Body(protocol.OpenAI, body)
		c.Headers(h)
		c.Response(resp)
		_ = st.Event(ev)
	})
	if allocs != 0 {
		t.Errorf("empty chain: %v allocations per request, want 0", allocs)
	}
}

func TestAChainIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	p, err := Parse([]byte(`["cleancache", ["sampling", {"temperature": 0.6}], "reasoning", "toolrepair", "tooluse",
		["customparams", {"params": {"a": {"b": 1}}}], ["headers", {"set": {"X-A": "1"}}],
		{"models": ["m*"], "use": [["maxtoken", {"max_tokens": 10}]]}]`))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				c := p.For("model")
				req := protocol.Request{Tools: []protocol.Tool{{Name: "Read"}}}
				c.Request(&req)
				_, _ = c.Body(protocol.OpenAI, []byte(`{"a":{"c":2}}`))
				c.Headers(http.Header{})
				c.Response(&protocol.Response{Content: []protocol.Block{{Type: protocol.BlockText, Text: "<think>a</think>b"}}})
				st := c.NewStream()
				for _, ev := range textStream("<think>a</think>b") {
					st.Event(ev)
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}
