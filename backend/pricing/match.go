package pricing

import "strings"

// candidates lists the lower-case names to try for model, most specific
// first, without duplicates.
func candidates(model string) []string {
	name := key(model)
	if name == "" {
		return nil
	}
	out := []string{name}
	add := func(s string) {
		if s == "" {
			return
		}
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	bare := name
	if i := strings.LastIndexByte(bare, '/'); i >= 0 {
		bare = bare[i+1:]
	}
	bare, _, _ = strings.Cut(bare, ":") // OpenRouter variants: ":free", ":thinking"
	add(bare)
	undated := stripDate(bare)
	add(undated)
	add(dotsToDashes(bare))
	add(dotsToDashes(undated))
	return out
}

// stripDate removes a trailing release date or "-latest": -20250929,
// @20250929 (Vertex), -2025-04-14 (OpenAI), -0905 is kept because Moonshot
// uses four digits as part of the model name.
func stripDate(s string) string {
	if strings.HasSuffix(s, "-latest") {
		return strings.TrimSuffix(s, "-latest")
	}
	if n := len(s); n > 11 && (s[n-11] == '-') && digits(s[n-10:n-6]) && s[n-6] == '-' && digits(s[n-5:n-3]) && s[n-3] == '-' && digits(s[n-2:]) {
		return s[:n-11]
	}
	if n := len(s); n > 9 && (s[n-9] == '-' || s[n-9] == '@') && digits(s[n-8:]) {
		return s[:n-9]
	}
	return s
}

// dotsToDashes turns "claude-opus-4.5" into "claude-opus-4-5": OpenRouter
// writes Anthropic versions with dots, Anthropic with dashes.
func dotsToDashes(s string) string {
	b := []byte(s)
	for i := 1; i+1 < len(b); i++ {
		if b[i] == '.' && isDigit(b[i-1]) && isDigit(b[i+1]) {
			b[i] = '-'
		}
	}
	return string(b)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// globMatch reports whether name matches pattern, where * matches any run of
// characters (including none) and everything else matches itself. Unlike
// path.Match, / and [ are ordinary characters.
func globMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return len(name) >= len(last) && strings.HasSuffix(name, last)
}
