package anthropic

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/tokens"
)

// ReadRequestFacts reads what routing and the proxy need from a Messages
// API request body, in one pass over its top-level keys and without
// decoding it: the one reader of these fields for this format. A body that
// is not a JSON object reads as the zero RequestFacts.
//
// Thinking is thinking.type "enabled" or "adaptive"; UserID is
// metadata.user_id; WebSearch is a tool whose type starts with
// "web_search"; an image in the last user turn counts also inside a
// tool_result (a screenshot tool's answer). System texts are the system
// field and Claude Code's mid-conversation system-role messages.
func ReadRequestFacts(body []byte, o protocol.FactsOptions) protocol.RequestFacts {
	var f protocol.RequestFacts
	root, ok := protocol.FactsRoot(body)
	if !ok {
		return f
	}
	full := o.FullDetail()
	firstN := 0
	var lastUser, messages gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "model":
			f.Model = strings.Clone(v.Str)
		case "stream":
			f.Stream = v.Type == gjson.True
		case "thinking":
			t := v.Get("type").Str
			f.Thinking = t == "enabled" || t == "adaptive"
		case "metadata":
			f.UserID = strings.Clone(v.Get("user_id").Str)
		case "tools":
			if o.Detail == protocol.FactsTop {
				return true
			}
			readTools(&f, v, full)
		case "system":
			if o.Detail != protocol.FactsTop {
				systemFacts(&f, &o, v, full)
			}
		case "messages":
			if !full {
				messages = v // walked below, only if needed
				return true
			}
			v.ForEach(func(_, m gjson.Result) bool {
				f.Messages++
				content := m.Get("content")
				f.Tokens += protocol.PerMessageTokens + contentTokens(content)
				switch m.Get("role").Str {
				case "user":
					if firstN == 0 && o.FirstUser != nil {
						firstN = o.FeedFirstUser(content, protocol.ContentTexts)
					}
					lastUser = content
				case "system": // Claude Code's mid-conversation system messages
					systemFacts(&f, &o, content, full)
				}
				return true
			})
		}
		return true
	})
	// A light read walks the messages only for what its caller still
	// needs: system turns, or the first turn's text when nothing else
	// names the conversation.
	if o.Detail == protocol.FactsLight && messages.Exists() {
		needFirst := f.UserID == "" && o.FirstUser != nil
		if needFirst || o.WantsSystemTurns(messages.Raw) {
			messages.ForEach(func(_, m gjson.Result) bool {
				f.Messages++
				content := m.Get("content")
				switch m.Get("role").Str {
				case "user":
					if firstN == 0 && needFirst {
						firstN = o.FeedFirstUser(content, protocol.ContentTexts)
					}
				case "system":
					systemFacts(&f, &o, content, false)
				}
				return true
			})
		} else {
			f.Messages = int(messages.Get("#").Int())
		}
	}
	if lastUser.Exists() && full {
		var text protocol.TextBuilder
		protocol.ContentTexts(lastUser, text.Add)
		f.LastUserText = text.String()
		f.HasImage = hasImage(lastUser)
	}
	return f
}

// readTools reads the tools array: whether there are any, a web search
// tool, and (full) the tokens of their names, descriptions and schemas.
func readTools(f *protocol.RequestFacts, v gjson.Result, full bool) {
	if !full {
		// Only "any tools?" and "a web search tool?" matter; the schemas
		// are most of the body and need not be parsed.
		f.HasTools = len(v.Raw) > 2 && v.IsArray() && v.Get("#").Int() > 0
		if !strings.Contains(v.Raw, `"web_search`) {
			return
		}
	}
	v.ForEach(func(_, tool gjson.Result) bool {
		f.HasTools = true
		if full {
			f.Tokens += protocol.PerToolTokens
		}
		// One pass over the tool's fields: tools are most of a coding
		// agent's body, and each Get would scan it again.
		tool.ForEach(func(k, x gjson.Result) bool {
			switch k.Str {
			case "type":
				f.WebSearch = f.WebSearch || strings.HasPrefix(x.Str, "web_search")
			case "name", "description":
				if full {
					f.Tokens += tokens.Quick(x.Str)
				}
			case "input_schema":
				if full {
					f.Tokens += tokens.Quick(x.Raw)
				}
			}
			return true
		})
		return true
	})
}

// systemFacts hands system text (a string or text blocks) to o.System and,
// when full, counts its tokens.
func systemFacts(f *protocol.RequestFacts, o *protocol.FactsOptions, v gjson.Result, full bool) {
	if v.Type == gjson.String {
		o.OnSystem(v.Str)
		if full {
			f.Tokens += tokens.Quick(v.Str)
		}
		return
	}
	v.ForEach(func(_, b gjson.Result) bool {
		text := b.Get("text").Str
		o.OnSystem(text)
		if full {
			f.Tokens += tokens.Quick(text)
		}
		return true
	})
}

// contentTokens estimates the tokens of message content.
func contentTokens(content gjson.Result) int {
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
			n += contentTokens(b.Get("content"))
		case "image":
			n += protocol.PerImageTokens
		case "document":
			n += protocol.PerDocumentTokens
		default:
			n += tokens.Quick(b.Raw)
		}
		return true
	})
	return n
}

// hasImage reports an image block in content, also inside a tool_result.
func hasImage(content gjson.Result) bool {
	found := false
	content.ForEach(func(_, b gjson.Result) bool {
		switch b.Get("type").Str {
		case "image":
			found = true
		case "tool_result":
			found = hasImage(b.Get("content"))
		}
		return !found
	})
	return found
}
