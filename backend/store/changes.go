package store

import (
	"context"
	"strings"
)

// Topic names what a write changed, so that other Routex instances on the
// same database reload just that.
type Topic string

// Topics of change notices.
const (
	// TopicCatalog is channels and routes: the Store reloads its Catalog.
	TopicCatalog Topic = "catalog"
	// TopicSettings is the settings table.
	TopicSettings Topic = "settings"
	// TopicPrices is the user's prices.
	TopicPrices Topic = "prices"
	// TopicKeys is the keys per person: instances reload their copy of
	// the keys (the check of each request reads revocation and limits
	// from the database itself).
	TopicKeys Topic = "keys"
	// TopicBalances is the cached balances of the channels' accounts: the
	// engine re-reads them to skip exhausted channels.
	TopicBalances Topic = "balances"
	// TopicModels is the cached model lists of the channels' providers.
	TopicModels Topic = "models"
)

// notifyChannel is the PostgreSQL LISTEN/NOTIFY channel of change notices.
const notifyChannel = "routex_changes"

// OnChange registers fn, called after another process or instance changed
// topic, as Watch learns of it: the engine reloads its prices, forgets its
// cached settings. For TopicCatalog the Catalog is already reloaded when fn
// runs. Calls come from the Watch goroutine, one at a time; fn must not block.
func (s *Store) OnChange(fn func(Topic)) {
	s.hooksMu.Lock()
	s.hooks = append(s.hooks, fn)
	s.hooksMu.Unlock()
}

// changed runs the OnChange functions for topic.
func (s *Store) changed(topic Topic) {
	s.hooksMu.Lock()
	hooks := append([]func(Topic){}, s.hooks...)
	s.hooksMu.Unlock()
	for _, fn := range hooks {
		fn(topic)
	}
}

// write runs fn in one write transaction. On PostgreSQL it also sends a
// change notice for topic in the same transaction: PostgreSQL delivers it
// to the other instances only when the write commits, and never for a write
// rolled back. SQLite needs no notice: Watch sees other processes' commits.
func (s *Store) write(ctx context.Context, topic Topic, fn func(tx rtx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if s.d.pg && topic != "" {
		if _, err := tx.ExecContext(ctx, "SELECT pg_notify(?, ?)", notifyChannel, string(topic)+" "+s.id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// parseNotice splits a change notice's payload into its topic and the id of
// the Store that wrote it.
func parseNotice(payload string) (Topic, string) {
	topic, origin, _ := strings.Cut(payload, " ")
	return Topic(topic), origin
}
