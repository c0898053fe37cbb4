package transform

// matchAny reports whether model matches one of globs.
func matchAny(globs []string, model string) bool {
	for _, g := range globs {
		if matchGlob(g, model) {
			return true
		}
	}
	return false
}

// matchGlob matches s against pattern, ignoring ASCII case: "*" matches any
// run of bytes, slashes included (OpenRouter names are "vendor/model"),
// and "?" matches one byte. path.Match is not used because its "*" stops
// at "/". On a mismatch it backtracks only to the last star, so it takes at most
// len(pattern)×len(s) steps.
func matchGlob(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || lower(pattern[p]) == lower(s[i])):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// MatchModel reports whether a model name matches a pattern as transformer
// model lists and model_map keys write them: "*" any run (slashes too),
// "?" one byte, ASCII case ignored. Keys per person match their allowed
// models the same way.
func MatchModel(pattern, model string) bool { return matchGlob(pattern, model) }
