package responses

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/tokens"
)

// ReadRequestFacts reads what routing and the proxy need from a Responses
// API request body, in one pass over its top-level keys and without
// decoding it: the one reader of these fields for this format. A body that
// is not a JSON object reads as the zero RequestFacts.
//
// Thinking is reasoning with an effort other than "none" (or a summary);
// UserID is user, else safety_identifier, else prompt_cache_key (Codex's
// conversation id); WebSearch is a tool whose type starts with
// "web_search"; the turns are the input items, a string input being one
// user message. System texts are instructions and system or developer
// messages.
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
	var cacheKey string
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "model":
			f.Model = strings.Clone(v.Str)
		case "stream":
			f.Stream = v.Type == gjson.True
		case "reasoning":
			effort := v.Get("effort").Str
			f.Thinking = v.IsObject() && effort != "none" && (effort != "" || v.Get("summary").Str != "")
		case "user", "safety_identifier":
			if v.Str != "" && (f.UserID == "" || k.Str == "user") {
				f.UserID = strings.Clone(v.Str)
			}
		case "prompt_cache_key":
			cacheKey = v.Str
		case "instructions":
			if top {
				return true
			}
			o.OnSystem(v.Str)
			if full {
				f.Tokens += tokens.Quick(v.Str)
			}
		case "tools":
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
		case "input":
			if top {
				return true
			}
			if v.Type == gjson.String {
				f.Messages++
				if o.FirstUser != nil {
					o.FirstUser(v.Str)
				}
				lastUser = v
				if full {
					f.Tokens += protocol.PerMessageTokens + tokens.Quick(v.Str)
				}
				return true
			}
			v.ForEach(func(_, item gjson.Result) bool {
				f.Messages++
				if full {
					f.Tokens += protocol.PerMessageTokens + itemTokens(item)
				}
				switch item.Get("role").Str {
				case "user":
					content := item.Get("content")
					if firstN == 0 && o.FirstUser != nil {
						firstN = o.FeedFirstUser(content, contentTexts)
					}
					lastUser = content
				case "system", "developer":
					if o.System != nil {
						contentTexts(item.Get("content"), o.System)
					}
				}
				return true
			})
		}
		return true
	})
	// Codex names its conversation in prompt_cache_key: the best session
	// key when the client gave no user.
	if f.UserID == "" && cacheKey != "" {
		f.UserID = strings.Clone(cacheKey)
	}
	if lastUser.Exists() && full {
		var text protocol.TextBuilder
		contentTexts(lastUser, text.Add)
		f.LastUserText = text.String()
		lastUser.ForEach(func(_, p gjson.Result) bool {
			f.HasImage = p.Get("type").Str == "input_image"
			return !f.HasImage
		})
	}
	return f
}

// contentTexts calls add with each text of a message's content: the
// string itself, or each text part's text (input_text, output_text).
func contentTexts(content gjson.Result, add func(string)) {
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

// itemTokens estimates the tokens of one input item.
func itemTokens(item gjson.Result) int {
	n := 0
	count := func(content gjson.Result) {
		if content.Type == gjson.String {
			n += tokens.Quick(content.Str)
			return
		}
		content.ForEach(func(_, p gjson.Result) bool {
			switch p.Get("type").Str {
			case "input_image":
				n += protocol.PerImageTokens
			case "input_file":
				n += protocol.PerDocumentTokens
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
