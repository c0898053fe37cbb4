package pricing

import (
	"errors"
	"math"
	"sort"
	"testing"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	table := NewTable([]Price{
		{Model: "deepseek-chat", Input: 1, Output: 2},
		{Model: "my-local-*", Input: 0.5, Output: 0.5},
		{Model: "My-Local-Big", Input: 9, Output: 9},
	})
	tests := []struct {
		name      string
		model     string
		wantModel string
		wantInput float64
		wantFound bool
	}{
		{"an exact default name matches", "gpt-4.1", "gpt-4.1", 2, true},
		{"names are matched without regard to case", "GPT-4.1-Mini", "gpt-4.1-mini", 0.4, true},
		{"a glob matches a family", "claude-sonnet-4-5", "claude-sonnet-4*", 3, true},
		{"the longest glob wins", "gemini-2.5-flash-lite", "gemini-2.5-flash-lite*", 0.1, true},
		{"a shorter glob still covers the rest of its family", "gemini-2.5-flash", "gemini-2.5-flash*", 0.3, true},
		{"an Anthropic date suffix is stripped", "claude-opus-4-1-20250805", "claude-opus-4-1", 15, true},
		{"an OpenAI dated name is stripped", "gpt-4.1-nano-2025-04-14", "gpt-4.1-nano", 0.1, true},
		{"an exact dated default wins over stripping", "gpt-4o-2024-05-13", "gpt-4o-2024-05-13", 5, true},
		{"a provider prefix is stripped", "anthropic/claude-opus-4-5", "claude-opus-4-5", 5, true},
		{"dotted versions are tried with dashes", "anthropic/claude-opus-4.5", "claude-opus-4-5", 5, true},
		{"a Gemini models/ prefix is stripped", "models/gemini-2.5-pro", "gemini-2.5-pro*", 1.25, true},
		{"a Vertex @date suffix is stripped", "claude-opus-4@20250514", "claude-opus-4", 15, true},
		{"-latest is stripped", "claude-3-5-haiku-latest", "claude-3-5-haiku*", 0.8, true},
		{"a user price overrides the default of the same name", "deepseek-chat", "deepseek-chat", 1, true},
		{"a user exact name wins over a user glob", "my-local-big", "My-Local-Big", 9, true},
		{"a user glob matches", "my-local-small", "my-local-*", 0.5, true},
		{"Moonshot's four-digit version is not a date", "kimi-k2-0905-preview", "kimi-k2-0905-preview", 0.6, true},
		{"an unknown model has no price", "llama-3-8b", "", 0, false},
		{"an empty name has no price", "  ", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, ok := table.Lookup(tt.model)
			if ok != tt.wantFound || p.Model != tt.wantModel || p.Input != tt.wantInput {
				t.Errorf("Lookup(%q) = %+v, %v; want model %q input %v found %v",
					tt.model, p, ok, tt.wantModel, tt.wantInput, tt.wantFound)
			}
		})
	}
}

func TestUserGlobBeatsDefaultExact(t *testing.T) {
	t.Parallel()
	table := NewTable([]Price{{Model: "claude-*", Input: 1, Output: 1}})
	p, ok := table.Lookup("claude-opus-4-5-20251101")
	if !ok || p.Model != "claude-*" || p.Source != SourceUser {
		t.Errorf("Lookup = %+v, %v; want the user's glob", p, ok)
	}
}

func TestCost(t *testing.T) {
	t.Parallel()
	table := NewTable(nil)
	tests := []struct {
		name                       string
		model                      string
		in, out, cacheRd, cacheWrt int64
		want                       float64
	}{
		// 1M×3 + 0.5M×15 + 2M×0.30 + 0.1M×3.75 = 3 + 7.5 + 0.6 + 0.375
		{"Sonnet with cache reads and writes", "claude-sonnet-4-5-20250929", 1_000_000, 500_000, 2_000_000, 100_000, 11.475},
		// 10k×1.25 + 2k×10 + 50k×0.125 per million
		{"GPT-5 with cached input", "gpt-5", 10_000, 2_000, 50_000, 0, 0.0125 + 0.02 + 0.00625},
		{"DeepSeek cache hits", "deepseek-chat", 0, 0, 1_000_000, 0, 0.028},
		{"no tokens cost nothing", "gpt-4o", 0, 0, 0, 0, 0},
		{"an unknown model costs nothing", "no-such-model", 1_000_000, 1_000_000, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := table.Cost(tt.model, tt.in, tt.out, tt.cacheRd, tt.cacheWrt)
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Cost = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDefaultsFollowTheCacheConventions(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, p := range Defaults() {
		if err := p.Validate(); err != nil {
			t.Errorf("default %s: %v", p.Model, err)
		}
		if seen[key(p.Model)] {
			t.Errorf("default %s appears twice", p.Model)
		}
		seen[key(p.Model)] = true
		if p.Source != SourceDefault {
			t.Errorf("default %s has source %q", p.Model, p.Source)
		}
		if p.CacheRead > p.Input || p.Output < p.Input {
			t.Errorf("default %s looks wrong: %+v", p.Model, p)
		}
		if len(p.Model) > 7 && p.Model[:7] == "claude-" {
			if math.Abs(p.CacheWrite-1.25*p.Input) > 1e-9 || math.Abs(p.CacheRead-0.1*p.Input) > 1e-9 {
				t.Errorf("Anthropic default %s: cache prices %+v", p.Model, p)
			}
		}
	}
}

func TestAllMergesSortsAndMarksSource(t *testing.T) {
	t.Parallel()
	table := NewTable([]Price{{Model: "GPT-4o", Input: 1}, {Model: "zz-custom", Input: 2}, {Model: " "}})
	all := table.All()
	if len(all) != len(Defaults())+1 {
		t.Fatalf("All has %d prices, want %d (one override, one new, one blank dropped)", len(all), len(Defaults())+1)
	}
	if !sort.SliceIsSorted(all, func(i, j int) bool { return key(all[i].Model) < key(all[j].Model) }) {
		t.Error("All is not sorted by model")
	}
	var users int
	for _, p := range all {
		if p.Source == SourceUser {
			users++
		} else if p.Source != SourceDefault {
			t.Errorf("%s has source %q", p.Model, p.Source)
		}
		if key(p.Model) == "gpt-4o" && p.Source != SourceUser {
			t.Errorf("gpt-4o = %+v; want the user's price", p)
		}
	}
	if users != 2 {
		t.Errorf("%d user prices, want 2", users)
	}
	all[0].Model = "changed"
	if table.All()[0].Model == "changed" {
		t.Error("All returned the table's own slice")
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Price
		ok   bool
	}{
		{"a plain price is valid", Price{Model: "m", Input: 1, Output: 2}, true},
		{"a free model is valid", Price{Model: "m"}, true},
		{"an empty model is refused", Price{Model: " ", Input: 1}, false},
		{"a negative price is refused", Price{Model: "m", Output: -1}, false},
		{"NaN is refused", Price{Model: "m", CacheRead: math.NaN()}, false},
		{"infinity is refused", Price{Model: "m", CacheWrite: math.Inf(1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.p.Validate()
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalidPrice)) {
				t.Errorf("Validate = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"a*", "abc", true},
		{"a*", "a", true},
		{"*c", "abc", true},
		{"a*c", "abbbc", true},
		{"a*b*c", "axbyc", true},
		{"a*b*c", "axc", false},
		{"ab*ab", "ab", false},
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"x/[y]*", "x/[y]z", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}
