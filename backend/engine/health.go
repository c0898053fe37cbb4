package engine

import (
	"time"

	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/config"
)

// balanceOptions turns the config's routing section into balancer options;
// zero fields keep the balancer's defaults.
func balanceOptions(r config.Routing) balance.Options {
	return balance.Options{
		FailureThreshold: r.FailureThreshold,
		Cooldown:         time.Duration(r.CooldownS) * time.Second,
		AffinitySize:     r.AffinitySize,
		AffinityTTL:      time.Duration(r.AffinityTTLS) * time.Second,
	}
}

// newHealthView is a channel's health as /api/channels shows it.
func newHealthView(h balance.Health) wire.ChannelHealth {
	v := wire.ChannelHealth{State: h.State, Failures: h.Failures, LastError: h.LastError, TTFTMillis: h.TTFTMillis,
		InFlight: h.InFlight, Requests: h.Requests, Failed: h.Failed}
	if !h.CooldownUntil.IsZero() {
		t := h.CooldownUntil.UTC()
		v.CooldownUntil = &t
	}
	return v
}
