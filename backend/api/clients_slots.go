package api

import (
	"context"

	"github.com/routex-app/routex/backend/clients"
	"github.com/routex-app/routex/backend/store"
)

// slotsOf is a channel's Claude Code model slots as the clients package
// writes them.
func slotsOf(m store.ClaudeModels) clients.Models {
	return clients.Models{Default: m.Model, Opus: m.Opus, Sonnet: m.Sonnet, Haiku: m.Haiku, SmallFast: m.SmallFast}
}

// channelSlots are the slots an attach writes when the request names none:
// the channel's in direct mode, the active provider's in proxy mode.
func (s *Server) channelSlots(ctx context.Context, mode clients.Mode, channelID int64) clients.Models {
	if mode == clients.ModeDirect {
		if ch, err := s.store.Channel(ctx, channelID); err == nil {
			return slotsOf(ch.ClaudeModels)
		}
		return clients.Models{}
	}
	if ch, ok := s.activeChannel(ctx); ok {
		return slotsOf(ch.ClaudeModels)
	}
	return clients.Models{}
}

// activeChannel is the channel of the first "default" route target.
func (s *Server) activeChannel(ctx context.Context) (store.Channel, bool) {
	rt, chs, err := s.routing(ctx)
	if err != nil {
		return store.Channel{}, false
	}
	ch, _, ok := activeTarget(rt, chs)
	return ch, ok
}

// followSlots rewrites Claude Code's model slots when it is attached in
// proxy mode and the active provider changes: the engine switches the
// provider, the settings name the new provider's models (or, when it has
// none, give back the user's own). Direct mode is followActive's. Failures
// are logged: the switch itself has succeeded.
func (s *Server) followSlots(ch store.Channel) {
	c, err := s.clients.client("claude", s)
	if err != nil {
		return
	}
	st, err := c.Status(s.clients.cfg.BaseURL)
	if err != nil || st.State != clients.Attached || st.Mode != clients.ModeProxy {
		return
	}
	s.clients.mu.Lock()
	res, err := c.Attach(clients.AttachOptions{Mode: clients.ModeProxy, BaseURL: s.clients.cfg.BaseURL,
		Token: s.clients.accessKey(), Models: slotsOf(ch.ClaudeModels)})
	s.clients.mu.Unlock()
	if err != nil {
		s.log.Warn("could not set Claude Code's model slots for the new provider", "channel", ch.Name, "error", err)
	} else if res.Changed {
		s.log.Info("Claude Code's model slots follow the active provider", "channel", ch.Name)
	}
}

// slotsChanged re-applies the attachments when the active provider's slots
// (or URL and key) were edited.
func (s *Server) slotsChanged(ctx context.Context, updated store.Channel) {
	if s.clients == nil {
		return
	}
	if active, ok := s.activeChannel(ctx); ok && active.ID == updated.ID {
		s.followActive(updated)
	}
}
