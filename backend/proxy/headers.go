package proxy

import (
	"net/http"
	"strings"

	"github.com/routex-app/routex/backend/provider"
	"github.com/routex-app/routex/backend/store"
)

// dropRequest lists client headers that never go upstream: hop-by-hop
// headers, the client's credentials (replaced by the channel's), and what
// the transport sets itself. Accept-Encoding is left to the transport so it
// can decompress what Routex reads.
var dropRequest = map[string]bool{
	"Authorization": true, "X-Api-Key": true, "X-Goog-Api-Key": true, "Cookie": true,
	"Host": true, "Content-Length": true, "Accept-Encoding": true,
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authorization": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Forwarded": true, "X-Forwarded-For": true, "X-Forwarded-Host": true, "X-Forwarded-Proto": true,
	"X-Real-Ip": true,
}

// dropResponse lists upstream headers that never go back to the client.
var dropResponse = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Te": true, "Trailer": true,
	"Transfer-Encoding": true, "Upgrade": true, "Set-Cookie": true, "Alt-Svc": true,
	"Access-Control-Allow-Origin": true, "Access-Control-Allow-Credentials": true,
	"Access-Control-Allow-Headers": true, "Access-Control-Allow-Methods": true,
	"Access-Control-Expose-Headers": true,
}

func copyRequestHeaders(dst, src http.Header) {
	for k, vs := range src {
		if dropRequest[k] || strings.HasPrefix(k, "Sec-") {
			continue
		}
		dst[k] = append([]string(nil), vs...)
	}
}

func copyResponseHeaders(dst, src http.Header) {
	for k, vs := range src {
		if !dropResponse[k] {
			dst[k] = append([]string(nil), vs...)
		}
	}
}

// copyRetryHeaders keeps the hints a client needs to back off after an
// upstream error, and nothing else of that response.
func copyRetryHeaders(dst, src http.Header) {
	for k, vs := range src {
		lk := strings.ToLower(k)
		if lk == "retry-after" || lk == "request-id" || lk == "x-request-id" ||
			strings.HasPrefix(lk, "anthropic-ratelimit-") || strings.HasPrefix(lk, "x-ratelimit-") {
			dst[k] = append([]string(nil), vs...)
		}
	}
}

// convertedRequestHeaders starts a converted request's headers afresh: a
// header of the client's format (anthropic-beta, x-stainless-…) means
// nothing to another provider and some reject it (docs/CONVERSION.md, rule 8).
func convertedRequestHeaders(dst, src http.Header) {
	if ua := src.Get("User-Agent"); ua != "" {
		dst.Set("User-Agent", ua)
	}
	dst.Set("Content-Type", "application/json")
}

// setChannelAuth puts the channel's own key where its provider expects it,
// then the channel's custom headers, which win over everything else.
func setChannelAuth(h http.Header, ch *store.Channel, key string) {
	if p := provider.For(ch.Type); p != nil {
		p.Authorize(h, key)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	for k, v := range ch.Headers {
		h.Set(k, v)
	}
}
