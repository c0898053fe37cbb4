package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func sampleChannel(name string, priority int) Channel {
	return Channel{
		Name:         name,
		Type:         "openai",
		BaseURL:      "https://api.deepseek.com/v1",
		APIKey:       "sk-test-" + name,
		Models:       []string{"deepseek-chat", "deepseek-reasoner"},
		ModelMap:     map[string]string{"claude-sonnet-4": "deepseek-chat"},
		Priority:     priority,
		Weight:       3,
		Enabled:      true,
		Headers:      map[string]string{"X-Org": "routex"},
		Transformers: json.RawMessage(`[{"name":"maxtoken","max_tokens":8192}]`),
		TimeoutMS:    30000,
		ClaudeModels: ClaudeModels{Opus: "deepseek-reasoner", Haiku: "deepseek-chat"},
		BalanceQuery: json.RawMessage(`{"url":"https://api.deepseek.com/user/balance","remaining":"balance_infos.0.total_balance"}`),
	}
}

func TestChannelRoundTripKeepsEveryField(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)

		in := sampleChannel("deepseek", 1)
		created, err := s.CreateChannel(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if created.ID == 0 || created.CreatedAt.IsZero() || !created.UpdatedAt.Equal(created.CreatedAt) {
			t.Errorf("created = %+v: want an id and equal timestamps", created)
		}
		got, err := s.Channel(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, created) {
			t.Errorf("Channel() = %+v\nwant %+v", got, created)
		}
		want := in
		want.ID, want.CreatedAt, want.UpdatedAt = got.ID, got.CreatedAt, got.UpdatedAt
		if !reflect.DeepEqual(got, want) {
			t.Errorf("stored %+v\nwant   %+v", got, want)
		}
		byName, err := s.ChannelByName(ctx, "deepseek")
		if err != nil || byName.ID != created.ID {
			t.Errorf("ChannelByName = %+v, %v", byName, err)
		}

		upd := got
		upd.Name = "deepseek-2"
		upd.Models = nil
		upd.ModelMap = nil
		upd.Headers = nil
		upd.Transformers = nil
		upd.Enabled = false
		updated, err := s.UpdateChannel(ctx, upd)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Name != "deepseek-2" || updated.Enabled || !updated.CreatedAt.Equal(created.CreatedAt) {
			t.Errorf("updated = %+v", updated)
		}
		if updated.Models == nil || len(updated.Models) != 0 || updated.ModelMap == nil || updated.Headers == nil ||
			string(updated.Transformers) != "[]" {
			t.Errorf("nil fields must read back empty, not nil: %+v", updated)
		}

		if err := s.DeleteChannel(ctx, created.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Channel(ctx, created.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Channel after delete: %v, want ErrNotFound", err)
		}
	})
}

func TestChannelsAreOrderedByPriorityThenID(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		for _, c := range []struct {
			name     string
			priority int
		}{{"c", 2}, {"a", 1}, {"d", 2}, {"b", 0}} {
			if _, err := s.CreateChannel(ctx, sampleChannel(c.name, c.priority)); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.Channels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range list {
			names = append(names, c.Name)
		}
		if want := []string{"b", "a", "c", "d"}; !reflect.DeepEqual(names, want) {
			t.Errorf("order = %v, want %v", names, want)
		}
	})
}

func TestChannelErrors(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		a, err := s.CreateChannel(ctx, sampleChannel("a", 1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateChannel(ctx, sampleChannel("b", 1)); err != nil {
			t.Fatal(err)
		}
		renamed := a
		renamed.Name = "b"
		missing := a
		missing.ID = 9999
		badJSON := sampleChannel("c", 1)
		badJSON.Transformers = json.RawMessage(`{"not":"an array"}`)

		tests := []struct {
			name    string
			do      func() error
			wantErr error
		}{
			{"creating a second channel with a taken name is a duplicate", func() error {
				_, err := s.CreateChannel(ctx, sampleChannel("a", 5))
				return err
			}, ErrDuplicateName},
			{"renaming a channel to a taken name is a duplicate", func() error {
				_, err := s.UpdateChannel(ctx, renamed)
				return err
			}, ErrDuplicateName},
			{"updating a missing channel is not found", func() error {
				_, err := s.UpdateChannel(ctx, missing)
				return err
			}, ErrNotFound},
			{"deleting a missing channel is not found", func() error { return s.DeleteChannel(ctx, 9999) }, ErrNotFound},
			{"reading a missing id is not found", func() error {
				_, err := s.Channel(ctx, 9999)
				return err
			}, ErrNotFound},
			{"reading a missing name is not found", func() error {
				_, err := s.ChannelByName(ctx, "nope")
				return err
			}, ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.do(); !errors.Is(err, tt.wantErr) {
					t.Errorf("error = %v, want %v", err, tt.wantErr)
				}
			})
		}
		t.Run("transformers that are not a JSON array are refused", func(t *testing.T) {
			if _, err := s.CreateChannel(ctx, badJSON); err == nil {
				t.Error("CreateChannel accepted a JSON object as transformers")
			}
		})
		if n := len(s.Catalog().Channels); n != 2 {
			t.Errorf("failed writes changed the catalog: %d channels", n)
		}
	})
}

func TestChannelKeysRoundTrip(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		s := db.open(t)
		ctx := context.Background()
		c, err := s.CreateChannel(ctx, Channel{Name: "multi", Type: "openai", BaseURL: "https://x/v1", APIKey: "k1", APIKeys: []string{"k1", "k2", "k3"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Channel(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got.Keys(), ",") != "k1,k2,k3" {
			t.Fatalf("Keys() = %v", got.Keys())
		}
		single := Channel{APIKey: "only"}
		if strings.Join(single.Keys(), ",") != "only" {
			t.Fatalf("a single key: %v", single.Keys())
		}
	})
}
