package provider

import (
	"net/http"
	"net/url"

	"github.com/routex-app/routex/backend/protocol"
)

// gemini is Google AI Studio's Gemini API: the model is part of the path,
// streaming is a different method with alt=sse, the key goes in
// x-goog-api-key (never in the URL, where it would reach logs).
type gemini struct{}

var _ Provider = gemini{}

func (gemini) Format() protocol.Format { return protocol.Gemini }

func (gemini) URL(base, model string, op Op, stream bool) string {
	u := trimBase(base, "/v1beta") + "/v1beta/models/" + url.PathEscape(model)
	switch {
	case op == OpCountTokens:
		return u + ":countTokens"
	case stream:
		return u + ":streamGenerateContent?alt=sse"
	}
	return u + ":generateContent"
}

func (gemini) Authorize(h http.Header, key string) { h.Set("X-Goog-Api-Key", key) }
