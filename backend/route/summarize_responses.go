package route

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol/tokens"
)

// summarizeResponses fills s from an OpenAI Responses body in one pass
// over its top-level keys, and returns the hash state of the first user
// message's text. Its messages are the input items (a string input is one
// user message); system text is instructions and system or developer
// messages.
func summarizeResponses(s *Summary, root gjson.Result) fnv64 {
	first := newFNV()
	var lastUser gjson.Result
	var cacheKey string
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "model":
			if s.Model == "" {
				s.Model = strings.Clone(v.Str)
			}
		case "stream":
			s.Stream = v.Type == gjson.True
		case "reasoning":
			effort := v.Get("effort").Str
			s.Thinking = v.IsObject() && effort != "none" && (effort != "" || v.Get("summary").Str != "")
		case "user", "safety_identifier":
			if v.Str != "" && (s.UserID == "" || k.Str == "user") {
				s.UserID = strings.Clone(v.Str)
			}
		case "prompt_cache_key":
			cacheKey = v.Str
		case "instructions":
			noteTag(s, v.Str)
			if !s.light {
				s.Tokens += tokens.Quick(v.Str)
			}
		case "tools":
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
		case "input":
			if v.Type == gjson.String {
				s.Messages++
				first.write(v.Str)
				lastUser = v
				if !s.light {
					s.Tokens += perMessage + tokens.Quick(v.Str)
				}
				return true
			}
			v.ForEach(func(_, item gjson.Result) bool {
				s.Messages++
				if !s.light {
					s.Tokens += perMessage + responsesItemTokens(item)
				}
				switch item.Get("role").Str {
				case "user":
					content := item.Get("content")
					if first.n == 0 {
						responsesTexts(content, first.write)
					}
					lastUser = content
				case "system", "developer":
					responsesTexts(item.Get("content"), func(text string) { noteTag(s, text) })
				}
				return true
			})
		}
		return true
	})
	// Codex names its conversation in prompt_cache_key: the best session
	// key when the client gave no user.
	if s.UserID == "" && cacheKey != "" {
		s.UserID = strings.Clone(cacheKey)
	}
	if lastUser.Exists() && !s.light {
		var text textBuilder
		responsesTexts(lastUser, text.add)
		s.LastUserText = text.b.String()
		lastUser.ForEach(func(_, p gjson.Result) bool {
			s.HasImage = p.Get("type").Str == "input_image"
			return !s.HasImage
		})
	}
	return first
}

// responsesTexts calls add with each text of a message's content: the
// string itself, or each text part's text (input_text, output_text).
func responsesTexts(content gjson.Result, add func(string)) {
	if content.Type == gjson.String {
		add(content.Str)
		return
	}
	content.ForEach(func(_, p gjson.Result) bool {
		switch p.Get("type").Str {
		case "input_text", "output_text", "text":
			add(p.Get("text").Str)
		}
		return true
	})
}

// responsesItemTokens estimates the tokens of one input item.
func responsesItemTokens(item gjson.Result) int {
	n := 0
	count := func(content gjson.Result) {
		if content.Type == gjson.String {
			n += tokens.Quick(content.Str)
			return
		}
		content.ForEach(func(_, p gjson.Result) bool {
			switch p.Get("type").Str {
			case "input_image":
				n += perImage
			case "input_file":
				n += perDocument
			default:
				n += tokens.Quick(p.Get("text").Str)
			}
			return true
		})
	}
	switch item.Get("type").Str {
	case "function_call":
		n += tokens.Quick(item.Get("name").Str) + tokens.Quick(item.Get("arguments").Str)
	case "custom_tool_call":
		n += tokens.Quick(item.Get("name").Str) + tokens.Quick(item.Get("input").Str)
	case "function_call_output", "custom_tool_call_output":
		count(item.Get("output"))
	case "reasoning":
		item.Get("summary").ForEach(func(_, p gjson.Result) bool {
			n += tokens.Quick(p.Get("text").Str)
			return true
		})
	default:
		count(item.Get("content"))
	}
	return n
}
