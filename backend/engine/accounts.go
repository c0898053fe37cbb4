package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/credit"
	"github.com/routex-app/routex/backend/store"
)

// How often the channels' balances are asked on a schedule: every
// balanceEvery plus up to balanceJitter, so several instances (or several
// channels of one provider) do not all ask at once. What counts as
// exhausted is re-judged every exhaustedEvery, since an old answer goes
// stale (credit.StaleAfter) without any write.
const (
	balanceFirst   = 5 * time.Second
	balanceEvery   = 10 * time.Minute
	balanceJitter  = time.Minute
	exhaustedEvery = time.Minute
)

// RefreshExhausted re-reads the cached balances and the thresholds and
// tells the balancer which channels to skip. It runs after every balance
// refresh, threshold change and change notice, and on a timer.
func (e *Engine) RefreshExhausted(ctx context.Context) error {
	reasons, err := exhausted(ctx, e.store, e.api.Thresholds(ctx))
	if err != nil {
		return err
	}
	e.bal.SetExhausted(reasons)
	e.balanceGen.Add(1)
	return nil
}

// exhausted names, by channel id, the channels whose cached balance the
// thresholds th judge exhausted, each with why.
func exhausted(ctx context.Context, st *store.Store, th credit.Thresholds) (map[int64]string, error) {
	bals, err := st.Balances(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	reasons := map[int64]string{}
	for id, b := range bals {
		if credit.Assess(api.State(b), th, now) == credit.Exhausted {
			reasons[id] = exhaustedReason(b, th)
		}
	}
	return reasons, nil
}

// exhaustedReason says why a channel is skipped, with the numbers.
func exhaustedReason(b store.Balance, th credit.Thresholds) string {
	switch {
	case b.Remaining == nil || b.Available != nil && !*b.Available && *b.Remaining > 0:
		return "balance exhausted (the provider refuses calls)"
	case *b.Remaining > 0:
		floor := th.Floor[b.Unit]
		return fmt.Sprintf("balance exhausted (%.2f %s left, below the floor of %.2f)", *b.Remaining, b.Unit, floor)
	}
	return fmt.Sprintf("balance exhausted (%.2f %s left)", *b.Remaining, b.Unit)
}

// keepBalances asks every channel with a balance query soon after start
// and then every balanceEvery (jittered), and re-judges the exhausted set
// every exhaustedEvery, until ctx ends.
func (e *Engine) keepBalances(ctx context.Context) {
	next := time.Now().Add(balanceFirst + rand.N(balanceFirst))
	tick := time.NewTicker(exhaustedEvery)
	defer tick.Stop()
	wake := time.NewTimer(time.Until(next))
	defer wake.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake.C:
			if err := e.api.RefreshBalances(ctx); err != nil && ctx.Err() == nil {
				e.log.Warn("refresh balances", "error", err)
			}
			wake.Reset(balanceEvery + rand.N(balanceJitter))
		case <-tick.C:
		}
		if err := e.RefreshExhausted(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("re-read balances", "error", err)
		}
	}
}

// providerModels reads the cached provider model lists for GET /v1/models.
func (e *Engine) providerModels() map[int64][]string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	all, err := e.store.AllChannelModels(ctx)
	if err != nil {
		e.log.Warn("read cached model lists", "error", err)
		return nil
	}
	out := make(map[int64][]string, len(all))
	for id, l := range all {
		out[id] = l.Models
	}
	return out
}
