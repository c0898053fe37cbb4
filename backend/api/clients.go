package api

import (
	"errors"
	"net/http"
	"sync"

	"github.com/routex-app/routex/backend/clients"
	"github.com/routex-app/routex/backend/store"
)

// ClientsConfig is what the client endpoints need to point Claude Code,
// Gemini CLI and Codex CLI at the engine. The engine sets it once, before serving.
type ClientsConfig struct {
	// BaseURL is the engine's URL as a tool on this machine reaches it.
	BaseURL string
	// AccessKeyFunc returns the key tools send to /v1. It is asked at each
	// attach, so a key regenerated from the dashboard is the one written
	// (pass config.Keys.Access); it must be safe for concurrent use.
	AccessKeyFunc func() string
	// Home is ROUTEX_HOME: backups and attach records go there.
	Home string
	// ClaudePath, GeminiPath and CodexPath override the tools' settings
	// files; empty means the defaults (~/.claude/settings.json,
	// ~/.gemini/.env, ~/.codex/config.toml).
	ClaudePath string
	GeminiPath string
	CodexPath  string
}

// clientNames are the tools /api/clients knows, in the order it lists them.
var clientNames = []string{"claude", "gemini", "codex"}

// directTypes is the channel type each tool needs in direct mode: with no
// engine in between nothing converts, so the channel must speak the tool's
// own format (Anthropic, Gemini, OpenAI Responses).
var directTypes = map[string]string{"claude": "anthropic", "gemini": "gemini", "codex": clients.CodexChannelType}

// clientsAPI serialises attach and detach: two clicks must not interleave
// two read-modify-write cycles on the same settings file.
type clientsAPI struct {
	cfg ClientsConfig
	mu  sync.Mutex
}

// accessKey is the key to write into a tool's settings; "" when the
// engine gave no way to get it.
func (c *clientsAPI) accessKey() string {
	if c.cfg.AccessKeyFunc == nil {
		return ""
	}
	return c.cfg.AccessKeyFunc()
}

// client opens the named tool's settings ("claude", "gemini" or "codex").
func (c *clientsAPI) client(name string, s *Server) (*clients.Client, error) {
	switch name {
	case "claude":
		return clients.NewClaude(c.cfg.Home, clients.WithPath(c.cfg.ClaudePath), clients.WithLogger(s.log))
	case "gemini":
		return clients.NewGemini(c.cfg.Home, clients.WithPath(c.cfg.GeminiPath), clients.WithLogger(s.log))
	case "codex":
		return clients.NewCodex(c.cfg.Home, clients.WithPath(c.cfg.CodexPath), clients.WithLogger(s.log))
	}
	return nil, errNoSuchClient
}

var errNoSuchClient = errors.New("no such client")

// clientView is one tool in GET /api/clients.
type clientView struct {
	clients.Status
	Error string `json:"error,omitempty"`
}

func (s *Server) listClients(w http.ResponseWriter, r *http.Request) {
	if s.clients == nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "client settings are not available in this process", nil)
		return
	}
	out := map[string]clientView{}
	for _, name := range clientNames {
		c, err := s.clients.client(name, s)
		if err != nil {
			out[name] = clientView{Status: clients.Status{State: "error"}, Error: err.Error()}
			continue
		}
		st, err := c.Status(s.clients.cfg.BaseURL)
		v := clientView{Status: st}
		if err != nil {
			v.State, v.Error = "error", err.Error()
		}
		out[name] = v
	}
	writeJSON(w, http.StatusOK, out)
}

// attachRequest is the body of POST /api/clients/{name}/attach.
type attachRequest struct {
	Mode      string         `json:"mode"`
	ChannelID int64          `json:"channel_id"`
	Models    clients.Models `json:"models"`
}

