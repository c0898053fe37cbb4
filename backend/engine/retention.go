package engine

import (
	"context"
	"strconv"
	"time"

	"github.com/routex-app/routex/backend/api"
)

// retain rolls request-log rows older than the retention period (Settings,
// default 30 days) into daily totals, and drops past minutes of the keys'
// counters, at start and then every interval, so the database stays small
// while the charts keep their history.
func (e *Engine) retain(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		days := api.DefaultLogRetentionDays
		if v, ok, err := e.store.Setting(ctx, api.SettingLogRetentionDays); err == nil && ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				days = n
			}
		}
		before := time.Now().Add(-time.Duration(days) * 24 * time.Hour)
		if n, err := e.store.RollUp(ctx, before); err != nil && ctx.Err() == nil {
			e.log.Warn("roll up old request logs", "error", err)
		} else if n > 0 {
			e.log.Info("rolled up old request logs", "rows", n, "retention_days", days)
		}
		// Past minutes of the keys' counters only take room.
		if _, err := e.store.PruneKeyUsage(ctx, time.Now()); err != nil && ctx.Err() == nil {
			e.log.Warn("prune key counters", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// captureBodies reports whether the user turned on body capture in
// Settings; read at most every 2 s so the switch applies
// within moments without a database read per request.
func (e *Engine) captureBodies() bool {
	now := time.Now().UnixNano()
	if now < e.captureUntil.Load() {
		return e.captureOn.Load()
	}
	v, ok, err := e.store.Setting(context.Background(), api.SettingCaptureBodies)
	on := err == nil && ok && (v == "true" || v == "1")
	e.captureOn.Store(on)
	e.captureUntil.Store(now + int64(2*time.Second)) // a database read every 2 s at most
	return on
}
