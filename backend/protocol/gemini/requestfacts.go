package gemini

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/tokens"
)

// ReadRequestFacts reads what routing needs from a generateContent request
// body, in one pass over its top-level keys and without decoding it: the
// one reader of these fields for this format. The REST API accepts both
// camelCase and snake_case names; both are read. A body that is not a
// JSON object reads as the zero RequestFacts.
//
// Model and Stream stay unset: Gemini names both in the URL. Thinking is
// generationConfig.thinkingConfig present with a thinkingBudget other than
// 0; WebSearch is a googleSearch or googleSearchRetrieval tool; Messages
// counts contents; a turn without a role is the user's; an image is an
// inlineData or fileData part of an image/* MIME type. System texts are
// systemInstruction's parts. Gemini has no user id field.
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
		case "generationConfig", "generation_config":
			tc := either(v, "thinkingConfig", "thinking_config")
			budget := either(tc, "thinkingBudget", "thinking_budget")
			f.Thinking = tc.IsObject() && (!budget.Exists() || budget.Num != 0)
		case "tools":
			if top {
				return true
			}
			v.ForEach(func(_, tool gjson.Result) bool {
				f.HasTools = true
				if either(tool, "googleSearch", "google_search").Exists() ||
					either(tool, "googleSearchRetrieval", "google_search_retrieval").Exists() {
					f.WebSearch = true
				}
				if full {
					f.Tokens += protocol.PerToolTokens + tokens.Quick(tool.Raw)
				}
				return true
			})
		case "systemInstruction", "system_instruction":
			if top {
				return true
			}
			if o.System != nil {
				v.Get("parts").ForEach(func(_, p gjson.Result) bool {
					o.System(p.Get("text").Str)
					return true
				})
			}
			if full {
				f.Tokens += partsTokens(v.Get("parts"))
			}
		case "contents":
			if top {
				return true
			}
			v.ForEach(func(_, c gjson.Result) bool {
				f.Messages++
				parts := c.Get("parts")
				if full {
					f.Tokens += protocol.PerMessageTokens + partsTokens(parts)
				}
				if role := c.Get("role").Str; role == "user" || role == "" {
					if firstN == 0 && o.FirstUser != nil {
						firstN = o.FeedFirstUser(parts, partTexts)
					}
					lastUser = parts
				}
				return true
			})
		}
		return true
	})
	if lastUser.Exists() && full {
		var text protocol.TextBuilder
		partTexts(lastUser, text.Add)
		f.LastUserText = text.String()
		lastUser.ForEach(func(_, p gjson.Result) bool {
			f.HasImage = strings.HasPrefix(partMIME(p), "image/")
			return !f.HasImage
		})
	}
	return f
}

// either returns v's field a, else its field b.
func either(v gjson.Result, a, b string) gjson.Result {
	if r := v.Get(a); r.Exists() {
		return r
	}
	return v.Get(b)
}

// partMIME is the MIME type of an inlineData or fileData part, "" for others.
func partMIME(p gjson.Result) string {
	data := either(p, "inlineData", "inline_data")
	if !data.Exists() {
		data = either(p, "fileData", "file_data")
	}
	return either(data, "mimeType", "mime_type").Str
}

// partTexts calls add with each text part.
func partTexts(parts gjson.Result, add func(string)) {
	parts.ForEach(func(_, p gjson.Result) bool {
		if t := p.Get("text"); t.Exists() {
			add(t.Str)
		}
		return true
	})
}

// partsTokens estimates the tokens of parts.
func partsTokens(parts gjson.Result) int {
	n := 0
	parts.ForEach(func(_, p gjson.Result) bool {
		switch {
		case p.Get("text").Exists():
			n += tokens.Quick(p.Get("text").Str)
		case partMIME(p) != "":
			if strings.HasPrefix(partMIME(p), "image/") {
				n += protocol.PerImageTokens
			} else {
				n += protocol.PerDocumentTokens
			}
		default: // functionCall, functionResponse, executableCode, …
			n += tokens.Quick(p.Raw)
		}
		return true
	})
	return n
}
