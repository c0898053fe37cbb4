package api

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
)

// balanceSettings are the balance thresholds GET /api/settings shows: by
// unit, the amount below which a balance is low (warn) and below which the
// channel is skipped as exhausted (floor; without one, at zero).
type balanceSettings struct {
	BalanceWarn  map[string]float64 `json:"balance_warn"`
	BalanceFloor map[string]float64 `json:"balance_floor"`
}

// balanceSettingsInput is the same in a PUT; each map sent replaces the
// saved one whole.
type balanceSettingsInput struct {
	BalanceWarn  *map[string]float64 `json:"balance_warn"`
	BalanceFloor *map[string]float64 `json:"balance_floor"`
}

var unitName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,15}$`)

func (in balanceSettingsInput) validate(ve ValidationError) {
	for field, m := range map[string]*map[string]float64{"balance_warn": in.BalanceWarn, "balance_floor": in.BalanceFloor} {
		if m == nil {
			continue
		}
		for unit, v := range *m {
			switch {
			case !unitName.MatchString(unit):
				ve.add(field, "invalid", "%q is not a unit: use a currency code such as USD or CNY, or a word such as credits", unit)
			case math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e9:
				ve.add(field, "range", "the threshold for %s must be a number between 0 and 1000000000", unit)
			}
		}
	}
}

// saveThresholds stores the thresholds sent and tells the engine.
func (s *Server) saveThresholds(ctx context.Context, ss SettingsStore, in balanceSettingsInput) error {
	if in.BalanceWarn == nil && in.BalanceFloor == nil {
		return nil
	}
	th := s.Thresholds(ctx)
	if in.BalanceWarn != nil {
		th.Warn = *in.BalanceWarn
	}
	if in.BalanceFloor != nil {
		th.Floor = *in.BalanceFloor
	}
	if th.Warn == nil {
		th.Warn = map[string]float64{}
	}
	if th.Floor == nil {
		th.Floor = map[string]float64{}
	}
	b, err := json.Marshal(th)
	if err != nil {
		return err
	}
	if err := ss.SetSetting(ctx, thresholdsSetting, string(b)); err != nil {
		return err
	}
	s.notifyBalances()
	return nil
}
