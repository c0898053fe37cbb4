package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/routex-app/routex/backend/pricing"
)

func TestPricesRoundTrip(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		if got, err := s.Prices(ctx); err != nil || len(got) != 0 {
			t.Fatalf("new store prices = %+v, %v; want none", got, err)
		}
		put := []pricing.Price{
			{Model: "my-model-*", Input: 0.5, Output: 1.5, CacheRead: 0.05, CacheWrite: 0.625, Source: "ignored"},
			{Model: " deepseek-chat ", Input: 0.1, Output: 0.2},
			{Model: "DeepSeek-Chat", Input: 0.3, Output: 0.4}, // same pattern: replaces the one above
		}
		for _, p := range put {
			if err := s.PutPrice(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Prices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []pricing.Price{
			{Model: "DeepSeek-Chat", Input: 0.3, Output: 0.4, Source: pricing.SourceUser},
			{Model: "my-model-*", Input: 0.5, Output: 1.5, CacheRead: 0.05, CacheWrite: 0.625, Source: pricing.SourceUser},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Prices = %+v\nwant %+v", got, want)
		}
		if p, ok := pricing.NewTable(got).Lookup("deepseek-chat"); !ok || p.Input != 0.3 {
			t.Errorf("stored price does not override the default: %+v", p)
		}

		if err := s.DeletePrice(ctx, "deepseek-CHAT"); err != nil {
			t.Errorf("DeletePrice: %v", err)
		}
		if err := s.DeletePrice(ctx, "deepseek-chat"); !errors.Is(err, ErrNotFound) {
			t.Errorf("second DeletePrice: %v, want ErrNotFound", err)
		}
		if got, _ := s.Prices(ctx); len(got) != 1 {
			t.Errorf("after delete: %+v", got)
		}
	})
}

func TestPutPriceRefusesInvalidPrices(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		s := db.open(t)
		for _, p := range []pricing.Price{{Model: ""}, {Model: "m", Input: -1}} {
			if err := s.PutPrice(context.Background(), p); !errors.Is(err, pricing.ErrInvalidPrice) {
				t.Errorf("PutPrice(%+v) = %v, want ErrInvalidPrice", p, err)
			}
		}
	})
}
