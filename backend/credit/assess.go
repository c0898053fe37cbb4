package credit

import (
	"strings"
	"time"
)

// Level is what a balance means for routing and for the warnings.
type Level string

// Levels, from best to worst. Unknown never takes a channel out of
// service: only Exhausted does.
const (
	OK        Level = "ok"
	Low       Level = "low"
	Exhausted Level = "exhausted"
	Unknown   Level = "unknown"
)

// Thresholds are the user's limits, by unit (USD, CNY, …). Warn is the
// amount below which the balance is Low; Floor the amount below which it
// counts as Exhausted (without one, at or below zero).
type Thresholds struct {
	Warn  map[string]float64 `json:"warn"`
	Floor map[string]float64 `json:"floor"`
}

// DefaultThresholds warn below 1 US dollar or 5 yuan, and skip a channel
// only when nothing is left.
func DefaultThresholds() Thresholds {
	return Thresholds{Warn: map[string]float64{"USD": 1, "CNY": 5}, Floor: map[string]float64{}}
}

// StaleAfter is how old a balance may be before it stops counting: an
// exhausted account seen hours ago may have been topped up since, so an old
// answer is Unknown rather than Exhausted.
const StaleAfter = 2 * time.Hour

// State is a stored balance as Assess reads it.
type State struct {
	Result
	// Failed is true when the last refresh failed (the numbers are then
	// those of an earlier answer).
	Failed bool
	// CheckedAt is when the numbers were read; zero if never.
	CheckedAt time.Time
}

// Assess tells what a balance means: Exhausted when the provider says it
// refuses calls or nothing (or less than the floor) is left, Low below the
// warning threshold, Unknown when the last refresh failed, the numbers are
// stale or the provider reports no remaining amount, else OK.
func Assess(s State, t Thresholds, now time.Time) Level {
	if s.Failed || s.CheckedAt.IsZero() || now.Sub(s.CheckedAt) > StaleAfter {
		return Unknown
	}
	if s.Available != nil && !*s.Available {
		return Exhausted
	}
	if s.Remaining == nil {
		return Unknown
	}
	rem, unit := *s.Remaining, strings.ToUpper(s.Unit)
	if floor, ok := lookup(t.Floor, unit); ok && rem < floor || rem <= 0 {
		return Exhausted
	}
	if warn, ok := lookup(t.Warn, unit); ok && rem < warn {
		return Low
	}
	return OK
}

func lookup(m map[string]float64, unit string) (float64, bool) {
	for k, v := range m {
		if strings.EqualFold(k, unit) {
			return v, true
		}
	}
	return 0, false
}
