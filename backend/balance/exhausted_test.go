package balance

import (
	"testing"
)

func TestSplitExhaustedSkipsExhaustedChannelsUnlessAllAre(t *testing.T) {
	t.Parallel()
	b := New(Options{Seed: 1})
	a, c, d := Candidate{ChannelID: 1}, Candidate{ChannelID: 2}, Candidate{ChannelID: 3}
	order := []Candidate{a, c, d}
	name := map[int64]string{1: "a", 2: "c", 3: "d"}
	names := func(cs []Candidate) (out []string) {
		for _, x := range cs {
			out = append(out, name[x.ChannelID])
		}
		return out
	}
	use, skipped := b.SplitExhausted(order)
	if len(use) != 3 || skipped != nil {
		t.Fatalf("nothing exhausted: use %v skipped %v", names(use), names(skipped))
	}
	b.SetExhausted(map[int64]string{1: "balance exhausted (0.00 CNY left)", 3: "balance exhausted"})
	use, skipped = b.SplitExhausted(order)
	if got := names(use); len(got) != 1 || got[0] != "c" {
		t.Errorf("use = %v, want [c]", got)
	}
	if got := names(skipped); len(got) != 2 || got[0] != "a" || got[1] != "d" {
		t.Errorf("skipped = %v, want [a d] in order", got)
	}
	if why := b.Exhausted(1); why != "balance exhausted (0.00 CNY left)" {
		t.Errorf("Exhausted(1) = %q", why)
	}
	// Every candidate exhausted: tried anyway, the provider has the last word.
	use, skipped = b.SplitExhausted([]Candidate{a, d})
	if len(use) != 2 || skipped != nil {
		t.Errorf("all exhausted: use %v skipped %v, want both tried", names(use), names(skipped))
	}
	b.SetExhausted(nil)
	if b.Exhausted(1) != "" {
		t.Error("SetExhausted(nil) did not clear the set")
	}
}

func TestSplitExhaustedAllocatesNothingWhenNoneIs(t *testing.T) {
	b := New(Options{Seed: 1})
	b.SetExhausted(map[int64]string{9: "balance exhausted"})
	order := []Candidate{{ChannelID: 1}, {ChannelID: 2}}
	if n := testing.AllocsPerRun(100, func() { b.SplitExhausted(order) }); n != 0 {
		t.Errorf("SplitExhausted allocates %v times with no candidate exhausted", n)
	}
}
