package clients

import (
	"slices"
	"testing"
)

// TestApplyAndRevertWithoutFiles runs the merge logic alone: parse, apply,
// render, then a user edit, then revert.
func TestApplyAndRevertWithoutFiles(t *testing.T) {
	t.Parallel()
	opts := AttachOptions{BaseURL: "http://r", Token: "k"}
	tests := []struct {
		name, input, userEdit, want string
		kept                        []string
	}{
		{"keys Routex added go again", `{"a":1}`, "", `{"a":1}`, nil},
		{"a replaced value comes back in place",
			`{"env":{"ANTHROPIC_BASE_URL":"https://u","X":"1"}}`, "", `{"env":{"ANTHROPIC_BASE_URL":"https://u","X":"1"}}`, nil},
		{"a removed API key comes back where it was",
			`{"env":{"X":"1","ANTHROPIC_API_KEY":"sk","Y":"2"}}`, "", `{"env":{"X":"1","ANTHROPIC_API_KEY":"sk","Y":"2"}}`, nil},
		{"a token the user changed since is kept",
			`{"env":{"ANTHROPIC_AUTH_TOKEN":"old"}}`, `{"env":{"ANTHROPIC_AUTH_TOKEN":"mine","ANTHROPIC_BASE_URL":"http://r"}}`,
			`{"env":{"ANTHROPIC_AUTH_TOKEN":"mine"}}`, []string{"ANTHROPIC_AUTH_TOKEN"}},
		{"an API key the user set again is kept",
			`{"env":{"ANTHROPIC_API_KEY":"sk"}}`, `{"env":{"ANTHROPIC_BASE_URL":"http://r","ANTHROPIC_AUTH_TOKEN":"k","ANTHROPIC_API_KEY":"new"}}`,
			`{"env":{"ANTHROPIC_API_KEY":"new"}}`, []string{"ANTHROPIC_API_KEY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := claudeFormat{}
			d, err := f.parse("settings.json", []byte(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			created := !d.hasContainer()
			keys, err := apply(d, nil, f.changes(opts))
			if err != nil {
				t.Fatal(err)
			}
			mid, err := d.render()
			if err != nil {
				t.Fatal(err)
			}
			if tt.userEdit != "" {
				mid = []byte(tt.userEdit)
			}
			d, _ = f.parse("settings.json", mid)
			kept, err := revert(d, keys, created)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := d.render()
			if string(out) != tt.want || !slices.Equal(kept, tt.kept) {
				t.Errorf("got %s kept %v\nwant %s kept %v", out, kept, tt.want, tt.kept)
			}
		})
	}
}
