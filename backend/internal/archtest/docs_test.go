package archtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// anchors returns the GitHub anchors of a Markdown file's headings and the
// numbers of its "Rule N" headings.
func anchors(t *testing.T, path string) (map[string]bool, map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	slugs, rules := map[string]bool{}, map[string]bool{}
	drop := regexp.MustCompile(`[^\p{L}\p{N} _-]`)
	rule := regexp.MustCompile(`^#+ Rule (\d+):`)
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		if m := rule.FindStringSubmatch(line); m != nil {
			rules[m[1]] = true
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		slug := strings.ReplaceAll(drop.ReplaceAllString(strings.ToLower(title), ""), " ", "-")
		slugs[slug] = true
	}
	return slugs, rules
}

// Comments cite docs/ by path and section; every citation must point at a
// section that exists, so a renamed heading or a renumbered rule shows up.
func TestDocCitationsExist(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "..")
	design, _ := anchors(t, filepath.Join(root, "docs", "DESIGN.md"))
	conversion, rules := anchors(t, filepath.Join(root, "docs", "CONVERSION.md"))
	architecture, _ := anchors(t, filepath.Join(root, "docs", "ARCHITECTURE.md"))
	if len(rules) != 21 {
		t.Fatalf("docs/CONVERSION.md has %d numbered rules, want 21", len(rules))
	}
	anchorRe := regexp.MustCompile(`docs/(DESIGN|CONVERSION|ARCHITECTURE)\.md#([a-z0-9_-]+)`)
	ruleRe := regexp.MustCompile(`docs/CONVERSION\.md, rules? (\d+(?:(?:-|, | and )\d+)*)`)
	num := regexp.MustCompile(`\d+`)
	cited := 0
	err := filepath.WalkDir(filepath.Join(root, "backend"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(data)
		for _, m := range anchorRe.FindAllStringSubmatch(text, -1) {
			cited++
			set := design
			switch m[1] {
			case "CONVERSION":
				set = conversion
			case "ARCHITECTURE":
				set = architecture
			}
			if !set[m[2]] {
				t.Errorf("%s cites docs/%s.md#%s, which has no such heading", path, m[1], m[2])
			}
		}
		for _, m := range ruleRe.FindAllStringSubmatch(text, -1) {
			cited++
			for _, n := range num.FindAllString(m[1], -1) {
				if !rules[n] {
					t.Errorf("%s cites docs/CONVERSION.md rule %s, which does not exist", path, n)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cited < 30 {
		t.Fatalf("only %d citations found under backend/", cited)
	}
}
