package openai

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/tokens"
)

// ReadRequestFacts reads what routing and the proxy need from a Chat
// Completions request body, in one pass over its top-level keys and
// without decoding it: the one reader of these fields for this format. A
// body that is not a JSON object reads as the zero RequestFacts.
//
// Thinking is reasoning_effort set to anything but "none"; UserID is user;
// WebSearch is web_search_options or a tool whose type starts with
// "web_search"; tools include the legacy functions. System texts are the
// system and developer messages.
func ReadRequestFacts(body []byte, o protocol.FactsOptions) protocol.RequestFacts {
	var f protocol.RequestFacts
	root, ok := protocol.FactsRoot(body)
	if !ok {
		return f
	}
	full := o.FullDetail()
	top := o.Detail == protocol.FactsTop
	firstN := 0
	var lastUser gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "model":
			f.Model = strings.Clone(v.Str)
		case "stream":
			f.Stream = v.Type == gjson.True
		case "reasoning_effort":
			f.Thinking = v.Str != "" && v.Str != "none"
		case "user":
			f.UserID = strings.Clone(v.Str)
		case "web_search_options":
			f.WebSearch = !top && v.IsObject()
		case "tools", "functions":
			if top {
				return true
			}
			v.ForEach(func(_, tool gjson.Result) bool {
				f.HasTools = true
				if strings.HasPrefix(tool.Get("type").Str, "web_search") {
					f.WebSearch = true
				}
				if full {
					f.Tokens += protocol.PerToolTokens + tokens.Quick(tool.Raw)
				}
				return true
			})
		case "messages":
			if top {
				return true
			}
			v.ForEach(func(_, m gjson.Result) bool {
				f.Messages++
				content := m.Get("content")
				if full {
					f.Tokens += protocol.PerMessageTokens + contentTokens(content)
					m.Get("tool_calls").ForEach(func(_, c gjson.Result) bool {
						f.Tokens += tokens.Quick(c.Get("function.name").Str) + tokens.Quick(c.Get("function.arguments").Str)
						return true
					})
				}
				switch m.Get("role").Str {
				case "user":
					if firstN == 0 && o.FirstUser != nil {
						firstN = o.FeedFirstUser(content, protocol.ContentTexts)
					}
					lastUser = content
				case "system", "developer":
					if o.System != nil {
						protocol.ContentTexts(content, o.System)
					}
				}
				return true
			})
		}
		return true
	})
	if lastUser.Exists() && full {
		var text protocol.TextBuilder
		protocol.ContentTexts(lastUser, text.Add)
		f.LastUserText = text.String()
		lastUser.ForEach(func(_, p gjson.Result) bool {
			f.HasImage = p.Get("type").Str == "image_url"
			return !f.HasImage
		})
	}
	return f
}

// contentTokens estimates the tokens of message content.
func contentTokens(content gjson.Result) int {
	if content.Type == gjson.String {
		return tokens.Quick(content.Str)
	}
	n := 0
	content.ForEach(func(_, p gjson.Result) bool {
		switch p.Get("type").Str {
		case "text":
			n += tokens.Quick(p.Get("text").Str)
		case "image_url":
			n += protocol.PerImageTokens
		case "file":
			n += protocol.PerDocumentTokens
		}
		return true
	})
	return n
}
