package balance

// SetExhausted replaces the set of channels whose provider account has
// nothing left (by channel id, the reason to show, e.g. "balance exhausted
// (0.00 CNY left)"). The engine sets it from the balance queries; an empty
// or nil map clears it. Safe for concurrent use with everything else.
func (b *Balancer) SetExhausted(reasons map[int64]string) {
	if len(reasons) == 0 {
		b.exhausted.Store(nil)
		return
	}
	m := make(map[int64]string, len(reasons))
	for id, why := range reasons {
		m[id] = why
	}
	b.exhausted.Store(&m)
}

// Exhausted returns why the channel is skipped, "" when it is not.
func (b *Balancer) Exhausted(channelID int64) string {
	if m := b.exhausted.Load(); m != nil {
		return (*m)[channelID]
	}
	return ""
}

// SplitExhausted takes the exhausted channels out of an order: they are
// skipped like paused ones, and the caller reports them. When every
// candidate is exhausted none is skipped: the balances may be stale, and
// the provider's own answer then tells the client the truth. With no
// channel exhausted it returns order itself and allocates nothing.
func (b *Balancer) SplitExhausted(order []Candidate) (use, skipped []Candidate) {
	m := b.exhausted.Load()
	if m == nil {
		return order, nil
	}
	n := 0
	for _, c := range order {
		if _, out := (*m)[c.ChannelID]; out {
			n++
		}
	}
	if n == 0 || n == len(order) {
		return order, nil
	}
	use = make([]Candidate, 0, len(order)-n)
	skipped = make([]Candidate, 0, n)
	for _, c := range order {
		if _, out := (*m)[c.ChannelID]; out {
			skipped = append(skipped, c)
		} else {
			use = append(use, c)
		}
	}
	return use, skipped
}
