package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tidwall/sjson"
)

// Target names, as they appear in the table and the JSON.
const (
	tDirect      = "direct"
	tBare        = "bare-proxy"
	tPassthrough = "routex-passthrough"
	tConverted   = "routex-converted"
)

// run is the whole suite: start everything, measure each phase, report.
func run(ctx context.Context, opts options, stdout, stderr io.Writer) error {
	started := time.Now()
	p := &progress{w: stderr, start: started, total: 9}
	res := &Results{Started: started.UTC(), Host: hostInfo(), Config: configOf(opts)}

	p.phase("start: mock upstream, bare reverse proxy, %s serve", opts.bin)
	limit, err := raiseFileLimit()
	if err != nil {
		return err
	}
	res.Host.OpenFiles = limit
	plain, stream, err := loadBodies(opts.fixture)
	if err != nil {
		return err
	}
	res.Config.BodyBytes = len(plain)
	srv, eng, stop, err := startRig(ctx, opts)
	if err != nil {
		return err
	}
	defer stop()
	if res.Memory.Idle, err = eng.memory(); err != nil {
		p.note("engine memory: %v", err)
	}
	p.note("engine idle RSS %.1f MB (pid %d)", res.Memory.Idle.RSS, eng.Cmd.Process.Pid)

	convPlain, _ := sjson.SetBytes(plain, "model", chanOpenAI+",gpt-4.1")
	convStream, _ := sjson.SetBytes(stream, "model", chanOpenAI+",gpt-4.1")
	holdStream, _ := sjson.SetBytes(stream, "model", chanHold+",claude-opus-4-8")
	targets := []target{
		{Name: tDirect, URL: srv.mockURL + "/v1/messages", Body: plain, StreamBody: stream},
		{Name: tBare, URL: srv.bareURL + "/v1/messages", Body: plain, StreamBody: stream},
		{Name: tPassthrough, URL: eng.URL + "/v1/messages", Body: plain, StreamBody: stream},
		{Name: tConverted, URL: eng.URL + "/v1/messages", Body: convPlain, StreamBody: convStream},
	}

	p.phase("latency at concurrency 1: %d rounds over %d paths", opts.rounds, len(targets))
	samples, err := serialLatency(ctx, targets, opts.rounds)
	if err != nil {
		return err
	}
	res.Serial = map[string]Latency{}
	for name, s := range samples {
		res.Serial[name] = summarize(s)
	}
	res.Added = addedOver(res.Serial, tDirect)
	p.note("added p50: passthrough %.3f ms, converted %.3f ms, bare proxy %.3f ms",
		res.Added[tPassthrough].P50, res.Added[tConverted].P50, res.Added[tBare].P50)

	p.phase("streaming: %d streams per path, %d text events %s apart", opts.streamRuns*4, opts.mock.TextEvents, opts.mock.Pace)
	ss, err := streamLatency(ctx, targets, opts.streamRuns, 4, opts.stall)
	if err != nil {
		return err
	}
	res.Stream = streamReport(ss)
	p.note("added time to first event p50: passthrough %.3f ms, converted %.3f ms",
		res.Stream.AddedTTFE[tPassthrough].P50, res.Stream.AddedTTFE[tConverted].P50)

	p.phase("concurrent streams held: ramp %v, %d events %s apart", opts.holdSteps, opts.mock.TextEvents+5, opts.mock.HoldPace)
	hold := target{Name: "routex-hold", URL: eng.URL + "/v1/messages", StreamBody: holdStream}
	for _, n := range opts.holdSteps {
		step := holdStep(ctx, hold, n, opts.mock.TextEvents, opts.stall, eng.memory)
		res.Hold = append(res.Hold, step)
		p.note("%4d streams: %d open at once, %d complete, lost %d, reordered %d, stalled %d, errors %d, peak RSS %.1f MB %s",
			n, step.MaxOpen, step.Complete, step.Lost, step.Reordered, step.Stalled, step.Errors, step.PeakRSS, step.FirstErr)
		if !step.Clean() {
			break
		}
	}

	p.phase("throughput, closed loop: concurrency %v, %s each", opts.concs, opts.dur)
	for _, c := range opts.concs {
		for _, t := range targets {
			res.Throughput = append(res.Throughput, closedLoop(ctx, t, c, opts.warm, opts.dur))
		}
		p.note("c=%-3d %s", c, rpsLine(res.Throughput[len(res.Throughput)-len(targets):]))
	}
	res.Ratios = ratios(res.Throughput)

	p.phase("open loop: %v req/s for %s per path, latency from the scheduled send", opts.rates, opts.openDur)
	for _, rate := range opts.rates {
		for _, t := range targets {
			ol := openLoop(ctx, t, rate, opts.openDur)
			res.OpenLoop = append(res.OpenLoop, ol)
			p.note("%5d req/s %-19s p50 %.3f ms  p99 %.3f ms  errors %d missed %d", rate, t.Name, ol.Latency.P50, ol.Latency.P99, ol.Errors, ol.Missed)
		}
	}

	p.phase("keys per person (SQLite and PostgreSQL) and two instances on one PostgreSQL, c=%d", opts.teamConc)
	if res.Team, err = runTeam(ctx, opts, srv.mockURL, eng, plain, p); err != nil {
		return err
	}

	p.phase("memory after load: settle %s, then %d s", opts.settle, laterSeconds)
	time.Sleep(opts.settle)
	if m, err := eng.memory(); err == nil {
		res.Memory.After = m
	}
	time.Sleep(time.Duration(laterSeconds)*time.Second - opts.settle)
	if m, err := eng.memory(); err == nil {
		res.Memory.Later = m
		res.Memory.Peak = m.HWM
	}
	for _, h := range res.Hold {
		res.Memory.HoldPeak = max(res.Memory.HoldPeak, h.PeakRSS)
	}

	p.phase("request bodies: %v MiB, passthrough and converted, %d each; then %d x %d MiB converted at once",
		[]int{bodySizes[0] >> 20, bodySizes[1] >> 20, bodySizes[2] >> 20}, opts.bodyRuns, burstSize, bodySizes[2]>>20)
	if res.Bodies, err = bodyMemory(ctx, eng, opts.bodyRuns); err != nil {
		return err
	}
	for _, b := range res.Bodies {
		p.note("%-19s %5.1f MB body: %.2f bytes allocated per body byte, RSS peak %.1f MB", b.Path, b.BodyMB, b.AllocPerBody, b.PeakRSS)
	}
	res.Burst = bodyBurst(ctx, eng)
	p.note("%d at once: %d served, %d refused with 529, %d errors, RSS peak %.1f MB %s",
		res.Burst.Concurrent, res.Burst.OK, res.Burst.Refused, res.Burst.Errors, res.Burst.PeakRSS, res.Burst.FirstErr)
	res.Targets = checkTargets(res)
	res.Seconds = round3(time.Since(started).Seconds())

	p.phase("report")
	dir, err := runDir(opts.out, started)
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "chart.svg"), chartSVG(res), 0o644); err != nil {
		return fmt.Errorf("write chart %s: %w", dir, err)
	}
	printReport(stdout, res)
	fmt.Fprintf(stdout, "\nResults: %s (results.json, chart.svg; %s/latest links here)\n", dir, opts.out)
	return nil
}

// laterSeconds is when the engine's memory is read a second time after the
// load, to see what the runtime has given back.
const laterSeconds = 15

// rpsLine is a progress line of one concurrency level.
func rpsLine(ts []Throughput) string {
	s := ""
	for _, t := range ts {
		s += fmt.Sprintf("%s %.0f/s  ", t.Target, t.RPS)
	}
	return s
}
