package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// rereadEvery is how many Watch intervals pass between two full re-reads
// while the change feed works: notices cannot be lost on a live LISTEN
// connection, so this is a safety net, not the way changes arrive.
const rereadEvery = 10

// watchPostgres holds one connection of its own (outside the pool) that
// LISTENs for the change notices writes send in their transactions (see
// Store.write). A notice from another instance reloads what it names within
// milliseconds of the commit. As a fallback the whole state is re-read every
// rereadEvery intervals, and every interval while the LISTEN connection is
// down (a restarted server, a network cut); each (re)connect re-reads too,
// since notices sent while no one listened are lost.
func (s *Store) watchPostgres(ctx context.Context, interval time.Duration) error {
	defer s.listening.Store(false)
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	var lastRead time.Time
	for ctx.Err() == nil {
		if conn == nil {
			// Listen first, then read: whatever was written before the
			// watch began, or while it was away, is in that read.
			c, err := s.listen(ctx)
			if err == nil {
				conn = c
				s.listening.Store(true)
			}
			if err == nil || time.Since(lastRead) >= interval {
				s.reloadAll(ctx)
				lastRead = time.Now()
			}
			if err != nil {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(interval):
				}
				continue
			}
		}
		wait := max(time.Until(lastRead.Add(rereadEvery*interval)), time.Millisecond)
		wctx, cancel := context.WithTimeout(ctx, wait)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			if topic, origin := parseNotice(n.Payload); origin != s.id {
				s.apply(ctx, topic)
			}
		case wctx.Err() != nil && !conn.IsClosed():
			s.reloadAll(ctx) // the periodic re-read
			lastRead = time.Now()
		default: // the connection broke: reconnect, re-read
			conn.Close(context.Background())
			conn = nil
			s.listening.Store(false)
		}
	}
	return nil
}

// listen opens the watch's own connection and subscribes to notices.
func (s *Store) listen(ctx context.Context) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := pgx.ConnectConfig(cctx, s.pg.Copy())
	if err != nil {
		return nil, fmt.Errorf("store: listen on %s: %w", s.path, err)
	}
	if _, err := c.Exec(cctx, "LISTEN "+notifyChannel); err != nil {
		c.Close(context.Background())
		return nil, fmt.Errorf("store: listen on %s: %w", s.path, err)
	}
	return c, nil
}

// apply reloads what a notice names and tells the OnChange functions.
func (s *Store) apply(ctx context.Context, topic Topic) {
	if topic == TopicCatalog {
		if err := s.Reload(ctx); err != nil {
			return // the next notice or re-read tries again
		}
	}
	s.changed(topic)
}

// allTopics is every topic a notice can name.
var allTopics = []Topic{TopicCatalog, TopicSettings, TopicPrices, TopicKeys, TopicBalances, TopicModels}

// reloadAll re-reads everything a notice could have named.
func (s *Store) reloadAll(ctx context.Context) {
	for _, t := range allTopics {
		s.apply(ctx, t)
	}
}

// Listening reports whether changes made on other instances arrive at once:
// true on PostgreSQL while Watch holds its LISTEN connection. Readiness
// reports it; while false, changes still arrive by re-reading, only later.
func (s *Store) Listening() bool { return s.listening.Load() }
