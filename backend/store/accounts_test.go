package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store/pgtest"
)

func TestChannelAccountFieldsRejectWhatIsNotAnObject(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		c := sampleChannel("bad-query", 1)
		c.BalanceQuery = json.RawMessage(`["not", "an object"]`)
		if _, err := s.CreateChannel(ctx, c); err == nil || !strings.Contains(err.Error(), "balance_query must be a JSON object") {
			t.Errorf("CreateChannel with an array query: %v", err)
		}
		c.BalanceQuery, c.ClaudeModels = nil, ClaudeModels{}
		got, err := s.CreateChannel(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got.BalanceQuery != nil || !got.ClaudeModels.IsZero() {
			t.Errorf("empty account fields read back as %q, %+v", got.BalanceQuery, got.ClaudeModels)
		}
	})
}

func TestBalanceCacheKeepsTheLastAnswerThroughAFailedRefresh(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		ch, err := s.CreateChannel(ctx, sampleChannel("deepseek", 1))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.ChannelBalance(ctx, ch.ID); ok || err != nil {
			t.Fatalf("a channel never asked has a balance: %v %v", ok, err)
		}
		remaining, used, no := 12.5, 0.0, false
		reset := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		b, err := s.SetChannelBalance(ctx, Balance{ChannelID: ch.ID, Remaining: &remaining, Used: &used, Unit: "CNY",
			Available: &no, ResetAt: reset})
		if err != nil {
			t.Fatal(err)
		}
		if *b.Remaining != 12.5 || *b.Used != 0 || b.Unit != "CNY" || b.Available == nil || *b.Available ||
			!b.ResetAt.Equal(reset) || b.Error != "" || b.CheckedAt.IsZero() {
			t.Errorf("stored balance = %+v", b)
		}

		failed, err := s.SetChannelBalance(ctx, Balance{ChannelID: ch.ID, Error: "upstream 401: invalid key"})
		if err != nil {
			t.Fatal(err)
		}
		if failed.Error != "upstream 401: invalid key" || failed.Remaining == nil || *failed.Remaining != 12.5 ||
			failed.Unit != "CNY" || !failed.CheckedAt.Equal(b.CheckedAt) || failed.UpdatedAt.Before(b.UpdatedAt) {
			t.Errorf("after a failed refresh = %+v, want the last numbers kept and the error set", failed)
		}

		// A provider that reports no numbers stores NULLs, not zeros.
		b2, err := s.SetChannelBalance(ctx, Balance{ChannelID: ch.ID, Unit: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		if b2.Remaining != nil || b2.Used != nil || b2.Available != nil || b2.Error != "" || !b2.ResetAt.IsZero() {
			t.Errorf("an answer without numbers = %+v", b2)
		}

		all, err := s.Balances(ctx)
		if err != nil || len(all) != 1 || all[ch.ID].Unit != "USD" {
			t.Errorf("Balances() = %+v, %v", all, err)
		}
		if _, err := s.SetChannelBalance(ctx, Balance{ChannelID: ch.ID + 100, Unit: "USD"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("a balance for no channel: %v, want ErrNotFound", err)
		}
	})
}

func TestModelCacheKeepsModelsWhenAFetchFails(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		ch, err := s.CreateChannel(ctx, sampleChannel("glm", 1))
		if err != nil {
			t.Fatal(err)
		}
		if l, ok, err := s.ChannelModels(ctx, ch.ID); ok || err != nil || l.Models == nil {
			t.Fatalf("never fetched: %+v %v %v", l, ok, err)
		}
		if err := s.SetChannelModels(ctx, ch.ID, []string{"glm-5.2", "glm-4.5-air"}, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.SetChannelModels(ctx, ch.ID, nil, "upstream 503"); err != nil {
			t.Fatal(err)
		}
		l, ok, err := s.ChannelModels(ctx, ch.ID)
		if err != nil || !ok || !reflect.DeepEqual(l.Models, []string{"glm-5.2", "glm-4.5-air"}) || l.Error != "upstream 503" {
			t.Errorf("after a failed fetch = %+v %v %v", l, ok, err)
		}
		if err := s.SetChannelModels(ctx, ch.ID, []string{"glm-5.2"}, ""); err != nil {
			t.Fatal(err)
		}
		all, err := s.AllChannelModels(ctx)
		if err != nil || !reflect.DeepEqual(all[ch.ID].Models, []string{"glm-5.2"}) || all[ch.ID].Error != "" {
			t.Errorf("AllChannelModels = %+v %v", all, err)
		}
		// A fetch for a channel deleted meanwhile leaves no row.
		if err := s.SetChannelModels(ctx, ch.ID+100, []string{"x"}, ""); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.ChannelModels(ctx, ch.ID+100); ok {
			t.Error("a model list was cached for a channel that does not exist")
		}
	})
}

func TestDeletingAChannelDropsItsCaches(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		ch, err := s.CreateChannel(ctx, sampleChannel("kimi", 1))
		if err != nil {
			t.Fatal(err)
		}
		one := 1.0
		if _, err := s.SetChannelBalance(ctx, Balance{ChannelID: ch.ID, Remaining: &one, Unit: "CNY"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetChannelModels(ctx, ch.ID, []string{"kimi-k3"}, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteChannel(ctx, ch.ID); err != nil {
			t.Fatal(err)
		}
		// The id may come back on SQLite without AUTOINCREMENT semantics;
		// a new channel must never inherit the old one's caches.
		if _, ok, _ := s.ChannelBalance(ctx, ch.ID); ok {
			t.Error("the balance outlived its channel")
		}
		if _, ok, _ := s.ChannelModels(ctx, ch.ID); ok {
			t.Error("the model list outlived its channel")
		}
	})
}

func TestPostgresInstancesHearOfBalanceWrites(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	a, b := testDB{target: url}.open(t), testDB{target: url}.open(t)
	var seen topics
	b.OnChange(seen.add)
	watch(t, b, time.Minute)
	eventually(t, 5*time.Second, "listening", b.Listening)
	eventually(t, 5*time.Second, "first read", func() bool { return len(seen.list()) == len(allTopics) })
	ch, err := a.CreateChannel(context.Background(), sampleChannel("or", 1))
	if err != nil {
		t.Fatal(err)
	}
	two := 2.0
	if _, err := a.SetChannelBalance(context.Background(), Balance{ChannelID: ch.ID, Remaining: &two, Unit: "USD"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "the other instance hears of the balance write", func() bool {
		return slices.Contains(seen.list()[len(allTopics):], TopicBalances)
	})
}
