package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/logging"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/store"
	"github.com/routex-app/routex/backend/transform"
)

// Limits of channel fields, checked on every write.
const (
	maxNameLen  = 64
	maxPriority = 1000
	maxWeight   = 1000
	maxTimeout  = 3_600_000
)

// channelView is a channel as the API shows it: the key only as a preview.
type channelView struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	Type          string `json:"type"`
	BaseURL       string `json:"base_url"`
	APIKeyPreview string `json:"api_key_preview"`
	// APIKeyPreviews has one preview per key when the channel rotates
	// several; KeyCount says how many there are.
	APIKeyPreviews []string          `json:"api_key_previews"`
	KeyCount       int               `json:"key_count"`
	Models         []string          `json:"models"`
	ModelMap       map[string]string `json:"model_map"`
	Priority       int               `json:"priority"`
	Weight         int               `json:"weight"`
	Enabled        bool              `json:"enabled"`
	Headers        map[string]string `json:"headers"`
	Transformers   json.RawMessage   `json:"transformers"`
	TimeoutMS      int               `json:"timeout_ms"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	// Health is the channel's live state (breaker, cooldown, latency) when
	// the engine runs the proxy.
	Health any `json:"health,omitempty"`
}

// view is c as the API shows it, with its health when known.
func (s *Server) view(c store.Channel) channelView {
	v := view(c)
	if s.health != nil {
		v.Health = s.health(c.ID)
	}
	return v
}

func view(c store.Channel) channelView {
	tr := c.Transformers
	if len(tr) == 0 {
		tr = json.RawMessage("[]")
	}
	keys := c.Keys()
	previews := make([]string, 0, len(keys))
	for _, k := range keys {
		if k != "" {
			previews = append(previews, logging.Redact(k))
		}
	}
	return channelView{
		ID: c.ID, Name: c.Name, Type: c.Type, BaseURL: logging.RedactURL(c.BaseURL), APIKeyPreview: logging.Redact(c.APIKey),
		APIKeyPreviews: previews, KeyCount: len(previews),
		Models: nonNil(c.Models), ModelMap: nonNilMap(c.ModelMap), Priority: c.Priority, Weight: c.Weight,
		Enabled: c.Enabled, Headers: redactHeaders(c.Headers), Transformers: tr, TimeoutMS: c.TimeoutMS,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// redactHeaders shows custom header values only as previews, as keys are:
// Routex cannot tell a project id from a credential, so every value is
// treated as secret.
func redactHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = logging.Redact(v)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// channelInput is a write: POST and PUT send every field they want set,
// PATCH only those to change. Pointers tell absent from zero.
type channelInput struct {
	Name         *string            `json:"name"`
	Type         *string            `json:"type"`
	BaseURL      *string            `json:"base_url"`
	APIKey       *string            `json:"api_key"`
	APIKeys      *[]string          `json:"api_keys"`
	Models       *[]string          `json:"models"`
	ModelMap     *map[string]string `json:"model_map"`
	Priority     *int               `json:"priority"`
	Weight       *int               `json:"weight"`
	Enabled      *bool              `json:"enabled"`
	Headers      *map[string]string `json:"headers"`
	Transformers *json.RawMessage   `json:"transformers"`
	TimeoutMS    *int               `json:"timeout_ms"`

	// Read-only fields a client may echo back from a GET; ignored.
	ID             *int64     `json:"id"`
	APIKeyPreview  *string    `json:"api_key_preview"`
	APIKeyPreviews *[]string  `json:"api_key_previews"`
	KeyCount       *int       `json:"key_count"`
	CreatedAt      *time.Time `json:"created_at"`
	UpdatedAt      *time.Time `json:"updated_at"`
}

// apply copies the present fields onto c. An empty api_key keeps the stored
// key, so a form that never saw the key can save the rest.
func (in channelInput) apply(c *store.Channel) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&c.Name, in.Name)
	set(&c.Type, in.Type)
	set(&c.BaseURL, in.BaseURL)
	if in.APIKey != nil && strings.TrimSpace(*in.APIKey) != "" {
		c.APIKey = strings.TrimSpace(*in.APIKey)
		c.APIKeys = nil
	}
	if in.APIKeys != nil {
		// Several keys replace the key set; an empty list keeps it, as an
		// empty api_key does.
		if keys := cleanModels(*in.APIKeys); len(keys) > 0 {
			c.APIKey, c.APIKeys = keys[0], keys
			if len(keys) == 1 {
				c.APIKeys = nil
			}
		}
	}
	if in.Models != nil {
		c.Models = cleanModels(*in.Models)
	}
	if in.ModelMap != nil {
		c.ModelMap = *in.ModelMap
	}
	if in.Priority != nil {
		c.Priority = *in.Priority
	}
	if in.Weight != nil {
		c.Weight = *in.Weight
	}
	if in.Enabled != nil {
		c.Enabled = *in.Enabled
	}
	if in.Headers != nil {
		c.Headers = *in.Headers
	}
	if in.Transformers != nil {
		c.Transformers = *in.Transformers
	}
	if in.TimeoutMS != nil {
		c.TimeoutMS = *in.TimeoutMS
	}
}

func cleanModels(in []string) []string {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, m := range in {
		m = strings.TrimSpace(m)
		if m != "" && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

// validateChannel reports every invalid field of c at once.
func validateChannel(c store.Channel) error {
	ve := ValidationError{}
	switch {
	case c.Name == "":
		ve.add("name", "required", "name is required")
	case len(c.Name) > maxNameLen:
		ve.add("name", "too_long", "name must be at most %d characters", maxNameLen)
	case strings.ContainsAny(c.Name, ",\n\t"):
		ve.add("name", "invalid", "name must not contain commas or line breaks (routes write targets as \"channel,model\")")
	}
	validateText(c, ve)
	if c.Type == "" {
		ve.add("type", "required", "type is required")
	} else if _, err := protocol.ParseFormat(c.Type); err != nil {
		ve.add("type", "one_of", "type must be one of anthropic, openai, gemini")
	}
	if c.BaseURL == "" {
		ve.add("base_url", "required", "base_url is required")
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		ve.add("base_url", "url", "base_url must be an http:// or https:// URL, e.g. https://api.openai.com/v1")
	}
	if c.Priority < 0 || c.Priority > maxPriority {
		ve.add("priority", "range", "priority must be between 0 and %d (lower is tried first)", maxPriority)
	}
	if c.Weight < 1 || c.Weight > maxWeight {
		ve.add("weight", "range", "weight must be between 1 and %d", maxWeight)
	}
	if c.TimeoutMS < 0 || c.TimeoutMS > maxTimeout {
		ve.add("timeout_ms", "range", "timeout_ms must be between 0 (default) and %d", maxTimeout)
	}
	for k, v := range c.ModelMap {
		if strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			ve.add("model_map", "invalid", "model_map entries need a client model and an upstream model")
		}
	}
	for k := range c.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			ve.add("headers", "invalid", "header name %q is not valid", k)
		}
	}
	var arr []json.RawMessage
	if len(c.Transformers) > 0 && json.Unmarshal(c.Transformers, &arr) != nil {
		ve.add("transformers", "invalid_json", `transformers must be a JSON array, e.g. ["cleancache", ["maxtoken", {"max_tokens": 8192}]]`)
	} else if len(c.Transformers) > 0 {
		if _, err := transform.Parse(c.Transformers); err != nil {
			var ce *transform.ConfigError
			if errors.As(err, &ce) && !strings.Contains(err.Error(), "\n") {
				ve.add("transformers", "invalid", "%s: %s", ce.Path, ce.Message)
			} else {
				ve.add("transformers", "invalid", "%v", err)
			}
		}
	}
	if len(ve) > 0 {
		return ve
	}
	return nil
}

func channelID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, ValidationError{"id": {Code: "invalid", Message: "channel id must be a positive integer"}}
	}
	return id, nil
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request) {
	chs, err := s.store.Channels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]channelView, 0, len(chs))
	for _, c := range chs {
		out = append(out, s.view(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": out})
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	id, err := channelID(r)
	if err == nil {
		var c store.Channel
		if c, err = s.store.Channel(r.Context(), id); err == nil {
			writeJSON(w, http.StatusOK, s.view(c))
			return
		}
	}
	s.fail(w, r, err)
}

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request) {
	var in channelInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c := store.Channel{Priority: 1, Weight: 1, Enabled: true}
	in.apply(&c)
	if err := validateChannel(c); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.nameClash(r.Context(), c); err != nil {
		s.fail(w, r, err)
		return
	}
	created, err := s.store.CreateChannel(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("channel created", "id", created.ID, "name", created.Name, "type", created.Type)
	writeJSON(w, http.StatusCreated, s.view(created))
}

// putChannel replaces a channel; patchChannel changes only the fields sent.
func (s *Server) putChannel(w http.ResponseWriter, r *http.Request)   { s.update(w, r, true) }
func (s *Server) patchChannel(w http.ResponseWriter, r *http.Request) { s.update(w, r, false) }

func (s *Server) update(w http.ResponseWriter, r *http.Request, replace bool) {
	id, err := channelID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in channelInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.store.Channel(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	oldName, stored := c.Name, c
	if replace {
		// A full replace starts from defaults, keeping only identity and key.
		c = store.Channel{ID: c.ID, APIKey: c.APIKey, Priority: 1, Weight: 1, Enabled: true, CreatedAt: c.CreatedAt}
	}
	in.apply(&c)
	restoreMasked(&c, stored)
	if err := validateChannel(c); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.nameClash(r.Context(), c); err != nil {
		s.fail(w, r, err)
		return
	}
	updated, err := s.store.UpdateChannel(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if updated.Name != oldName {
		if err := s.retarget(r.Context(), oldName, updated.Name); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.log.Info("channel updated", "id", updated.ID, "name", updated.Name)
	writeJSON(w, http.StatusOK, s.view(updated))
}

func (s *Server) deleteChannel(w http.ResponseWriter, r *http.Request) {
	id, err := channelID(r)
	var c store.Channel
	if err == nil {
		c, err = s.store.Channel(r.Context(), id)
	}
	if err == nil {
		err = s.store.DeleteChannel(r.Context(), id)
	}
	if err == nil {
		err = s.retarget(r.Context(), c.Name, "")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("channel deleted", "id", id)
	w.WriteHeader(http.StatusNoContent)
}
