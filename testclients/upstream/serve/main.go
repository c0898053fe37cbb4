// Command serve runs the strict scripted upstream (package upstream) as a
// process of its own, for scripts that need a provider where no Go test
// runs: scripts/compose-check.sh starts it in a container beside the team
// gateway and points a channel at it. It logs every request it receives, one
// JSON object a line, on standard output, and serves until SIGTERM or
// SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/routex-app/routex/testclients/upstream"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9090", "address to listen on")
	flag.Parse()
	srv := &http.Server{Addr: *listen, Handler: upstream.New(os.Stdout), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	fmt.Fprintf(os.Stderr, "scripted upstream listening on %s\n", *listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "scripted upstream: %v\n", err)
		os.Exit(1)
	}
}
