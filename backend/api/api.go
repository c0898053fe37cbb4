// Package api is the admin REST API under /api that the dashboard, the
// desktop window and the CLI use to read and change Routex's state.
package api

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/store"
)

// Info describes the running engine for the dashboard's footer and the CLI.
type Info struct {
	Version string `json:"version"`
	Listen  string `json:"listen"`
	BaseURL string `json:"base_url"`
	Home    string `json:"home"`
	Started time.Time
}

// Server holds the API's dependencies (see Deps).
type Server struct {
	store   Store
	explain func(f protocol.Format, model string, body []byte, hdr http.Header) (any, error)
	health  func(channelID int64) wire.ChannelHealth
	clients *clientsAPI
	info    Info
	log     *slog.Logger
	mux     *http.ServeMux
	// upstream sends connection tests; conf backs /api/settings.
	upstream *http.Client
	conf     *settingsConf
	// obs backs the request log, stats, price and live event endpoints.
	obs observeAPI
	// keys backs /api/keys.
	keys KeyManager
	// balanceChanged tells the engine a balance or threshold changed.
	balanceChanged func()
	// tests remembers connection tests for the health status;
	// keyCooldowns reads each key's rate-limit state.
	tests        tests
	keyCooldowns func(channelID int64, n int) []time.Time
	// changed hears of every write; resetHealth forgets
	// what the balancer learned of a channel whose URL or keys changed.
	changed     func(what string)
	resetHealth func(channelID int64)
	// logins are the one-time codes of login links; tray is the desktop
	// tray's state (SetTray).
	logins     logins
	trayMu     sync.Mutex
	tray       string
	trayReason string
}

// routes registers every endpoint on the server's mux.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /api/channels", s.listChannels)
	s.mux.HandleFunc("POST /api/channels", s.createChannel)
	s.mux.HandleFunc("GET /api/channels/{id}", s.getChannel)
	s.mux.HandleFunc("PUT /api/channels/{id}", s.putChannel)
	s.mux.HandleFunc("PATCH /api/channels/{id}", s.patchChannel)
	s.mux.HandleFunc("DELETE /api/channels/{id}", s.deleteChannel)
	s.mux.HandleFunc("POST /api/channels/{id}/duplicate", s.duplicateChannel)
	s.mux.HandleFunc("GET /api/routes", s.getRoutes)
	s.mux.HandleFunc("PUT /api/routes", s.putRoutes)
	s.mux.HandleFunc("POST /api/routes/explain", s.explainRoute)
	s.mux.HandleFunc("GET /api/active", s.getActive)
	s.mux.HandleFunc("PUT /api/active", s.putActive)
	s.mux.HandleFunc("GET /api/info", s.getInfo)
	s.mux.HandleFunc("GET /api/clients", s.listClients)
	s.mux.HandleFunc("POST /api/clients/{name}/attach", s.attachClient)
	s.mux.HandleFunc("POST /api/clients/{name}/detach", s.detachClient)
	s.mux.HandleFunc("POST /api/channels/test", s.testUnsaved)
	s.mux.HandleFunc("POST /api/channels/{id}/test", s.testChannel)
	s.mux.HandleFunc("PUT /api/channels/order", s.putOrder)
	s.mux.HandleFunc("GET /api/settings", s.getSettings)
	s.mux.HandleFunc("PUT /api/settings", s.putSettings)
	s.mux.HandleFunc("POST /api/settings/reveal", s.revealKey)
	s.mux.HandleFunc("POST /api/settings/regenerate", s.regenerateKey)
	s.accountRoutes()
	s.mux.HandleFunc("POST /api/login/link", s.newLoginLink)
	s.mux.HandleFunc("GET /api/export", s.exportRoutex)
	s.mux.HandleFunc("POST /api/import", s.importFile)
	s.mux.HandleFunc("GET /api/backups", s.listBackups)
	s.mux.HandleFunc("POST /api/backups/restore", s.restoreBackup)
	s.observeRoutes()
	s.keyRoutes()
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such API endpoint: "+r.Method+" "+r.URL.Path, nil)
	})
}

// Handler serves /api without authentication: for the desktop window, which
// reaches it in-process through the Wails asset server.
func (s *Server) Handler() http.Handler { return s.notifying(s.mux) }

