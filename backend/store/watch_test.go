package store

import (
	"context"
	"testing"
	"time"
)

func TestWatchSeesAnotherProcessWrite(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, db testDB) {
		path := db.target
		engine, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer engine.Close()
		cli, err := Open(path) // stands in for another process: its own pool
		if err != nil {
			t.Fatal(err)
		}
		defer cli.Close()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- engine.Watch(ctx, 20*time.Millisecond) }()

		if _, err := cli.CreateChannel(context.Background(), Channel{Name: "from-cli", Type: "openai", BaseURL: "https://x/v1"}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for len(engine.Catalog().Channels) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the engine's catalog never saw the other process's channel")
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Watch returned %v after cancel", err)
		}
	})
}
