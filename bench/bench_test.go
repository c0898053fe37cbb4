package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		samples []time.Duration
		want    Latency
	}{
		{"no samples give a zero summary", nil, Latency{}},
		{"one sample is every percentile", []time.Duration{2 * time.Millisecond},
			Latency{Count: 1, P50: 2, P90: 2, P99: 2, P999: 2, Max: 2, Mean: 2}},
		{"percentiles use the nearest rank of the sorted samples",
			func() []time.Duration {
				var s []time.Duration
				for i := 100; i >= 1; i-- {
					s = append(s, time.Duration(i)*time.Millisecond)
				}
				return s
			}(),
			Latency{Count: 100, P50: 50, P90: 90, P99: 99, P999: 100, Max: 100, Mean: 50.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := summarize(tt.samples); got != tt.want {
				t.Errorf("summarize = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAddedOverSubtractsTheDirectPath(t *testing.T) {
	t.Parallel()
	m := map[string]Latency{
		tDirect:      {Count: 10, P50: 0.2, P99: 0.5},
		tPassthrough: {Count: 10, P50: 0.35, P99: 1.0},
	}
	got := addedOver(m, tDirect)
	if _, ok := got[tDirect]; ok {
		t.Error("the base path is in its own added map")
	}
	if p := got[tPassthrough]; p.P50 != 0.15 || p.P99 != 0.5 {
		t.Errorf("added = %+v, want p50 0.15 and p99 0.5", p)
	}
}

func TestCheckTargets(t *testing.T) {
	t.Parallel()
	good := &Results{
		Serial: map[string]Latency{tDirect: {Count: 1, P50: 0.2}, tPassthrough: {Count: 1, P50: 0.3}},
		Added:  map[string]Latency{tPassthrough: {Count: 1, P50: 0.1}},
		Throughput: []Throughput{
			{Target: tBare, Concurrency: 16, RPS: 1000}, {Target: tPassthrough, Concurrency: 16, RPS: 900},
		},
		Stream: StreamReport{AddedTTFE: map[string]Latency{tConverted: {Count: 1, P50: 0.4}}},
		Hold:   []HoldStep{{Streams: 1000, MaxOpen: 1000, Complete: 1000, PeakRSS: 150}},
		Memory: MemoryReport{Idle: Memory{RSS: 30}},
		Bodies: []BodyMemory{{Path: tConverted, BodyMB: 1, Requests: 3, AllocPerBody: 3.5},
			{Path: tConverted, BodyMB: 31, Requests: 3, AllocPerBody: 2.1}, {Path: tPassthrough, BodyMB: 31, Requests: 3, AllocPerBody: 4}},
	}
	good.Ratios = ratios(good.Throughput)
	for _, c := range checkTargets(good) {
		if !c.Met {
			t.Errorf("%s missed on numbers that meet it: %+v", c.Name, c)
		}
	}

	bad := *good
	bad.Hold = []HoldStep{{Streams: 1000, MaxOpen: 1000, Complete: 999, Lost: 3, PeakRSS: 150}}
	bad.Memory = MemoryReport{Idle: Memory{RSS: 45}}
	bad.Bodies = []BodyMemory{{Path: tConverted, BodyMB: 31, Requests: 3, AllocPerBody: 6.8}}
	missed := map[string]bool{}
	for _, c := range checkTargets(&bad) {
		missed[c.Name] = !c.Met
	}
	if !missed["concurrent streams, zero loss"] {
		t.Error("a step that lost events still met the streams target")
	}
	if !missed["idle engine RSS"] {
		t.Error("45 MB idle met the 40 MB target")
	}
	if !missed["converted request memory"] {
		t.Error("6.8x the body met the memory target")
	}

	// Keys per person: judged per backend that ran.
	team := *good
	team.Team = &TeamReport{KeyAdded: map[string]map[string]Latency{
		"sqlite":   {tKeyLimited: {Count: 10, P50: 0.06}, tKeyPlain: {Count: 10, P50: 0.05}},
		"postgres": {tKeyLimited: {Count: 10, P50: 0.25}, tKeyPlain: {Count: 10, P50: 0.2}},
	}}
	team.Team.KeyAddedFirstByte = map[string]map[string]Latency{
		"postgres": {tKeyLimited: {Count: 10, P50: 0.012}, tKeyPlain: {Count: 10, P50: 0.01}},
	}
	team.Team.FirstByteMS = 20
	got := map[string]bool{}
	for _, c := range checkTargets(&team) {
		got[c.Name] = c.Met
		if c.Name == "key check and accounting, postgres" && !strings.Contains(c.Detail, "first byte after 20 ms: +0.010 / +0.012 ms") {
			t.Errorf("the PostgreSQL target's detail lacks the delayed upstream's figures: %s", c.Detail)
		}
	}
	if met, ok := got["key check and accounting, sqlite"]; !ok || !met {
		t.Errorf("60 µs on SQLite: %v %v", met, ok)
	}
	if met, ok := got["key check and accounting, postgres"]; !ok || met {
		t.Errorf("250 µs on PostgreSQL met the 100 µs target: %v %v", met, ok)
	}
	team.Team = &TeamReport{KeyAdded: map[string]map[string]Latency{"sqlite": {tKeyLimited: {Count: 10, P50: 0.06}}}}
	for _, c := range checkTargets(&team) {
		if c.Name == "key check and accounting, postgres" {
			t.Error("a skipped PostgreSQL half was judged")
		}
	}
}

func TestTextSeq(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		event string
		want  int
	}{
		{"a text delta gives its number", `data: {"delta":{"type":"text_delta","text":"s12 "}}`, 12},
		{"an event without text gives -1", `data: {"type":"message_stop"}`, -1},
		{"text that is not the mock's gives -1", `data: {"delta":{"text":"hello"}}`, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := textSeq([]byte(tt.event)); got != tt.want {
				t.Errorf("textSeq = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestStreamOnceReadsTheMockStreamInOrder(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&mock{cfg: mockConfig{TextEvents: 5, Pace: time.Millisecond}})
	defer srv.Close()
	tg := target{Name: "mock", URL: srv.URL + "/v1/messages", StreamBody: []byte(`{"model":"m","stream":true}`)}
	opened, closed := 0, 0
	res, err := streamOnce(context.Background(), srv.Client(), tg, time.Second, func() { opened++ }, func() { closed++ })
	if err != nil {
		t.Fatal(err)
	}
	if !res.Complete || res.Seen != 5 || res.Reordered != 0 || res.Stalled || len(res.Gaps) != 4 {
		t.Errorf("result = %+v, want 5 text events in order and complete", res)
	}
	if opened != 1 || closed != 1 {
		t.Errorf("open/close callbacks ran %d/%d times, want once each", opened, closed)
	}
}

func TestMockAnswersJSONInTheFormatOfThePath(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&mock{cfg: mockConfig{TextEvents: 3}})
	defer srv.Close()
	for _, tt := range []struct{ name, path, want string }{
		{"Anthropic messages get a message", "/v1/messages", `"type":"message"`},
		{"OpenAI chat completions get a completion", "/v1/chat/completions", `"object":"chat.completion"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL+tt.path, "application/json", bytes.NewReader([]byte(`{"stream":false}`)))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var buf bytes.Buffer
			buf.ReadFrom(resp.Body)
			if !bytes.Contains(buf.Bytes(), []byte(tt.want)) {
				t.Errorf("reply %s lacks %s", buf.String(), tt.want)
			}
		})
	}
}

func TestChartIsWellFormedSVG(t *testing.T) {
	t.Parallel()
	r := &Results{
		Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Host:    Host{CPUs: 2, Go: "go1.26"},
		Config:  Config{Concurrency: []int{1, 16}, Rates: []int{200}},
		Serial:  map[string]Latency{tDirect: {P50: 0.2, P99: 0.4}, tPassthrough: {P50: 0.3, P99: 0.9}},
		Throughput: []Throughput{
			{Target: tDirect, Concurrency: 1, RPS: 4000}, {Target: tPassthrough, Concurrency: 16, RPS: 2500},
		},
		OpenLoop: []OpenLoop{{Target: tBare, Rate: 200, Latency: Latency{P50: 1, P99: 3}}},
	}
	svg := chartSVG(r)
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		_, err := dec.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("chart is not well-formed XML: %v", err)
			}
			break
		}
	}
	for _, want := range []string{"Throughput", "concurrency 16", "200/s p99", tPassthrough} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("chart lacks %q", want)
		}
	}
}

func TestNiceCeil(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want float64 }{{0, 1}, {0.37, 0.4}, {3, 3}, {1234, 1600}, {9000, 10000}} {
		if got := niceCeil(tt.in); got != tt.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMockHoldsTheFirstByteOnTheFirstBytePath(t *testing.T) {
	t.Parallel()
	const hold = 30 * time.Millisecond
	srv := httptest.NewServer(&mock{cfg: mockConfig{TextEvents: 3, FirstByte: hold}})
	defer srv.Close()
	start := time.Now()
	resp, err := http.Post(srv.URL+firstBytePrefix+"/v1/messages", "application/json", bytes.NewReader([]byte(`{"stream":false}`)))
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if took < hold {
		t.Errorf("the first byte came after %v; want at least %v", took, hold)
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"type":"message"`)) {
		t.Errorf("status %d body %s", resp.StatusCode, body)
	}
}
