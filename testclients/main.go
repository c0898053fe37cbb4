// Command testclients runs real coding agents and the official SDKs through
// a headless Routex against a strict scripted upstream, one cell per client
// and channel format, and prints the matrix. A cell passes only when the
// client's shell tool really ran (the proof file holds the cell's token),
// the client printed the final answer, nothing unexpected reached stderr,
// and the upstream refused nothing. `make test-clients` runs it.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"time"

	"github.com/routex-app/routex/testclients/upstream"
)

// options are the knobs of a run; the defaults are what `make test-clients`
// uses.
type options struct {
	bin      string
	modules  string
	sdkDir   string
	out      string
	only     *regexp.Regexp
	parallel int
	timeout  time.Duration
	budget   time.Duration
	strict   bool
	keep     bool
	direct   bool
	scratch  string
}

func main() {
	var o options
	var only string
	flag.StringVar(&o.bin, "bin", "build/bin/routex-headless", "the headless Routex binary")
	flag.StringVar(&o.modules, "modules", "build/clients/node_modules", "where scripts/clients-deps.sh installed the agents and SDKs")
	flag.StringVar(&o.sdkDir, "sdk", "testclients/sdk", "the SDK scripts")
	flag.StringVar(&o.out, "out", "build/test-results/clients", "folder for the matrix, the request log and each cell's output")
	flag.StringVar(&only, "only", "", "run only cells whose client/channel matches this regexp")
	flag.IntVar(&o.parallel, "parallel", 2, "cells run at once (each has its own engine)")
	flag.DurationVar(&o.timeout, "cell-timeout", 180*time.Second, "time limit of one client run")
	flag.DurationVar(&o.budget, "budget", 17*time.Minute, "time limit of the whole run; cells not started by then fail")
	flag.BoolVar(&o.strict, "strict", true, "refuse what real providers refuse")
	flag.BoolVar(&o.keep, "keep", false, "keep each cell's temporary HOME and working folder")
	flag.BoolVar(&o.direct, "direct", false, "run only the direct column (each client straight against the upstream, without Routex)")
	flag.Parse()
	if only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testclients: -only:", err)
			os.Exit(2)
		}
		o.only = re
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	failed, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testclients:", err)
		os.Exit(2)
	}
	if failed > 0 {
		fmt.Printf("test-clients: %d cell(s) failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("test-clients: every cell passed or is an expected failure")
}

func run(ctx context.Context, o options) (int, error) {
	for _, p := range []string{o.bin, filepath.Join(o.modules, ".bin", "claude")} {
		if _, err := os.Stat(p); err != nil {
			return 0, fmt.Errorf("%s is missing (make build-headless; scripts/clients-deps.sh): %w", p, err)
		}
	}
	var err error
	for _, p := range []*string{&o.bin, &o.modules, &o.sdkDir, &o.out} {
		if *p, err = filepath.Abs(*p); err != nil {
			return 0, err
		}
	}
	// The SDK scripts import their packages by name, so they run from a
	// copy beside the node_modules the packages are in.
	if o.sdkDir, err = copyScripts(o.sdkDir, filepath.Join(filepath.Dir(o.modules), "sdk")); err != nil {
		return 0, err
	}
	o.scratch = filepath.Join(filepath.Dir(o.modules), "run")
	if err := os.MkdirAll(o.scratch, 0o755); err != nil {
		return 0, err
	}
	if err := os.RemoveAll(filepath.Join(o.out, "cells")); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Join(o.out, "cells"), 0o755); err != nil {
		return 0, err
	}
	logf, err := os.Create(filepath.Join(o.out, "upstream.jsonl"))
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	up := upstream.New(logf)
	up.Strict = o.strict
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	srv := &http.Server{Handler: up, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	upURL := "http://" + ln.Addr().String()

	var caps capabilities
	if !o.direct {
		if caps, err = probe(ctx, o.bin, o.out); err != nil {
			return 0, fmt.Errorf("probe the engine: %w", err)
		}
	}
	versions := clientVersions(o.modules)
	fmt.Printf("test-clients: upstream %s (strict=%v); Routex serves /v1/responses: %v, has openai-responses channels: %v\n",
		upURL, o.strict, caps.ResponsesEndpoint, caps.ResponsesChannel)

	var cells []*cellResult
	for _, c := range clients {
		for _, ch := range channels {
			if o.only != nil && !o.only.MatchString(c.Name+"/"+ch.Type) || o.direct && ch.Type != direct {
				continue
			}
			cells = append(cells, &cellResult{Client: c.Name, Channel: ch.Type, client: c, channel: ch})
		}
	}
	deadline := time.Now().Add(o.budget)
	sem := make(chan struct{}, max(1, o.parallel))
	var wg sync.WaitGroup
	for _, cell := range cells {
		if reason := expectedFailure(cell, caps); reason != "" {
			cell.Status, cell.Reason = statusXFail, reason
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if time.Now().After(deadline) || ctx.Err() != nil {
				cell.Status, cell.Reason = statusFail, "not run: the suite's time budget was spent"
				return
			}
			runCell(ctx, o, up, upURL, cell)
			fmt.Printf("  %-22s %-17s %s\n", cell.Client, cell.Channel, cell.label())
		}()
	}
	wg.Wait()
	m := matrix{Strict: o.strict, Capabilities: caps, Versions: versions, Cells: cells}
	m.print(os.Stdout)
	if err := m.write(filepath.Join(o.out, "matrix.json")); err != nil {
		return 0, err
	}
	fmt.Printf("test-clients: matrix in %s, request log in %s\n", filepath.Join(o.out, "matrix.json"), filepath.Join(o.out, "upstream.jsonl"))
	return m.failures(), nil
}

// expectedFailure names why a cell cannot pass on this Routex build, or "".
func expectedFailure(c *cellResult, caps capabilities) string {
	if c.channel.Type == direct {
		return ""
	}
	if c.client.Responses && !caps.ResponsesEndpoint {
		return "Routex does not serve POST /v1/responses"
	}
	if c.channel.Type == "openai-responses" && !caps.ResponsesChannel {
		return "Routex has no openai-responses channel type"
	}
	return ""
}

func copyScripts(from, to string) (string, error) {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return "", err
	}
	files, err := filepath.Glob(filepath.Join(from, "*.mjs"))
	if err != nil || len(files) == 0 {
		return "", fmt.Errorf("no SDK scripts in %s", from)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), b, 0o644); err != nil {
			return "", fmt.Errorf("copy %s: %w", f, err)
		}
	}
	return to, nil
}

func newToken() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "RTX-" + hex.EncodeToString(b)
}
