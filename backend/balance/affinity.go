package balance

// Session affinity: requests of one conversation go to the channel that
// served it last, so the upstream's prompt cache stays warm. The map is a
// bounded expirable LRU; the session key itself is computed by the route
// package, this package only stores and looks it up.

// Bind records that sessionKey was served by the channel, so the next
// requests of the conversation go there first (its prompt cache is warm).
// Call it after a success; binding again refreshes the TTL.
func (b *Balancer) Bind(sessionKey string, channelID int64) {
	if b.affinity == nil || sessionKey == "" {
		return
	}
	b.affinity.Add(sessionKey, channelID)
}

// Bound returns the channel sessionKey is bound to, for the request log and
// route explanations.
func (b *Balancer) Bound(sessionKey string) (channelID int64, ok bool) {
	if b.affinity == nil || sessionKey == "" {
		return 0, false
	}
	return b.affinity.Get(sessionKey)
}
