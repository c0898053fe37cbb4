package proxy

import (
	"encoding/json"
	"net/http"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/convert"
	"github.com/routex-app/routex/backend/protocol/tokens"
)

// countsUpstream reports whether a channel of type channel has a token
// count endpoint for the client's format: Anthropic's count_tokens and the
// Responses API's input_tokens, for their own clients. Everything else is
// counted locally.
func countsUpstream(client protocol.Format, channel string) bool {
	f := protocol.Format(channel)
	return f == client && (f == protocol.Anthropic || f == protocol.Responses)
}

// countLocally answers count_tokens (Anthropic), countTokens (Gemini) or
// input_tokens (Responses) with
// the embedded tokenizer, for channels whose provider has no such endpoint
// for this format. Claude Code uses the count to decide when to compact, so
// an estimate is far better than an error.
func (q *request) countLocally() {
	w, in, rec := q.w, &q.in, &q.rec
	body := in.body
	if in.format == protocol.Anthropic && len(body) > 0 {
		// count_tokens bodies carry no max_tokens; the decoder must not
		// reject them for it.
		if b, err := setDefault(body, "max_tokens", 1); err == nil {
			body = b
		}
	}
	if in.format == protocol.Responses && len(body) > 0 {
		// input_tokens may count instructions or tools alone.
		if b, err := setDefault(body, "input", " "); err == nil {
			body = b
		}
	}
	req, err := convert.For(in.format).DecodeRequest(body)
	if err != nil {
		rec.Status, rec.Error = http.StatusBadRequest, err.Error()
		writeError(w, in.format, rec.Status, protocol.InvalidRequest, err.Error())
		return
	}
	n := tokens.Request(req)
	rec.Status, rec.InputTokens, rec.UsageEstimated = http.StatusOK, int64(n), true
	var out any = map[string]int{"input_tokens": n}
	switch in.format {
	case protocol.Gemini:
		out = map[string]int{"totalTokens": n}
	case protocol.Responses:
		out = map[string]any{"object": "response.input_tokens", "input_tokens": n}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
