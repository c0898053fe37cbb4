package balance

import (
	"slices"
	"testing"
	"time"
)

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	keys := []string{"k0", "k1", "k2"}
	tests := []struct {
		name    string
		keys    []string
		prepare func(b *Balancer)
		want    []int // indexes of successive picks at t0
	}{
		{"keys rotate round-robin", keys, nil, []int{0, 1, 2, 0, 1}},
		{"a cooling key is skipped", keys,
			func(b *Balancer) { b.CoolKey(1, 1, t0.Add(time.Minute)) }, []int{0, 2, 0, 2}},
		{"a key whose cooldown is over is used again", keys,
			func(b *Balancer) { b.CoolKey(1, 1, t0) }, []int{0, 1, 2}},
		{"when every key cools the one free soonest is used", keys,
			func(b *Balancer) {
				b.Key(1, keys, t0) // learn the key count
				b.CoolKey(1, 0, t0.Add(3*time.Minute))
				b.CoolKey(1, 1, t0.Add(time.Minute))
				b.CoolKey(1, 2, t0.Add(2*time.Minute))
			}, []int{1, 1}},
		{"a rate-limit outcome cools the key it names", keys,
			func(b *Balancer) {
				b.Key(1, keys, t0)
				b.Begin(cands(ch(1, 1))[0], t0)(Outcome{Kind: RateLimit, KeyIndex: 2, CoolUntil: t0.Add(time.Minute)})
			}, []int{1, 0, 1}},
		{"one key is always that key", []string{"only"}, nil, []int{0, 0}},
		{"no keys gives no key", nil, nil, []int{-1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newTest(t, Options{})
			if tt.prepare != nil {
				tt.prepare(b)
			}
			var got []int
			for range tt.want {
				key, i := b.Key(1, tt.keys, t0)
				if i >= 0 && key != tt.keys[i] {
					t.Fatalf("Key returned %q for index %d, want %q", key, i, tt.keys[i])
				}
				got = append(got, i)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("picks = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestKeyCooldownAndChannelAvailability(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		keys      []string
		cool      []int // key indexes rate-limited through outcomes, each for a minute
		available bool
	}{
		{"one cooling key of two leaves the channel available", []string{"a", "b"}, []int{0}, true},
		{"every key cooling makes the channel unavailable", []string{"a", "b"}, []int{0, 1}, false},
		{"a single-key channel cools as a whole", []string{"a"}, []int{0}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newTest(t, Options{})
			c := cands(ch(1, 1))[0]
			for _, i := range tt.cool {
				_, _ = b.Key(1, tt.keys, t0)
				b.Begin(c, t0)(Outcome{Kind: RateLimit, KeyIndex: i, CoolUntil: t0.Add(time.Minute)})
			}
			if got := b.Available(c, t0); got != tt.available {
				t.Errorf("available = %v, want %v", got, tt.available)
			}
			if !b.Available(c, t0.Add(time.Minute)) {
				t.Error("the channel is unavailable after every cooldown ended")
			}
		})
	}
	t.Run("a key added to the list keeps the others' cooldowns", func(t *testing.T) {
		t.Parallel()
		b := newTest(t, Options{})
		b.Key(1, []string{"a", "b"}, t0)
		b.CoolKey(1, 1, t0.Add(time.Minute))
		got := []int{}
		for range 3 {
			_, i := b.Key(1, []string{"a", "b", "c"}, t0)
			got = append(got, i)
		}
		if !slices.Equal(got, []int{2, 0, 2}) {
			t.Errorf("picks after adding a key = %v, want [2 0 2]", got)
		}
	})
}
