package route

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol/tokens"
)

// summarizeAnthropic fills s from a Messages API body in one pass over its
// top-level keys, and returns the hash state of the first user turn's text.
func summarizeAnthropic(s *Summary, root gjson.Result) fnv64 {
	first := newFNV()
	var lastUser, messages gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "model":
			if s.Model == "" {
				s.Model = strings.Clone(v.Str)
			}
		case "stream":
			s.Stream = v.Type == gjson.True
		case "thinking":
			t := v.Get("type").Str
			s.Thinking = t == "enabled" || t == "adaptive"
		case "metadata":
			s.UserID = strings.Clone(v.Get("user_id").Str)
		case "tools":
			if s.light {
				// Only "any tools?" and "a web search tool?" matter; the
				// schemas are most of the body and need not be parsed.
				s.HasTools = len(v.Raw) > 2 && v.IsArray() && v.Get("#").Int() > 0
				if !strings.Contains(v.Raw, `"web_search`) {
					return true
				}
			}
			v.ForEach(func(_, tool gjson.Result) bool {
				s.HasTools = true
				if !s.light {
					s.Tokens += perTool
				}
				// One pass over the tool's fields: tools are most of a
				// coding agent's body, and each Get would scan it again.
				tool.ForEach(func(k, f gjson.Result) bool {
					switch k.Str {
					case "type":
						s.WebSearch = s.WebSearch || strings.HasPrefix(f.Str, "web_search")
					case "name", "description":
						if !s.light {
							s.Tokens += tokens.Quick(f.Str)
						}
					case "input_schema":
						if !s.light {
							s.Tokens += tokens.Quick(f.Raw)
						}
					}
					return true
				})
				return true
			})
		case "system":
			anthropicSystem(s, v)
		case "messages":
			if s.light {
				messages = v // walked below, only if needed
				return true
			}
			v.ForEach(func(_, m gjson.Result) bool {
				s.Messages++
				content := m.Get("content")
				if !s.light {
					s.Tokens += perMessage + anthropicTokens(content)
				}
				switch m.Get("role").Str {
				case "user":
					if first.n == 0 {
						contentTexts(content, first.write)
					}
					lastUser = content
				case "system": // Claude Code's mid-conversation system messages
					anthropicSystem(s, content)
				}
				return true
			})
		}
		return true
	})
	// The light summary walks the messages only for what it still needs:
	// a tag in a mid-conversation system message, or the first turn's hash
	// when nothing else identifies the session.
	if s.light && messages.Exists() {
		needHash := s.UserID == "" && sessionHeader(s.Headers) == ""
		needTag := strings.Contains(messages.Raw, tagOpen) || strings.Contains(messages.Raw, `\u003croutex-model`)
		if needHash || needTag {
			messages.ForEach(func(_, m gjson.Result) bool {
				s.Messages++
				content := m.Get("content")
				switch m.Get("role").Str {
				case "user":
					if first.n == 0 && needHash {
						contentTexts(content, first.write)
					}
				case "system":
					anthropicSystem(s, content)
				}
				return true
			})
		} else {
			s.Messages = int(messages.Get("#").Int())
		}
	}
	if lastUser.Exists() && !s.light {
		var text textBuilder
		contentTexts(lastUser, text.add)
		s.LastUserText = text.b.String()
		s.HasImage = anthropicHasImage(lastUser)
	}
	return first
}

// anthropicSystem notes the tag in system text: a string or text blocks.
// Tokens of a top-level system are counted here too; for a system message
// they are counted with the messages, so only the tag is looked at.
func anthropicSystem(s *Summary, v gjson.Result) {
	if v.Type == gjson.String {
		noteTag(s, v.Str)
		if !s.light {
			s.Tokens += tokens.Quick(v.Str)
		}
		return
	}
	v.ForEach(func(_, b gjson.Result) bool {
		text := b.Get("text").Str
		noteTag(s, text)
		if !s.light {
			s.Tokens += tokens.Quick(text)
		}
		return true
	})
}

// anthropicTokens estimates the tokens of message content.
func anthropicTokens(content gjson.Result) int {
	if content.Type == gjson.String {
		return tokens.Quick(content.Str)
	}
	n := 0
	content.ForEach(func(_, b gjson.Result) bool {
		switch b.Get("type").Str {
		case "text":
			n += tokens.Quick(b.Get("text").Str)
		case "thinking":
			n += tokens.Quick(b.Get("thinking").Str)
		case "redacted_thinking":
		case "tool_use", "server_tool_use":
			n += tokens.Quick(b.Get("name").Str) + tokens.Quick(b.Get("input").Raw)
		case "tool_result":
			n += anthropicTokens(b.Get("content"))
		case "image":
			n += perImage
		case "document":
			n += perDocument
		default:
			n += tokens.Quick(b.Raw)
		}
		return true
	})
	return n
}

// anthropicHasImage reports an image block in content, also inside a
// tool_result (a screenshot tool's answer).
func anthropicHasImage(content gjson.Result) bool {
	found := false
	content.ForEach(func(_, b gjson.Result) bool {
		switch b.Get("type").Str {
		case "image":
			found = true
		case "tool_result":
			found = anthropicHasImage(b.Get("content"))
		}
		return !found
	})
	return found
}
