package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

func TestCatalogFollowsEveryWrite(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)

		a, err := s.CreateChannel(ctx, sampleChannel("a", 2))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Catalog().Channels; len(got) != 1 || got[0].Name != "a" {
			t.Errorf("after create: %+v", got)
		}
		if _, err := s.CreateChannel(ctx, sampleChannel("b", 1)); err != nil {
			t.Fatal(err)
		}
		if got := s.Catalog().Channels; len(got) != 2 || got[0].Name != "b" {
			t.Errorf("after second create, want b first: %+v", got)
		}

		before := s.Catalog()
		a.Priority = 0
		if _, err := s.UpdateChannel(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := s.Catalog().Channels; got[0].Name != "a" {
			t.Errorf("after update, want a first: %+v", got)
		}
		if before.Channels[0].Name != "b" {
			t.Error("an old snapshot changed under its reader")
		}

		if err := s.DeleteChannel(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if got := s.Catalog().Channels; len(got) != 1 || got[0].Name != "b" {
			t.Errorf("after delete: %+v", got)
		}

		if err := s.PutRoutes(ctx, Routes{Scenarios: map[string][]string{"default": {"b,m"}}}); err != nil {
			t.Fatal(err)
		}
		if got := s.Catalog().Routes.Scenarios["default"]; len(got) != 1 || got[0] != "b,m" {
			t.Errorf("after PutRoutes: %v", got)
		}
	})
}

func TestReloadPicksUpWritesFromAnotherStore(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s1, s2 := db.open(t), db.open(t)

		if _, err := s2.CreateChannel(ctx, sampleChannel("from-cli", 1)); err != nil {
			t.Fatal(err)
		}
		if err := s2.PutRoutes(ctx, Routes{Scenarios: map[string][]string{"default": {"from-cli"}}}); err != nil {
			t.Fatal(err)
		}
		if n := len(s1.Catalog().Channels); n != 0 {
			t.Fatalf("s1 saw %d channels before Reload", n)
		}
		if err := s1.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		c := s1.Catalog()
		if len(c.Channels) != 1 || c.Channels[0].Name != "from-cli" || c.Routes.Scenarios["default"][0] != "from-cli" {
			t.Errorf("after Reload: %+v", c)
		}
	})
}

func TestConcurrentWritesDoNotFail(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		// A second Store on the same file stands in for a second process.
		s1, s2 := db.open(t), db.open(t)

		const workers, rounds = 16, 5
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds*4)
		for w := range workers {
			s := s1
			if w%2 == 1 {
				s = s2
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					name := fmt.Sprintf("ch-%d-%d", w, r)
					if _, err := s.CreateChannel(ctx, sampleChannel(name, r)); err != nil {
						errs <- err
					}
					if err := s.SetSetting(ctx, fmt.Sprint("k", w), name); err != nil {
						errs <- err
					}
					if err := s.InsertRequestLogs(ctx, []RequestLog{{ChannelName: name}, {ChannelName: name}}); err != nil {
						errs <- err
					}
					if err := s.PutRoutes(ctx, Routes{Scenarios: map[string][]string{"default": {name}}}); err != nil {
						errs <- err
					}
					_ = s.Catalog()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		list, err := s1.Channels(ctx)
		if err != nil || len(list) != workers*rounds {
			t.Errorf("got %d channels, %v; want %d", len(list), err, workers*rounds)
		}
		logs, err := s1.RecentRequestLogs(ctx, MaxRecentLimit)
		if err != nil || len(logs) != workers*rounds*2 {
			t.Errorf("got %d logs, %v; want %d", len(logs), err, workers*rounds*2)
		}
	})
}
