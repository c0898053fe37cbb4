package api

import (
	"io"
	"net/http"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// explainRoute answers POST /api/routes/explain?format=anthropic|openai|gemini|openai-responses&model=…
// with the body a client would send. Headers named in the query as
// header=name:value take part, for header rules.
func (s *Server) explainRoute(w http.ResponseWriter, r *http.Request) {
	if s.explain == nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "routing is not running", nil)
		return
	}
	q := r.URL.Query()
	format := protocol.Anthropic
	if f := q.Get("format"); f != "" {
		var err error
		if format, err = protocol.ParseFormat(f); err != nil {
			s.fail(w, r, ValidationError{"format": {Code: "one_of", Message: "format must be anthropic, openai, gemini or openai-responses"}})
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 32<<20))
	if err != nil {
		s.fail(w, r, ValidationError{"body": {Code: "too_long", Message: "the body is larger than 32 MiB"}})
		return
	}
	hdr := http.Header{}
	for _, kv := range q["header"] {
		if name, value, ok := strings.Cut(kv, ":"); ok {
			hdr.Add(name, value)
		}
	}
	out, err := s.explain(format, q.Get("model"), body, hdr)
	if err != nil {
		s.fail(w, r, ValidationError{"body": {Code: "invalid_json", Message: err.Error()}})
		return
	}
	writeJSON(w, http.StatusOK, out)
}
