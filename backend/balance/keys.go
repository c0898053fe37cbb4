package balance

import "time"

// Key picks the API key for the next request on a channel: round-robin over
// keys, skipping a key in rate-limit cooldown; when every key cools down, the
// one available soonest. It returns "" and -1 when keys is empty.
//
// Keys are remembered by index: when the user edits the list, cooldowns stay
// with the positions that remain.
func (b *Balancer) Key(channelID int64, keys []string, now time.Time) (key string, index int) {
	switch len(keys) {
	case 0:
		return "", -1
	case 1:
		return keys[0], 0
	}
	h := b.channel(channelID)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sizeKeysLocked(len(keys))
	n := len(keys)
	soonest := -1
	for i := range n {
		idx := (h.nextKey + i) % n
		if !now.Before(h.keyCool[idx]) {
			h.nextKey = (idx + 1) % n
			return keys[idx], idx
		}
		if soonest < 0 || h.keyCool[idx].Before(h.keyCool[soonest]) {
			soonest = idx
		}
	}
	h.nextKey = (soonest + 1) % n
	return keys[soonest], soonest
}

// CoolKey puts the channel's key at index in cooldown until the given time,
// after a 429 on it. When every key of the channel is cooling down, the
// channel itself is unavailable until the first key is free again. An end
// func given a rate-limit Outcome with KeyIndex does this already.
func (b *Balancer) CoolKey(channelID int64, index int, until time.Time) {
	h := b.channel(channelID)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.coolKeyLocked(index, until)
}

// sizeKeysLocked makes room for n keys' cooldowns, keeping those of the
// positions that remain.
func (h *host) sizeKeysLocked(n int) {
	switch {
	case len(h.keyCool) < n:
		h.keyCool = append(h.keyCool, make([]time.Time, n-len(h.keyCool))...)
	case len(h.keyCool) > n:
		h.keyCool = h.keyCool[:n]
	}
	if h.nextKey >= n {
		h.nextKey = 0
	}
}

// coolKeyLocked cools one key. Key 0 of a channel not known to hold several
// keys is the whole channel; a higher index proves there are more, even
// before Key was asked.
func (h *host) coolKeyLocked(index int, until time.Time) {
	if index >= len(h.keyCool) && index > 0 {
		h.sizeKeysLocked(index + 1)
	}
	if len(h.keyCool) <= 1 || index < 0 {
		if until.After(h.coolUntil) {
			h.coolUntil = until
		}
		return
	}
	if until.After(h.keyCool[index]) {
		h.keyCool[index] = until
	}
	soonest := h.keyCool[0]
	for _, t := range h.keyCool[1:] {
		if t.Before(soonest) {
			soonest = t
		}
	}
	// Every key cools until at least soonest; the channel is free from then.
	if soonest.After(h.coolUntil) {
		h.coolUntil = soonest
	}
}

// KeyCooldowns returns, per key index of a channel with n keys, when that
// key's rate-limit cooldown ends; a zero time (or a time before now) means
// the key is free. For the dashboard's per-key state.
func (b *Balancer) KeyCooldowns(channelID int64, n int, now time.Time) []time.Time {
	out := make([]time.Time, n)
	b.mu.RLock()
	h := b.channels[channelID]
	b.mu.RUnlock()
	if h == nil || n < 2 {
		return out
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := 0; i < n && i < len(h.keyCool); i++ {
		if now.Before(h.keyCool[i]) {
			out[i] = h.keyCool[i]
		}
	}
	return out
}
