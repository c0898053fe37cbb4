package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// target is one way to reach the mock: straight, through the bare reverse
// proxy, or through Routex. Body is sent with "stream":false, StreamBody
// with "stream":true.
type target struct {
	Name       string
	URL        string
	Body       []byte
	StreamBody []byte
	// Key is the credential sent; empty means the access key.
	Key string
}

// send posts body to t as Claude Code does and reads the whole reply.
func send(ctx context.Context, client *http.Client, t target, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Anthropic-Version", "2023-06-01")
	key := t.Key
	if key == "" {
		key = benchAccessKey
	}
	req.Header.Set("X-Api-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || n == 0 {
		return fmt.Errorf("%s: status %d, %d bytes", t.Name, resp.StatusCode, n)
	}
	return nil
}

// serialLatency sends rounds requests at concurrency 1, one to each target
// per round in a rotating order, so drift on a shared machine falls on
// every target alike. It returns the per-request samples of each target.
func serialLatency(ctx context.Context, targets []target, rounds int) (map[string][]time.Duration, error) {
	client := &http.Client{Transport: newTransport(1)}
	defer client.CloseIdleConnections()
	samples := make(map[string][]time.Duration, len(targets))
	for i := range rounds + rounds/10 {
		for j := range targets {
			t := targets[(i+j)%len(targets)]
			start := time.Now()
			if err := send(ctx, client, t, t.Body); err != nil {
				return nil, err
			}
			if i >= rounds/10 { // the first tenth warms connections and caches
				samples[t.Name] = append(samples[t.Name], time.Since(start))
			}
		}
	}
	return samples, nil
}

// Throughput is one closed-loop measurement.
type Throughput struct {
	Target      string  `json:"target"`
	Concurrency int     `json:"concurrency"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	RPS         float64 `json:"rps"`
	Latency     Latency `json:"latency"`
}

// closedLoop runs conc workers that each send the next request as soon as
// the last one is answered, for warm plus d, and counts what completes in d.
func closedLoop(ctx context.Context, t target, conc int, warm, d time.Duration) Throughput {
	client := &http.Client{Transport: newTransport(conc)}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	measureFrom, measureTo := start.Add(warm), start.Add(warm+d)
	var errs atomic.Int64
	perWorker := make([][]time.Duration, conc)
	var wg sync.WaitGroup
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				s := time.Now()
				if s.After(measureTo) || ctx.Err() != nil {
					return
				}
				err := send(ctx, client, t, t.Body)
				e := time.Now()
				if s.Before(measureFrom) || e.After(measureTo) {
					continue
				}
				if err != nil {
					errs.Add(1)
					continue
				}
				perWorker[w] = append(perWorker[w], e.Sub(s))
			}
		}()
	}
	wg.Wait()
	var all []time.Duration
	for _, s := range perWorker {
		all = append(all, s...)
	}
	return Throughput{
		Target: t.Name, Concurrency: conc, Requests: int64(len(all)), Errors: errs.Load(),
		RPS: round3(float64(len(all)) / d.Seconds()), Latency: summarize(all),
	}
}

// OpenLoop is one constant-rate measurement.
type OpenLoop struct {
	Target string  `json:"target"`
	Rate   int     `json:"rate_rps"`
	Sent   int64   `json:"sent"`
	Errors int64   `json:"errors"`
	Missed int64   `json:"missed"`
	Done   float64 `json:"achieved_rps"`
	// Latency counts from the time each request was due, not from when it
	// went out, so a stalled server cannot hide its queue (coordinated
	// omission).
	Latency Latency `json:"latency"`
}

// maxInFlight bounds an open-loop run: past it, due requests are counted
// as missed rather than piling up without end.
const maxInFlight = 4096

// openLoop sends rate requests a second for d, each at its scheduled time
// whether or not earlier ones have been answered.
func openLoop(ctx context.Context, t target, rate int, d time.Duration) OpenLoop {
	client := &http.Client{Transport: newTransport(min(rate, 1024))}
	defer client.CloseIdleConnections()
	interval := time.Second / time.Duration(rate)
	total := int(d / interval)
	var (
		mu       sync.Mutex
		samples  = make([]time.Duration, 0, total)
		errs     atomic.Int64
		missed   atomic.Int64
		inFlight atomic.Int64
		wg       sync.WaitGroup
	)
	start := time.Now()
	for i := range total {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		if ctx.Err() != nil {
			break
		}
		if inFlight.Load() >= maxInFlight {
			missed.Add(1)
			continue
		}
		inFlight.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer inFlight.Add(-1)
			if err := send(ctx, client, t, t.Body); err != nil {
				errs.Add(1)
				return
			}
			lat := time.Since(due)
			mu.Lock()
			samples = append(samples, lat)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	return OpenLoop{
		Target: t.Name, Rate: rate, Sent: int64(total) - missed.Load(), Errors: errs.Load(), Missed: missed.Load(),
		Done: round3(float64(len(samples)) / elapsed.Seconds()), Latency: summarize(samples),
	}
}
