package route

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol/tokens"
)

// summarizeGemini fills s from a generateContent body in one pass over its
// top-level keys, and returns the hash state of the first user turn's text.
// The REST API accepts both camelCase and snake_case names; both are read.
func summarizeGemini(s *Summary, root gjson.Result) fnv64 {
	first := newFNV()
	var lastUser gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "generationConfig", "generation_config":
			tc := either(v, "thinkingConfig", "thinking_config")
			budget := either(tc, "thinkingBudget", "thinking_budget")
			s.Thinking = tc.IsObject() && (!budget.Exists() || budget.Num != 0)
		case "tools":
			v.ForEach(func(_, tool gjson.Result) bool {
				s.HasTools = true
				if either(tool, "googleSearch", "google_search").Exists() ||
					either(tool, "googleSearchRetrieval", "google_search_retrieval").Exists() {
					s.WebSearch = true
				}
				if !s.light {
					s.Tokens += perTool + tokens.Quick(tool.Raw)
				}
				return true
			})
		case "systemInstruction", "system_instruction":
			v.Get("parts").ForEach(func(_, p gjson.Result) bool {
				noteTag(s, p.Get("text").Str)
				return true
			})
			if !s.light {
				s.Tokens += geminiTokens(v.Get("parts"))
			}
		case "contents":
			v.ForEach(func(_, c gjson.Result) bool {
				s.Messages++
				parts := c.Get("parts")
				if !s.light {
					s.Tokens += perMessage + geminiTokens(parts)
				}
				if role := c.Get("role").Str; role == "user" || role == "" {
					if first.n == 0 {
						geminiTexts(parts, first.write)
					}
					lastUser = parts
				}
				return true
			})
		}
		return true
	})
	if lastUser.Exists() && !s.light {
		var text textBuilder
		geminiTexts(lastUser, text.add)
		s.LastUserText = text.b.String()
		lastUser.ForEach(func(_, p gjson.Result) bool {
			s.HasImage = strings.HasPrefix(geminiMIME(p), "image/")
			return !s.HasImage
		})
	}
	return first
}

// either returns v's field a, else its field b.
func either(v gjson.Result, a, b string) gjson.Result {
	if r := v.Get(a); r.Exists() {
		return r
	}
	return v.Get(b)
}

// geminiMIME is the MIME type of an inlineData or fileData part, "" for others.
func geminiMIME(p gjson.Result) string {
	data := either(p, "inlineData", "inline_data")
	if !data.Exists() {
		data = either(p, "fileData", "file_data")
	}
	return either(data, "mimeType", "mime_type").Str
}

// geminiTexts calls add with each text part.
func geminiTexts(parts gjson.Result, add func(string)) {
	parts.ForEach(func(_, p gjson.Result) bool {
		if t := p.Get("text"); t.Exists() {
			add(t.Str)
		}
		return true
	})
}

// geminiTokens estimates the tokens of parts.
func geminiTokens(parts gjson.Result) int {
	n := 0
	parts.ForEach(func(_, p gjson.Result) bool {
		switch {
		case p.Get("text").Exists():
			n += tokens.Quick(p.Get("text").Str)
		case geminiMIME(p) != "":
			if strings.HasPrefix(geminiMIME(p), "image/") {
				n += perImage
			} else {
				n += perDocument
			}
		default: // functionCall, functionResponse, executableCode, …
			n += tokens.Quick(p.Raw)
		}
		return true
	})
	return n
}