// notifying tells Deps.Changed what each successful write
// changed: the first path segment after /api/ (channels, routes, active,
// settings, clients, …). Reads, explanations and tests of unsaved
// channels change nothing.
func (s *Server) notifying(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.changed == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		sw := &StatusRecorder{ResponseWriter: w, Status: http.StatusOK}
		next.ServeHTTP(sw, r)
		if sw.Status >= 400 {
			return
		}
		path := strings.TrimPrefix(r.URL.Path, "/api/")
		if path == "routes/explain" || path == "channels/test" {
			return
		}
		what, _, _ := strings.Cut(path, "/")
		if what == "active" {
			what = ChangedRoutes
		}
		s.notify(what)
	})
}

// StatusRecorder remembers the status a handler answered, for a log line
// or a change notice after it; streams flush through it. The desktop
// window's proxy to an attached engine uses it too.
type StatusRecorder struct {
	http.ResponseWriter
	Status int
}

// WriteHeader records code and sends it.
func (s *StatusRecorder) WriteHeader(code int) {
	s.Status = code
	s.ResponseWriter.WriteHeader(code)
}

// Flush lets a streaming answer through the recorder.
func (s *StatusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath.
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// WithToken guards next with the admin token, for callers over the network.
func WithToken(token string, next http.Handler) http.Handler {
	return WithTokenFunc(func() string { return token }, next)
}

// WithTokenFunc guards next with the admin token that token returns on each
// request, so a token regenerated from the dashboard applies at once
// (pass config.Keys.Admin). token must be safe for concurrent use.
func WithTokenFunc(tokenFunc func() string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := tokenFunc()
		got := ""
		if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
			got = strings.TrimSpace(a[7:])
		}
		if token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			writeError(w, http.StatusUnauthorized, "unauthorized",
				"admin token required: send Authorization: Bearer <admin_token from config.json>", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// FieldError is one invalid field: a stable code the dashboard translates,
// and an English message for everyone else.
type FieldError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ValidationError collects field errors; it answers 400.
type ValidationError map[string]FieldError

func (v ValidationError) Error() string {
	parts := make([]string, 0, len(v))
	for _, f := range slices.Sorted(maps.Keys(v)) {
		parts = append(parts, v[f].Message)
	}
	return strings.Join(parts, "; ")
}

func (v ValidationError) add(field, code, format string, args ...any) {
	if _, ok := v[field]; !ok {
		v[field] = FieldError{Code: code, Message: fmt.Sprintf(format, args...)}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, typ, msg string, fields ValidationError) {
	e := map[string]any{"type": typ, "message": msg}
	if len(fields) > 0 {
		e["fields"] = fields
	}
	writeJSON(w, status, map[string]any{"error": e})
}

// fail maps an error from the store or validation to a response.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve ValidationError
	switch {
	case writeConflict(w, err):
	case errors.As(err, &ve):
		writeError(w, http.StatusBadRequest, "validation_error", ve.Error(), ve)
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such channel", nil)
	case errors.Is(err, store.ErrDuplicateName):
		writeError(w, http.StatusConflict, "conflict", "a channel with this name already exists",
			ValidationError{"name": {Code: "unique", Message: "a channel with this name already exists"}})
	default:
		s.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		writeError(w, http.StatusInternalServerError, "internal_error", err.Error(), nil)
	}
}

// decode reads a JSON body of at most 1 MiB into v, rejecting unknown fields
// so a typo does not pass silently.
func decode(r *http.Request, v any) error {
	return decodeJSON(json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)), v)
}

// decodeBytes is decode over a body already read.
func decodeBytes(b []byte, v any) error { return decodeJSON(json.NewDecoder(bytes.NewReader(b)), v) }

func decodeJSON(dec *json.Decoder, v any) error {
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		ve := ValidationError{}
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ) && typ.Field != "":
			ve.add(typ.Field, "invalid_json", "must be %s, not %s", typ.Type, typ.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			ve.add("body", "invalid_json", "%s", strings.TrimPrefix(err.Error(), "json: "))
		default:
			ve.add("body", "invalid_json", "request body is not valid JSON: %v", err)
		}
		return ve
	}
	return nil
}

func (s *Server) getInfo(w http.ResponseWriter, r *http.Request) {
	tray, reason := s.trayState()
	writeJSON(w, http.StatusOK, map[string]any{
		"version": s.info.Version, "listen": s.info.Listen, "base_url": s.info.BaseURL,
		"home": s.info.Home, "uptime_s": int64(time.Since(s.info.Started).Seconds()),
		"tray": tray, "tray_reason": reason,
	})
}
