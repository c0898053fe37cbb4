package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/routex-app/routex/internal/bigbody"
)

// BodyMemory is what one large request costs the engine, by path and body
// size: bytes allocated per byte of body (from the engine's own
// go_memstats_alloc_bytes_total) and the resident memory it reached.
type BodyMemory struct {
	Path     string  `json:"path"`
	BodyMB   float64 `json:"body_mb"`
	Requests int     `json:"requests"`
	// AllocPerBody is bytes allocated per byte of request body.
	AllocPerBody float64 `json:"alloc_per_body_byte"`
	PeakRSS      float64 `json:"peak_rss_mb"`
}

// BodyBurst is many large converted requests at once: how many the engine
// took, how many it refused for its bodies-in-flight budget (with 529 and
// Retry-After), and the resident memory it reached.
type BodyBurst struct {
	Concurrent int     `json:"concurrent"`
	BodyMB     float64 `json:"body_mb"`
	OK         int     `json:"ok"`
	Refused    int     `json:"refused_529"`
	Errors     int     `json:"errors"`
	PeakRSS    float64 `json:"peak_rss_mb"`
	FirstErr   string  `json:"first_error,omitempty"`
}

// bodySizes are the body sizes measured, the last near the 32 MiB limit.
var bodySizes = []int{1 << 20, 8 << 20, 31 << 20}

// burstSize is how many 31 MiB converted requests go at once.
const burstSize = 16

// imageRequest is a Claude Code request of about size bytes whose bulk is
// base64 screenshots, for model.
func imageRequest(size int, model string) []byte {
	content := bigbody.ImageContent(size)
	body, _ := json.Marshal(map[string]any{
		"model": model, "max_tokens": 1024, "stream": false,
		"messages": []any{map[string]any{"role": "user", "content": content}},
	})
	return body
}

// bodyMemory sends requests of each size on each path, one at a time, and
// reads what they cost the engine.
func bodyMemory(ctx context.Context, e *engine, perSize int) ([]BodyMemory, error) {
	client := &http.Client{Transport: newTransport(1)}
	defer client.CloseIdleConnections()
	var out []BodyMemory
	for _, size := range bodySizes {
		for _, p := range []struct{ name, model string }{
			{tPassthrough, chanAnthropic + ",claude-opus-4-8"}, {tConverted, chanOpenAI + ",gpt-4.1"},
		} {
			body := imageRequest(size, p.model)
			before, err := e.allocated()
			if err != nil {
				return nil, err
			}
			peak := e.watchRSS()
			for range perSize {
				if err := send(ctx, client, target{Name: p.name, URL: e.URL + "/v1/messages"}, body); err != nil {
					peak()
					return nil, err
				}
			}
			rss := peak()
			after, err := e.allocated()
			if err != nil {
				return nil, err
			}
			out = append(out, BodyMemory{Path: p.name, BodyMB: round3(float64(len(body)) / (1 << 20)), Requests: perSize,
				AllocPerBody: round3((after - before) / float64(perSize) / float64(len(body))), PeakRSS: rss})
		}
	}
	return out, nil
}

// bodyBurst sends burstSize 31 MiB converted requests at once.
func bodyBurst(ctx context.Context, e *engine) BodyBurst {
	body := imageRequest(bodySizes[len(bodySizes)-1], chanOpenAI+",gpt-4.1")
	res := BodyBurst{Concurrent: burstSize, BodyMB: round3(float64(len(body)) / (1 << 20))}
	client := &http.Client{Transport: newTransport(burstSize)}
	defer client.CloseIdleConnections()
	peak := e.watchRSS()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range burstSize {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, err := post(ctx, client, e.URL+"/v1/messages", body)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && status == http.StatusOK:
				res.OK++
			case err == nil && status == 529:
				res.Refused++
			default:
				res.Errors++
				if res.FirstErr == "" {
					res.FirstErr = fmt.Sprintf("status %d: %v", status, err)
				}
			}
		}()
	}
	wg.Wait()
	res.PeakRSS = peak()
	return res
}

// post sends body and reads the reply, returning its status.
func post(ctx context.Context, client *http.Client, url string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Api-Key", benchAccessKey)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// allocated reads the engine's total bytes allocated so far from its
// Prometheus metrics.
func (e *engine) allocated() (float64, error) {
	req, err := http.NewRequest(http.MethodGet, e.URL+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+benchAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("read /metrics: %w", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_memstats_alloc_bytes_total "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("/metrics (status %d) has no go_memstats_alloc_bytes_total", resp.StatusCode)
}

// watchRSS samples the engine's resident memory until the returned func is
// called, which returns the highest sample in MB (0 without /proc).
func (e *engine) watchRSS() func() float64 {
	stop, done := make(chan struct{}), make(chan float64, 1)
	go func() {
		peak := 0.0
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if m, err := e.memory(); err == nil {
				peak = max(peak, m.RSS)
			}
			select {
			case <-stop:
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 { close(stop); return <-done }
}
