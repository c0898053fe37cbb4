package api

import (
	"context"
	"net/http"
	"time"

	"github.com/routex-app/routex/backend/channeltest"
	"github.com/routex-app/routex/backend/store"
)

// ModelStore keeps the model lists the providers last gave.
type ModelStore interface {
	ChannelModels(ctx context.Context, channelID int64) (store.ModelList, bool, error)
	SetChannelModels(ctx context.Context, channelID int64, models []string, fetchErr string) error
}

// modelsView is a channel's provider model list. error is the last fetch's
// failure ("" when it worked); models are then those of the last fetch
// that did.
type modelsView struct {
	Models    []string   `json:"models"`
	Error     string     `json:"error"`
	UpdatedAt *time.Time `json:"updated_at"`
}

// getModels answers GET /api/channels/{id}/models[?refresh=1] with the
// provider's model list: the cached one, fetched now when there is none
// or refresh is asked.
func (s *Server) getModels(w http.ResponseWriter, r *http.Request) {
	c, err := s.channelOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l, found, err := s.store.ChannelModels(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !found || r.URL.Query().Get("refresh") != "" {
		models, ferr := channeltest.ListModels(r.Context(), s.upstreamClient(), c)
		msg := ""
		if ferr != nil {
			msg = ferr.Error()
			s.log.Info("model list fetch failed", "channel", c.Name, "error", ferr)
		} else {
			s.log.Info("model list fetched", "channel", c.Name, "models", len(models))
		}
		if err := s.store.SetChannelModels(r.Context(), c.ID, models, msg); err != nil {
			s.fail(w, r, err)
			return
		}
		if l, _, err = s.store.ChannelModels(r.Context(), c.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, modelsView{Models: l.Models, Error: l.Error, UpdatedAt: timePtr(l.UpdatedAt)})
}

// draftModels answers POST /api/channels/models for a channel being
// written, as POST /api/channels/test does: nothing is stored. With an id
// and no key, the stored channel's key is used.
func (s *Server) draftModels(w http.ResponseWriter, r *http.Request) {
	c, _, err := s.draft(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if c.Name == "" {
		c.Name = "draft" // a draft may have no name yet; the list does not need one
	}
	if err := validateChannel(c); err != nil {
		s.fail(w, r, err)
		return
	}
	v := modelsView{Models: []string{}}
	models, err := channeltest.ListModels(r.Context(), s.upstreamClient(), c)
	if err != nil {
		v.Error = err.Error()
	} else {
		v.Models = models
		now := time.Now().UTC()
		v.UpdatedAt = &now
	}
	writeJSON(w, http.StatusOK, v)
}
