package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/route"
)

// The strategy a fresh install stores must be one the balancer knows.
func TestDefaultStrategyIsABalanceStrategy(t *testing.T) {
	t.Parallel()
	if !balance.KnownStrategy(DefaultStrategy) {
		t.Errorf("DefaultStrategy %q is not a balance strategy", DefaultStrategy)
	}
}

func TestRoutesDefaultToAnEmptyPriorityTable(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		s := db.open(t)
		r, err := s.Routes(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if r.Strategy != "priority" || r.LongContextThreshold != 60000 || string(r.Rules) != "[]" {
			t.Errorf("defaults = %+v", r)
		}
		for _, name := range route.Scenarios {
			if got, ok := r.Scenarios[name]; !ok || got == nil || len(got) != 0 {
				t.Errorf("scenario %s = %#v, want an empty slice", name, got)
			}
		}
	})
}

func TestPutRoutesReplacesTheWholeTable(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		first := Routes{
			Strategy: "round_robin",
			Scenarios: map[string][]string{
				"default":    {"deepseek,deepseek-chat", "kimi"},
				"background": {"ollama,qwen3"},
				"custom":     {"zhipu,glm-4.6"},
			},
			LongContextThreshold: 100000,
			Rules:                json.RawMessage(`[{"if":"model contains 'haiku'","scenario":"background"}]`),
		}
		if err := s.PutRoutes(ctx, first); err != nil {
			t.Fatal(err)
		}
		got, err := s.Routes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := DefaultRoutes()
		want.Strategy, want.LongContextThreshold, want.Rules = first.Strategy, first.LongContextThreshold, first.Rules
		for k, v := range first.Scenarios {
			want.Scenarios[k] = v
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Routes() = %+v\nwant %+v", got, want)
		}

		// A second put with zero fields drops the old targets and restores defaults.
		if err := s.PutRoutes(ctx, Routes{Scenarios: map[string][]string{"think": {"deepseek,deepseek-reasoner"}}}); err != nil {
			t.Fatal(err)
		}
		got, err = s.Routes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want = DefaultRoutes()
		want.Scenarios["think"] = []string{"deepseek,deepseek-reasoner"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after second put = %+v\nwant %+v", got, want)
		}

		if err := s.PutRoutes(ctx, Routes{Rules: json.RawMessage(`"nope"`)}); err == nil {
			t.Error("PutRoutes accepted rules that are not a JSON array")
		}
		if after, _ := s.Routes(ctx); !reflect.DeepEqual(after, want) {
			t.Error("a refused PutRoutes changed the table")
		}
	})
}

func TestSettingsRoundTrip(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s := db.open(t)
		tests := []struct {
			name, key, value string
		}{
			{"a plain value is kept", "theme", "dark"},
			{"an empty value is set, not missing", "empty", ""},
			{"a second write replaces the first", "theme", "light"},
			{"unicode survives", "language", "中文"},
		}
		for _, tt := range tests {
			if err := s.SetSetting(ctx, tt.key, tt.value); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			got, ok, err := s.Setting(ctx, tt.key)
			if err != nil || !ok || got != tt.value {
				t.Errorf("%s: Setting(%q) = %q, %v, %v; want %q", tt.name, tt.key, got, ok, err, tt.value)
			}
		}
		if v, ok, err := s.Setting(ctx, "never-set"); err != nil || ok || v != "" {
			t.Errorf("unset key = %q, %v, %v; want not ok", v, ok, err)
		}
	})
}

func TestRoutesKeepStrategiesAndBackgroundPattern(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		s := db.open(t)
		ctx := context.Background()
		r := DefaultRoutes()
		r.Strategies = map[string]string{"background": "round_robin"}
		r.BackgroundModel = "(?i)(haiku|mini)"
		if err := s.PutRoutes(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.Routes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Strategies["background"] != "round_robin" || got.BackgroundModel != "(?i)(haiku|mini)" {
			t.Fatalf("got %+v", got)
		}
		if fresh := DefaultRoutes(); fresh.Strategies == nil {
			t.Fatal("defaults must carry an empty strategies map")
		}
	})
}

func TestConcurrentPutRoutesLastWriterWins(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		a, b := db.open(t), db.open(t)
		var wg sync.WaitGroup
		for w := range 8 {
			s := a
			if w%2 == 1 {
				s = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range 15 {
					name := fmt.Sprint("w", w, "r", r)
					if err := s.PutRoutes(ctx, Routes{Scenarios: map[string][]string{
						"default": {name + ",a", name + ",b", name + ",c"}, "think": {name}}}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		r, err := a.Routes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d := r.Scenarios["default"]
		if len(d) != 3 || len(r.Scenarios["think"]) != 1 || d[0][:len(d[0])-2] != r.Scenarios["think"][0] {
			t.Errorf("routes after concurrent writes = %v: want one writer's whole table", r.Scenarios)
		}
	})
}
