// Package tokens estimates token counts with an embedded tokenizer, for the
// moments an upstream reports none: count_tokens against a non-Anthropic
// channel, message_start before an OpenAI upstream's usage arrives, and
// streams whose upstream never sends usage. Estimates use OpenAI's o200k
// vocabulary; Claude's own tokenizer is not public, so counts for Claude
// models are approximate (typically within 10–20%).
package tokens

import (
	"sync"

	"github.com/tiktoken-go/tokenizer"

	"github.com/routex-app/routex/backend/protocol"
)

// Per-item overheads, from how chat formats frame their parts.
const (
	perMessage = 4
	perTool    = 8
	// perImage is what a typical screenshot costs (Anthropic: width×height/750,
	// capped near 1600 for a 1.15-megapixel image).
	perImage    = 1600
	perDocument = 3000
)

var codec = sync.OnceValue(func() tokenizer.Codec {
	c, err := tokenizer.Get(tokenizer.O200kBase)
	if err != nil {
		return nil
	}
	return c
})

// Count returns the tokens in s. Without a tokenizer (never expected; the
// vocabulary is embedded) it falls back to four bytes a token.
func Count(s string) int {
	if s == "" {
		return 0
	}
	if c := codec(); c != nil {
		if n, err := c.Count(s); err == nil {
			return n
		}
	}
	return (len(s) + 3) / 4
}

// Quick estimates text at about a gigabyte a second, where the tokenizer
// manages a few megabytes: four bytes a token for ASCII, one token a
// character beyond it (CJK text runs near that). It serves the hot path,
// such as message_start, where an exact count would delay the first byte.
func Quick(s string) int {
	ascii, other := 0, 0
	for _, r := range s {
		if r < 0x80 {
			ascii++
		} else {
			other++
		}
	}
	return (ascii+3)/4 + other
}

// Request counts the input tokens of req with the tokenizer: system prompt,
// messages, tool definitions. It is never 0 for a request with any content.
func Request(req *protocol.Request) int { return request(req, Count) }

// RequestQuick is Request with Quick in place of the tokenizer.
func RequestQuick(req *protocol.Request) int { return request(req, Quick) }

func request(req *protocol.Request, count func(string) int) int {
	n := 0
	for _, b := range req.System {
		n += count(b.Text)
	}
	for _, m := range req.Messages {
		n += perMessage + blocks(m.Content, count) + count(m.Reasoning)
	}
	for _, t := range req.Tools {
		n += perTool + count(t.Name) + count(t.Description) + count(string(t.Schema))
	}
	if n == 0 && (len(req.Messages) > 0 || len(req.System) > 0) {
		n = 1
	}
	return n
}

// Blocks counts the tokens of content blocks with the tokenizer.
func Blocks(bs []protocol.Block) int { return blocks(bs, Count) }

func blocks(bs []protocol.Block, count func(string) int) int {
	n := 0
	for _, b := range bs {
		switch b.Type {
		case protocol.BlockText:
			n += count(b.Text)
		case protocol.BlockThinking:
			n += count(b.Thinking)
		case protocol.BlockToolUse:
			n += count(b.Name) + count(string(b.Input))
		case protocol.BlockToolResult:
			n += count(b.Text) + blocks(b.Content, count)
		case protocol.BlockImage:
			n += perImage
		case protocol.BlockDocument:
			n += perDocument
		}
	}
	return n
}