func (s *Server) attachClient(w http.ResponseWriter, r *http.Request) {
	c, ok := s.openClient(w, r)
	if !ok {
		return
	}
	var req attachRequest
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	mode, err := clients.ParseMode(req.Mode)
	if err != nil {
		s.fail(w, r, ValidationError{"mode": {Code: "one_of", Message: "mode must be proxy or direct"}})
		return
	}
	opts := clients.AttachOptions{Mode: mode, BaseURL: s.clients.cfg.BaseURL, Token: s.clients.accessKey(), Models: req.Models}
	switch {
	case c.Name() == "gemini" && req.Models != (clients.Models{}):
		s.fail(w, r, ValidationError{"models": {Code: "unsupported", Message: "models apply to Claude Code and Codex only"}})
		return
	case c.Name() == "codex" && req.Models != (clients.Models{Default: req.Models.Default}):
		s.fail(w, r, ValidationError{"models": {Code: "unsupported", Message: "Codex takes one model (models.model); sonnet, opus and haiku are Claude Code's"}})
		return
	}
	if mode == clients.ModeDirect {
		if opts.BaseURL, opts.Token, err = s.directTarget(r, c.Name(), req.ChannelID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if c.Name() == "claude" && req.Models == (clients.Models{}) {
		// Claude Code's model slots come from the channel it is pointed at
		// (direct) or the active provider (proxy), unless the request
		// names its own.
		opts.Models = s.channelSlots(r.Context(), mode, req.ChannelID)
	}
	s.clients.mu.Lock()
	res, err := c.Attach(opts)
	s.clients.mu.Unlock()
	s.clientResult(w, r, c, res, err)
}

// directTarget is the URL and key of the channel a direct attach writes;
// the channel must be of the tool's directTypes type.
func (s *Server) directTarget(r *http.Request, client string, id int64) (string, string, error) {
	if id <= 0 {
		return "", "", ValidationError{"channel_id": {Code: "required", Message: "direct mode needs channel_id"}}
	}
	ch, err := s.store.Channel(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", ValidationError{"channel_id": {Code: "not_found", Message: "no such channel"}}
	}
	if err != nil {
		return "", "", err
	}
	want := directTypes[client]
	if ch.Type != want {
		return "", "", ValidationError{"channel_id": {Code: "wrong_type",
			Message: "direct mode needs a channel of type " + want + "; " + ch.Name + " is " + ch.Type}}
	}
	return ch.BaseURL, ch.Keys()[0], nil
}

func (s *Server) detachClient(w http.ResponseWriter, r *http.Request) {
	c, ok := s.openClient(w, r)
	if !ok {
		return
	}
	s.clients.mu.Lock()
	res, err := c.Detach()
	s.clients.mu.Unlock()
	s.clientResult(w, r, c, res, err)
}

func (s *Server) openClient(w http.ResponseWriter, r *http.Request) (*clients.Client, bool) {
	if s.clients == nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "client settings are not available in this process", nil)
		return nil, false
	}
	c, err := s.clients.client(r.PathValue("name"), s)
	if errors.Is(err, errNoSuchClient) {
		writeError(w, http.StatusNotFound, "not_found", "no such client: use claude, gemini or codex", nil)
		return nil, false
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return c, true
}

// clientResult answers an attach or detach with what changed and the
// status after it.
func (s *Server) clientResult(w http.ResponseWriter, r *http.Request, c *clients.Client, res clients.Result, err error) {
	var syn *clients.SyntaxError
	switch {
	case errors.As(err, &syn):
		writeError(w, http.StatusUnprocessableEntity, "invalid_settings", err.Error(), nil)
		return
	case errors.Is(err, clients.ErrNotAttached):
		writeError(w, http.StatusConflict, "not_attached", "Routex has not attached "+c.Path()+"; there is nothing to undo", nil)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	st, err := c.Status(s.clients.cfg.BaseURL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"path": res.Path, "backup": res.Backup, "changed": res.Changed, "kept": res.Kept, "status": st,
	})
}

// followActive keeps direct-mode attachments pointing at the active
// provider: in direct mode a tool talks to the provider itself, so when the
// user switches providers (dashboard, tray, CLI) its settings are rewritten
// to the new channel's URL and key — as cc-switch does. Proxy mode needs
// nothing: the switch happens inside the engine. Failures are logged, not
// returned: the switch itself has succeeded.
func (s *Server) followActive(ch store.Channel) {
	if s.clients == nil {
		return
	}
	s.followSlots(ch)
	for _, name := range clientNames {
		if ch.Type != directTypes[name] {
			continue
		}
		c, err := s.clients.client(name, s)
		if err != nil {
			continue
		}
		st, err := c.Status(s.clients.cfg.BaseURL)
		if err != nil || st.State != clients.Attached || st.Mode != clients.ModeDirect {
			continue
		}
		opts := clients.AttachOptions{Mode: clients.ModeDirect, BaseURL: ch.BaseURL, Token: ch.Keys()[0]}
		if name == "claude" {
			opts.Models = slotsOf(ch.ClaudeModels)
		}
		s.clients.mu.Lock()
		_, err = c.Attach(opts)
		s.clients.mu.Unlock()
		if err != nil {
			s.log.Warn("could not point a direct-mode client at the new provider", "client", name, "channel", ch.Name, "error", err)
		} else {
			s.log.Info("direct-mode client follows the active provider", "client", name, "channel", ch.Name)
		}
	}
}
