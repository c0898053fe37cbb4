package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/channeltest"
	"github.com/routex-app/routex/backend/store"
)

// draft is the channel a body being written describes, for a test or a
// model list of what is not saved: the body (a channel as POST
// /api/channels takes it, plus the fields extra names) over the stored
// channel its id names, or over a new channel's defaults. With an id, what
// the edit dialog never sees comes from the stored channel: the key when
// none is sent, the real secrets where their masks are sent back.
func (s *Server) draft(r *http.Request, extra ...string) (store.Channel, map[string]json.RawMessage, error) {
	in, ex, err := decodeChannel(r, extra...)
	if err != nil {
		return store.Channel{}, nil, err
	}
	c := store.Channel{Priority: 1, Weight: 1, Enabled: true}
	if in.ID > 0 {
		if c, err = s.store.Channel(r.Context(), in.ID); err != nil {
			return store.Channel{}, nil, err
		}
	}
	stored := c
	in.apply(&c)
	restoreMasked(&c, stored)
	return c, ex, nil
}

func (s *Server) upstreamClient() *http.Client {
	if s.upstream != nil {
		return s.upstream
	}
	return http.DefaultClient
}

// testInput is the body of POST /api/channels/{id}/test: optional. Key,
// when set, tests that one of the channel's keys (by index) alone.
type testInput struct {
	Model string `json:"model"`
	Key   *int   `json:"key"`
}

// testChannel answers POST /api/channels/{id}/test with the stored channel
// and its real key.
func (s *Server) testChannel(w http.ResponseWriter, r *http.Request) {
	id, err := channelID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in testInput
	if err := decodeOptional(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.store.Channel(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	key := -1
	if in.Key != nil {
		keys := c.Keys()
		if *in.Key < 0 || *in.Key >= len(keys) {
			s.fail(w, r, ValidationError{"key": {Code: "range", Message: fmt.Sprintf("key must be between 0 and %d: the channel has %d keys", len(keys)-1, len(keys))}})
			return
		}
		key = *in.Key
		c.APIKey, c.APIKeys = keys[key], nil
	}
	var requests int64
	if s.health != nil {
		requests = s.health(id).Requests
	}
	res := s.test(r, c, firstNonEmpty(in.Model, r.URL.Query().Get("model")))
	// Recorded before answering: the window re-reads the channel at once.
	s.tests.record(id, key, string(res.Verdict), time.Now(), requests)
	writeJSON(w, http.StatusOK, res)
}

// testUnsaved answers POST /api/channels/test for a channel being written,
// validated as a save would be.
func (s *Server) testUnsaved(w http.ResponseWriter, r *http.Request) {
	// The body is a channel as POST /api/channels takes it, plus the model
	// to test. With an id and no key, the stored channel's key is used: the
	// edit dialog never sees keys.
	c, extra, err := s.draft(r, "model")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var test testInput
	if raw, ok := extra["model"]; ok {
		if err := decodeBytes(append(append([]byte(`{"model":`), raw...), '}'), &test); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := validateChannel(c); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.test(r, c, firstNonEmpty(test.Model, r.URL.Query().Get("model"))))
}

// test runs the connection test of c.
func (s *Server) test(r *http.Request, c store.Channel, model string) channeltest.Result {
	res := channeltest.Test(r.Context(), s.upstreamClient(), c, channeltest.Options{Model: strings.TrimSpace(model)})
	s.log.Info("channel tested", "channel", c.Name, "type", c.Type, "model", res.Model, "verdict", res.Verdict,
		"status", res.Status, "ttft_ms", res.TTFTMS)
	return res
}

// decodeOptional decodes a JSON body when there is one; an empty body
// leaves v as it is.
func decodeOptional(r *http.Request, v any) error {
	if r.Body == nil || r.ContentLength == 0 {
		return nil
	}
	err := decode(r, v)
	var ve ValidationError
	if errors.As(err, &ve) {
		if f, ok := ve["body"]; ok && strings.Contains(f.Message, io.EOF.Error()) {
			return nil // chunked but empty
		}
	}
	return err
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
