package route

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol/tokens"
)

// summarizeOpenAI fills s from a Chat Completions body in one pass over its
// top-level keys, and returns the hash state of the first user turn's text.
func summarizeOpenAI(s *Summary, root gjson.Result) fnv64 {
	first := newFNV()
	var lastUser gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "model":
			if s.Model == "" {
				s.Model = strings.Clone(v.Str)
			}
		case "stream":
			s.Stream = v.Type == gjson.True
		case "reasoning_effort":
			s.Thinking = v.Str != "" && v.Str != "none"
		case "user":
			s.UserID = strings.Clone(v.Str)
		case "web_search_options":
			s.WebSearch = v.IsObject()
		case "tools", "functions":
			v.ForEach(func(_, tool gjson.Result) bool {
				s.HasTools = true
				if strings.HasPrefix(tool.Get("type").Str, "web_search") {
					s.WebSearch = true
				}
				if !s.light {
					s.Tokens += perTool + tokens.Quick(tool.Raw)
				}
				return true
			})
		case "messages":
			v.ForEach(func(_, m gjson.Result) bool {
				s.Messages++
				content := m.Get("content")
				if !s.light {
					s.Tokens += perMessage + openaiTokens(content)
				}
				m.Get("tool_calls").ForEach(func(_, c gjson.Result) bool {
					if !s.light {
						s.Tokens += tokens.Quick(c.Get("function.name").Str) + tokens.Quick(c.Get("function.arguments").Str)
					}
					return true
				})
				switch m.Get("role").Str {
				case "user":
					if first.n == 0 {
						contentTexts(content, first.write)
					}
					lastUser = content
				case "system", "developer":
					contentTexts(content, func(text string) { noteTag(s, text) })
				}
				return true
			})
		}
		return true
	})
	if lastUser.Exists() && !s.light {
		var text textBuilder
		contentTexts(lastUser, text.add)
		s.LastUserText = text.b.String()
		lastUser.ForEach(func(_, p gjson.Result) bool {
			s.HasImage = p.Get("type").Str == "image_url"
			return !s.HasImage
		})
	}
	return first
}

// openaiTokens estimates the tokens of message content.
func openaiTokens(content gjson.Result) int {
	if content.Type == gjson.String {
		return tokens.Quick(content.Str)
	}
	n := 0
	content.ForEach(func(_, p gjson.Result) bool {
		switch p.Get("type").Str {
		case "text":
			n += tokens.Quick(p.Get("text").Str)
		case "image_url":
			n += perImage
		case "file":
			n += perDocument
		}
		return true
	})
	return n
}
