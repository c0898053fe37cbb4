package config

import (
	"fmt"
	"time"
)

// Limits bound what clients can hold of the engine: a request body that
// stops arriving, and memory for bodies in flight. Zero fields take the
// defaults.
type Limits struct {
	// BodyIdleMS is how long a request body may send nothing before the
	// request is refused with 408 (default 30000). Headers have their own,
	// fixed limit; this is for the body.
	BodyIdleMS int `json:"body_idle_ms,omitempty"`
	// BodiesInFlightMB caps the request bytes the proxy holds at once,
	// summed over every request in flight (default 256). Beyond it a
	// request is refused with 503 (529 for Anthropic clients) and a
	// Retry-After, rather than memory growing without bound.
	BodiesInFlightMB int `json:"bodies_in_flight_mb,omitempty"`
}

// Defaults of Limits.
const (
	DefaultBodyIdle         = 30 * time.Second
	DefaultBodiesInFlightMB = 256
)

// BodyIdle is the idle limit of a request body.
func (l Limits) BodyIdle() time.Duration {
	if l.BodyIdleMS <= 0 {
		return DefaultBodyIdle
	}
	return time.Duration(l.BodyIdleMS) * time.Millisecond
}

// BodiesInFlight is the cap on request bytes in flight.
func (l Limits) BodiesInFlight() int64 {
	if l.BodiesInFlightMB <= 0 {
		return DefaultBodiesInFlightMB << 20
	}
	return int64(l.BodiesInFlightMB) << 20
}

func (l Limits) validate() error {
	if l.BodyIdleMS < 0 || l.BodiesInFlightMB < 0 {
		return fmt.Errorf("limits must not be negative (body_idle_ms %d, bodies_in_flight_mb %d)", l.BodyIdleMS, l.BodiesInFlightMB)
	}
	if l.BodiesInFlightMB > 0 && l.BodiesInFlightMB < 32 {
		return fmt.Errorf("limits.bodies_in_flight_mb %d is below 32: one request may be up to 32 MiB", l.BodiesInFlightMB)
	}
	return nil
}
