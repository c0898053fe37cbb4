// Package bigbody builds the large request bodies that memory benchmarks
// send (the proxy's micro-benchmarks and the loopback bench), so both
// measure the same shape: a Claude Code turn carrying screenshots.
package bigbody

import "encoding/base64"

// ImageContent is the content of one Anthropic user message of about size
// bytes: as many 512 KiB base64 PNG-like images as fit, then a text
// question. The image bytes are fixed, so every run sends the same body.
func ImageContent(size int) []any {
	raw := make([]byte, 384<<10) // 512 KiB once in base64
	for i := range raw {
		raw[i] = byte(i*7 + i>>8)
	}
	img := base64.StdEncoding.EncodeToString(raw)
	var content []any
	for n := 0; n+len(img)+512 < size; n += len(img) + 128 {
		content = append(content, map[string]any{"type": "image",
			"source": map[string]any{"type": "base64", "media_type": "image/png", "data": img}})
	}
	return append(content, map[string]any{"type": "text", "text": "what changed between these screenshots?"})
}
