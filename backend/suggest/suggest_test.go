package suggest

import "testing"

func TestClosest(t *testing.T) {
	t.Parallel()
	known := []string{"has_tools", "has_image", "min_tokens", "maxtoken", "Tokens"}
	cases := []struct{ word, want string }{
		{"has_tool", "has_tools"},
		{"maxtokens", "maxtoken"},
		{"tokns", "Tokens"},
		{"HAS_IMAGE", "has_image"},
		{"temperature", ""},
		{"", ""},
	}
	for _, c := range cases {
		if got := Closest(c.word, known); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}
