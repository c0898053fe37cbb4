package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/routex-app/routex/backend/api/wire"
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

// view is c as the API shows it (keys only as previews), with its health
// when known.
func (s *Server) view(c store.Channel) wire.Channel {
	v := view(c)
	if s.health != nil {
		h := s.withTests(s.health(c.ID), c.ID, v.KeyCount)
		v.Health = &h
	}
	return v
}

func view(c store.Channel) wire.Channel {
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
	created, updated := c.CreatedAt, c.UpdatedAt
	return wire.Channel{
		ID: c.ID, Name: c.Name, Type: c.Type, BaseURL: logging.RedactURL(c.BaseURL), APIKeyPreview: logging.Redact(c.APIKey),
		APIKeyPreviews: previews, KeyCount: len(previews),
		Models: nonNil(c.Models), ModelMap: nonNilMap(c.ModelMap), Priority: c.Priority, Weight: c.Weight,
		Enabled: c.Enabled, Headers: redactHeaders(c.Headers), Transformers: tr, TimeoutMS: c.TimeoutMS,
		CreatedAt: &created, UpdatedAt: &updated,
		ClaudeModels: claudeModelsView(c.ClaudeModels), BalanceQuery: balanceQueryView(c.BalanceQuery),
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

// forgetHealth drops what is known of a channel's health: its tests and
// the balancer's breaker, cooldowns and counters.
func (s *Server) forgetHealth(id int64) {
	s.tests.forget(id)
	if s.resetHealth != nil {
		s.resetHealth(id)
	}
}

// keepMaskedHeaders is the headers a write sends, where a value that is
// exactly the mask a read showed for a stored credential header keeps the
// stored value: the editor never sees those values and sends the mask back.
func keepMaskedHeaders(in, stored map[string]string) map[string]string {
	if len(stored) == 0 {
		return in
	}
	masked := redactHeaders(stored)
	out := make(map[string]string, len(in))
	for k, v := range in {
		if old, ok := stored[k]; ok && v != old && v == masked[k] {
			v = old
		}
		out[k] = v
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

// channelWrite is a decoded channel write: the channel's JSON and the
// fields it carries. POST and PUT send every field they want set, PATCH only
// those to change; a field sent as null counts as not sent.
type channelWrite struct {
	wire.Channel
	sent map[string]bool
	// clearKeys removes every key (keep_keys empty, no new key).
	clearKeys bool
}

// decodeChannel reads a channel write of at most 1 MiB, refusing unknown
// fields. extra names fields a caller takes beside the channel's (the
// connection test's "model"); their raw values are returned apart.
func decodeChannel(r *http.Request, extra ...string) (channelWrite, map[string]json.RawMessage, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err != nil {
		return channelWrite{}, nil, ValidationError{"body": {Code: "too_long", Message: "the body is larger than 1 MiB"}}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		// Let decodeBytes word the error as every other endpoint does.
		return channelWrite{}, nil, decodeBytes(body, &channelWrite{})
	}
	extras := map[string]json.RawMessage{}
	for _, k := range extra {
		if v, ok := fields[k]; ok {
			extras[k] = v
			delete(fields, k)
		}
	}
	rest, err := json.Marshal(fields)
	if err != nil {
		return channelWrite{}, nil, err
	}
	in := channelWrite{sent: map[string]bool{}}
	if err := decodeBytes(rest, &in.Channel); err != nil {
		return channelWrite{}, nil, err
	}
	for k, v := range fields {
		if string(v) != "null" {
			in.sent[k] = true
		}
	}
	return in, extras, nil
}

// apply copies the sent fields onto c. An empty api_key keeps the stored
// key, so a form that never saw the key can save the rest. Read-only fields
// a client echoes back from a GET (id, previews, timestamps, health) are
// ignored.
func (in channelWrite) apply(c *store.Channel) {
	set := func(field string, dst *string, src string) {
		if in.sent[field] {
			*dst = strings.TrimSpace(src)
		}
	}
	set("name", &c.Name, in.Name)
	set("type", &c.Type, in.Type)
	set("base_url", &c.BaseURL, in.BaseURL)
	if in.sent["api_key"] && strings.TrimSpace(in.APIKey) != "" {
		c.APIKey = strings.TrimSpace(in.APIKey)
		c.APIKeys = nil
	}
	if in.sent["api_keys"] {
		// Several keys replace the key set; an empty list keeps it, as an
		// empty api_key does.
		if keys := cleanModels(in.APIKeys); len(keys) > 0 {
			c.APIKey, c.APIKeys = keys[0], keys
			if len(keys) == 1 {
				c.APIKeys = nil
			}
		}
	}
	if in.clearKeys {
		c.APIKey, c.APIKeys = "", nil
	}
	if in.sent["models"] {
		c.Models = cleanModels(in.Models)
	}
	if in.sent["model_map"] {
		c.ModelMap = in.ModelMap
	}
	if in.sent["priority"] {
		c.Priority = in.Priority
	}
	if in.sent["weight"] {
		c.Weight = in.Weight
	}
	if in.sent["enabled"] {
		c.Enabled = in.Enabled
	}
	if in.sent["headers"] {
		c.Headers = keepMaskedHeaders(in.Headers, c.Headers)
	}
	if in.sent["transformers"] {
		c.Transformers = in.Transformers
	}
	if in.sent["timeout_ms"] {
		c.TimeoutMS = in.TimeoutMS
	}
	in.applyAccount(c)
}

// keepKeys reads keep_keys, the indexes of stored keys to keep (the
// editor never sees keys, so it names them by position), and makes the
// write's key set those keys followed by the new ones it sends. An empty
// list with no new key removes every key.
func (in *channelWrite) keepKeys(raw json.RawMessage, stored []string) error {
	var idx []int
	if err := json.Unmarshal(raw, &idx); err != nil {
		return ValidationError{"keep_keys": {Code: "invalid_json", Message: "keep_keys must be a list of key indexes"}}
	}
	keys := make([]string, 0, len(idx)+len(in.APIKeys)+1)
	for _, i := range idx {
		if i < 0 || i >= len(stored) || stored[i] == "" {
			return ValidationError{"keep_keys": {Code: "range", Message: fmt.Sprintf("keep_keys: no stored key %d (the channel has %d)", i, len(stored))}}
		}
		keys = append(keys, stored[i])
	}
	if k := strings.TrimSpace(in.APIKey); k != "" {
		keys = append(keys, k)
	}
	keys = cleanModels(append(keys, in.APIKeys...))
	in.APIKey, in.APIKeys = "", keys
	in.sent["api_key"], in.sent["api_keys"] = false, true
	in.clearKeys = len(keys) == 0
	return nil
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
		ve.add("type", "one_of", "type must be one of anthropic, openai, gemini, openai-responses")
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
	validateAccount(c, ve)
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
	out := make([]wire.Channel, 0, len(chs))
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
	in, _, err := decodeChannel(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := store.Channel{Priority: 1, Weight: 1, Enabled: true}
	in.apply(&c)
	if created, ok := s.insert(w, r, c); ok {
		s.log.Info("channel created", "id", created.ID, "name", created.Name, "type", created.Type)
	}
}

// insert validates c and stores it as a new channel, its name unlike every
// other's (ignoring case), and answers 201 with it; false when it answered
// an error instead.
func (s *Server) insert(w http.ResponseWriter, r *http.Request, c store.Channel) (store.Channel, bool) {
	err := validateChannel(c)
	if err == nil {
		err = s.nameClash(r.Context(), c)
	}
	var created store.Channel
	if err == nil {
		created, err = s.store.CreateChannel(r.Context(), c)
	}
	if err != nil {
		s.fail(w, r, err)
		return created, false
	}
	writeJSON(w, http.StatusCreated, s.view(created))
	return created, true
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
	in, extra, err := decodeChannel(r, "keep_keys")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.store.Channel(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if raw, ok := extra["keep_keys"]; ok && string(raw) != "null" {
		if err := in.keepKeys(raw, c.Keys()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	oldName, before := c.Name, c
	if replace {
		// A full replace starts from defaults, keeping only identity and key.
		// The balance query too: its credential headers are write-only.
		c = store.Channel{ID: c.ID, APIKey: c.APIKey, Priority: 1, Weight: 1, Enabled: true, CreatedAt: c.CreatedAt,
			BalanceQuery: c.BalanceQuery}
	}
	in.apply(&c)
	restoreMasked(&c, before)
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
	s.slotsChanged(r.Context(), updated)
	if before.BaseURL != updated.BaseURL || before.Type != updated.Type || !slices.Equal(before.Keys(), updated.Keys()) {
		s.forgetHealth(updated.ID)
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
		s.forgetHealth(id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("channel deleted", "id", id)
	w.WriteHeader(http.StatusNoContent)
}

// duplicateChannel answers POST /api/channels/{id}/duplicate: a copy of
// the channel with everything the API never shows (its keys, its
// credential headers), under {"name"} or "<name>-copy". The window's
// Duplicate uses it, since it cannot copy what it never sees.
func (s *Server) duplicateChannel(w http.ResponseWriter, r *http.Request) {
	id, err := channelID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeOptional(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	src, err := s.store.Channel(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		chs, err := s.store.Channels(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		name = copyName(src.Name, chs)
	}
	c := src
	c.ID, c.Name = 0, name
	c.Models, c.APIKeys = slices.Clone(src.Models), slices.Clone(src.APIKeys)
	c.ModelMap, c.Headers = maps.Clone(src.ModelMap), maps.Clone(src.Headers)
	if created, ok := s.insert(w, r, c); ok {
		s.log.Info("channel duplicated", "from", src.Name, "id", created.ID, "name", created.Name)
	}
}

// copyName is "<name>-copy", or "<name>-copy-2" and on when taken, within
// the name length limit.
func copyName(name string, chs []store.Channel) string {
	taken := map[string]bool{}
	for _, c := range chs {
		taken[strings.ToLower(c.Name)] = true
	}
	for n := 1; ; n++ {
		suffix := "-copy"
		if n > 1 {
			suffix = fmt.Sprintf("-copy-%d", n)
		}
		base := name
		if len(base)+len(suffix) > maxNameLen {
			base = base[:maxNameLen-len(suffix)]
		}
		if !taken[strings.ToLower(base+suffix)] {
			return base + suffix
		}
	}
}
