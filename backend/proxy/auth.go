package proxy

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// AccessKeyOK reports whether r carries key as x-api-key, a bearer token,
// x-goog-api-key or (Gemini SDKs) the key query parameter. The comparison
// takes constant time.
func AccessKeyOK(r *http.Request, key string) bool {
	if key == "" {
		return false
	}
	for _, got := range presentedKeys(r) {
		if got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(key)) == 1 {
			return true
		}
	}
	return false
}

func presentedKeys(r *http.Request) []string {
	bearer := ""
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		bearer = strings.TrimSpace(a[7:])
	}
	return []string{
		r.Header.Get("X-Api-Key"),
		bearer,
		r.Header.Get("X-Goog-Api-Key"),
		r.URL.Query().Get("key"),
	}
}
