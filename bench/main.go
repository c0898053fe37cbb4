// Command bench measures what Routex adds to a request, the fair way: on
// loopback, in one run, against a zero-delay mock upstream reached directly,
// through a bare httputil.ReverseProxy and through the real engine (the
// headless binary as a child process, request logging on). A last phase
// measures keys per person against the access key, and two instances on
// one PostgreSQL behind a round-robin proxy against one (team.go). It
// prints a table, checks the published targets, and writes results.json
// and a chart under bench-results/<timestamp>. `make bench` runs it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/tidwall/sjson"
)

// options are the knobs of a run; the defaults are what `make bench` uses.
type options struct {
	bin        string
	out        string
	fixture    string
	rounds     int
	concs      []int
	warm       time.Duration
	dur        time.Duration
	rates      []int
	openDur    time.Duration
	streamRuns int
	holdSteps  []int
	settle     time.Duration
	mock       mockConfig
	stall      time.Duration
	// teamConc is the closed loop's concurrency of the two-instance run.
	teamConc int
	bodyRuns int
	// firstByteRounds is the rounds of the key measurement against the
	// upstream that holds its first byte (mock.FirstByte); 0 skips it.
	firstByteRounds int
	// keysOnly skips the instance comparison of the team phase.
	keysOnly bool
}

func defaultOptions() options {
	return options{
		bin:        "build/bin/routex-headless",
		out:        "bench-results",
		fixture:    "testdata/claude-code-2.1.197-messages.json",
		rounds:     2000,
		concs:      []int{1, 16, 64, 256},
		warm:       500 * time.Millisecond,
		dur:        3 * time.Second,
		rates:      []int{200, 1000},
		openDur:    10 * time.Second,
		streamRuns: 50,
		holdSteps:  []int{250, 500, 1000, 1500},
		settle:     3 * time.Second,
		mock:       mockConfig{TextEvents: 16, Pace: 5 * time.Millisecond, HoldPace: 250 * time.Millisecond, FirstByte: 20 * time.Millisecond},
		stall:      2 * time.Second,
		teamConc:   32,
		bodyRuns:   3,

		firstByteRounds: 300,
	}
}

func main() {
	opts := defaultOptions()
	quick := flag.Bool("quick", false, "short run (a smoke test of the suite, not a measurement)")
	flag.StringVar(&opts.bin, "bin", opts.bin, "the headless Routex binary to measure")
	flag.StringVar(&opts.out, "out", opts.out, "folder for results (a timestamped run folder and a latest link)")
	flag.StringVar(&opts.fixture, "fixture", opts.fixture, "captured Claude Code request whose body is sent")
	bare := flag.String("bare-proxy", "", "internal: run only the bare reverse proxy to this upstream URL")
	teamOnly := flag.Bool("team-only", false, "run only the team phase (keys per person, two instances) and print its figures")
	flag.DurationVar(&opts.mock.FirstByte, "first-byte-delay", opts.mock.FirstByte, "how long the mock's realistic upstream holds its first byte (the key phase's second measurement)")
	flag.IntVar(&opts.firstByteRounds, "first-byte-rounds", opts.firstByteRounds, "rounds of the key measurement against the upstream that holds its first byte (0 skips it)")
	flag.BoolVar(&opts.keysOnly, "keys-only", false, "with -team-only: measure the keys per person only, not the instances")
	flag.Parse()
	if *bare != "" {
		if err := runBareProxy(*bare); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *quick {
		opts.rounds, opts.dur, opts.warm, opts.openDur = 200, time.Second, 200*time.Millisecond, 2*time.Second
		opts.streamRuns, opts.holdSteps, opts.settle = 5, []int{100, 250}, time.Second
		opts.mock.HoldPace = 100 * time.Millisecond
		opts.bodyRuns = 1
		opts.firstByteRounds = 30
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	runner := run
	if *teamOnly {
		runner = runTeamOnly
	}
	if err := runner(ctx, opts, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// progress prints one line per phase to w, with the time since the start.
type progress struct {
	w     io.Writer
	start time.Time
	n     int
	total int
}

func (p *progress) phase(format string, args ...any) {
	p.n++
	fmt.Fprintf(p.w, "[%d/%d %5.1fs] %s\n", p.n, p.total, time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}

func (p *progress) note(format string, args ...any) {
	fmt.Fprintf(p.w, "        %s\n", fmt.Sprintf(format, args...))
}

// loadBodies reads the fixture's request body and returns it twice:
// non-streamed and streamed.
func loadBodies(path string) (plain, stream []byte, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read fixture %s: %w", path, err)
	}
	var fx struct {
		Body json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(raw, &fx); err != nil || len(fx.Body) == 0 {
		return nil, nil, fmt.Errorf("fixture %s has no request body: %v", path, err)
	}
	if plain, err = sjson.SetBytes(fx.Body, "stream", false); err != nil {
		return nil, nil, fmt.Errorf("fixture %s: %w", path, err)
	}
	if stream, err = sjson.SetBytes(fx.Body, "stream", true); err != nil {
		return nil, nil, fmt.Errorf("fixture %s: %w", path, err)
	}
	return compact(plain), compact(stream), nil
}

func compact(b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return buf.Bytes()
}

// runDir makes out/<timestamp> and points out/latest at it.
func runDir(out string, now time.Time) (string, error) {
	name := now.Format("20060102-150405")
	dir := filepath.Join(out, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("make results folder %s: %w", dir, err)
	}
	link := filepath.Join(out, "latest")
	os.Remove(link)
	if err := os.Symlink(name, link); err != nil {
		return "", fmt.Errorf("link %s: %w", link, err)
	}
	return dir, nil
}

// hostInfo describes the machine, so numbers from elsewhere are read
// with care.
func hostInfo() Host {
	return Host{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), Go: runtime.Version()}
}
