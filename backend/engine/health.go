package engine

import (
	"time"

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

// healthView is a channel's health as /api/channels shows it.
type healthView struct {
	State         string     `json:"state"` // closed (healthy), open, half_open
	Failures      int        `json:"failures"`
	CooldownUntil *time.Time `json:"cooldown_until,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	TTFTMillis    float64    `json:"ttft_ms"`
	InFlight      int        `json:"in_flight"`
	Requests      int64      `json:"requests"`
	Failed        int64      `json:"failed"`
}

func newHealthView(h balance.Health) healthView {
	v := healthView{State: h.State, Failures: h.Failures, LastError: h.LastError, TTFTMillis: h.TTFTMillis,
		InFlight: h.InFlight, Requests: h.Requests, Failed: h.Failed}
	if !h.CooldownUntil.IsZero() {
		t := h.CooldownUntil.UTC()
		v.CooldownUntil = &t
	}
	return v
}
