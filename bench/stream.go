package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// streamResult is what one streamed request showed the client.
type streamResult struct {
	TTFE      time.Duration   // send to the end of the first event
	Gaps      []time.Duration // between consecutive text events
	Seen      int             // distinct text sequence numbers received
	Reordered int             // text events older than one already seen
	Stalled   bool            // a gap between two events over the stall limit
	Complete  bool            // message_stop arrived
}

// textSeq finds the sequence number the mock put in a text delta
// ("text":"s12 "), or -1.
func textSeq(event []byte) int {
	i := bytes.Index(event, []byte(`"text":"s`))
	if i < 0 {
		return -1
	}
	rest := event[i+len(`"text":"s`):]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(string(rest[:j]))
	if err != nil {
		return -1
	}
	return n
}

// streamOnce sends a streamed request and reads the reply event by event.
// onOpen is called after the first event and onClose when the stream ends,
// so callers can count streams open at once.
func streamOnce(ctx context.Context, client *http.Client, t target, stall time.Duration, onOpen, onClose func()) (streamResult, error) {
	var res streamResult
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(t.StreamBody))
	if err != nil {
		return res, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Anthropic-Version", "2023-06-01")
	req.Header.Set("X-Api-Key", benchAccessKey)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return res, fmt.Errorf("%s: %w", t.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return res, fmt.Errorf("%s: status %d: %s", t.Name, resp.StatusCode, bytes.TrimSpace(msg))
	}
	br := bufio.NewReaderSize(resp.Body, 16<<10)
	var (
		event    []byte
		last     = start
		lastText time.Time
		maxSeq   = -1
		seen     = map[int]bool{}
		opened   bool
	)
	defer func() {
		if opened && onClose != nil {
			onClose()
		}
	}()
	for {
		line, err := br.ReadSlice('\n')
		event = append(event, line...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			return res, nil
		}
		if err != nil {
			return res, fmt.Errorf("%s: read stream after %d text events: %w", t.Name, res.Seen, err)
		}
		if len(bytes.TrimRight(line, "\r\n")) > 0 {
			continue
		}
		if len(bytes.TrimSpace(event)) == 0 {
			event = event[:0]
			continue
		}
		now := time.Now()
		if now.Sub(last) > stall {
			res.Stalled = true
		}
		last = now
		if !opened {
			opened = true
			res.TTFE = now.Sub(start)
			if onOpen != nil {
				onOpen()
			}
		}
		if seq := textSeq(event); seq >= 0 {
			if !lastText.IsZero() {
				res.Gaps = append(res.Gaps, now.Sub(lastText))
			}
			lastText = now
			if seq < maxSeq {
				res.Reordered++
			}
			maxSeq = max(maxSeq, seq)
			if !seen[seq] {
				seen[seq] = true
				res.Seen++
			}
		}
		if bytes.Contains(event, []byte(`"type":"message_stop"`)) {
			res.Complete = true
		}
		event = event[:0]
	}
}

// streamSamples are the per-stream samples of one target.
type streamSamples struct {
	TTFE []time.Duration
	Gaps []time.Duration
}

// streamLatency runs rounds streamed requests per target from parallel
// clients, each walking the targets in a rotating order.
func streamLatency(ctx context.Context, targets []target, rounds, parallel int, stall time.Duration) (map[string]*streamSamples, error) {
	out := make(map[string]*streamSamples, len(targets))
	for _, t := range targets {
		out[t.Name] = &streamSamples{}
	}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	for p := range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: newTransport(1)}
			defer client.CloseIdleConnections()
			for i := range rounds + 2 {
				for j := range targets {
					t := targets[(i+j+p)%len(targets)]
					res, err := streamOnce(ctx, client, t, stall, nil, nil)
					if err == nil && !res.Complete {
						err = fmt.Errorf("%s: stream ended before message_stop", t.Name)
					}
					mu.Lock()
					if err != nil && firstErr == nil {
						firstErr = err
					}
					if i >= 2 { // two rounds to warm up
						out[t.Name].TTFE = append(out[t.Name].TTFE, res.TTFE)
						out[t.Name].Gaps = append(out[t.Name].Gaps, res.Gaps...)
					}
					mu.Unlock()
					if err != nil {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	return out, firstErr
}

// HoldStep is one step of the concurrent-stream ramp.
type HoldStep struct {
	Streams   int     `json:"streams"`
	MaxOpen   int64   `json:"max_open"`
	Complete  int64   `json:"complete"`
	Lost      int64   `json:"lost_events"`
	Reordered int64   `json:"reordered_events"`
	Stalled   int64   `json:"stalled_streams"`
	Errors    int64   `json:"errors"`
	FirstErr  string  `json:"first_error,omitempty"`
	Seconds   float64 `json:"seconds"`
	PeakRSS   float64 `json:"peak_rss_mb"`
}

// Clean reports whether every stream of the step got every event, in
// order, with no stall.
func (h HoldStep) Clean() bool {
	return h.Complete == int64(h.Streams) && h.Lost == 0 && h.Reordered == 0 && h.Stalled == 0 && h.Errors == 0
}

// holdStep opens n slow streams at once and counts how many are open at the
// same time, sampling the engine's memory meanwhile.
func holdStep(ctx context.Context, t target, n, textEvents int, stall time.Duration, mem func() (Memory, error)) HoldStep {
	client := &http.Client{Transport: newTransport(n)}
	defer client.CloseIdleConnections()
	var (
		open, maxOpen                      atomic.Int64
		complete, lost, reordered, stalled atomic.Int64
		errs                               atomic.Int64
		firstErr                           atomic.Value
		wg                                 sync.WaitGroup
	)
	stopSampling := make(chan struct{})
	peak := make(chan float64, 1)
	go func() {
		var top float64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if m, err := mem(); err == nil {
				top = max(top, m.RSS)
			}
			select {
			case <-stopSampling:
				peak <- top
				return
			case <-tick.C:
			}
		}
	}()
	onOpen := func() {
		now := open.Add(1)
		for {
			old := maxOpen.Load()
			if now <= old || maxOpen.CompareAndSwap(old, now) {
				return
			}
		}
	}
	onClose := func() { open.Add(-1) }
	start := time.Now()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := streamOnce(ctx, client, t, stall, onOpen, onClose)
			if err != nil {
				errs.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
			}
			if res.Complete {
				complete.Add(1)
			}
			lost.Add(int64(textEvents - res.Seen))
			reordered.Add(int64(res.Reordered))
			if res.Stalled {
				stalled.Add(1)
			}
		}()
	}
	wg.Wait()
	close(stopSampling)
	step := HoldStep{
		Streams: n, MaxOpen: maxOpen.Load(), Complete: complete.Load(), Lost: lost.Load(),
		Reordered: reordered.Load(), Stalled: stalled.Load(), Errors: errs.Load(),
		Seconds: round3(time.Since(start).Seconds()), PeakRSS: <-peak,
	}
	if s, ok := firstErr.Load().(string); ok {
		step.FirstErr = s
	}
	return step
}
