package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/store/pgtest"
	"github.com/tidwall/sjson"
)

// The team phase: what keys per person cost per request (on the SQLite
// engine of the other phases, and on PostgreSQL), and two instances on one
// PostgreSQL database behind one address against one instance behind the
// same round-robin proxy. PostgreSQL is the tests' throwaway server
// (pgtest: the system's initdb, fsync off); without one that half is
// skipped, loudly.

// Credential paths of the key overhead measurement.
const (
	tAccessKey  = "access-key"
	tKeyPlain   = "personal-key"
	tKeyLimited = "personal-key-limited"
)

var keyPathOrder = [...]string{tAccessKey, tKeyPlain, tKeyLimited}

// Targets of the instance comparison.
const (
	tOneInstance  = "1-instance"
	tTwoInstances = "2-instances"
	keySuffix     = "+key"
)

// TeamReport is the team phase's numbers.
type TeamReport struct {
	Postgres string `json:"postgres_version,omitempty"`
	// KeySerial is each credential's latency at concurrency 1 on one
	// engine, by backend ("sqlite", "postgres"), then path.
	KeySerial map[string]map[string]Latency `json:"key_latency_c1"`
	// KeyAdded is each key path minus the access key path.
	KeyAdded map[string]map[string]Latency `json:"key_added_c1"`
	// KeySerialFirstByte and KeyAddedFirstByte are the same against an
	// upstream that holds its first byte FirstByteMS, as a real provider
	// does: what of the key's check the upstream's wait does not hide.
	KeySerialFirstByte map[string]map[string]Latency `json:"key_latency_c1_first_byte,omitempty"`
	KeyAddedFirstByte  map[string]map[string]Latency `json:"key_added_c1_first_byte,omitempty"`
	FirstByteMS        float64                       `json:"first_byte_ms,omitempty"`
	// Instances is closed-loop throughput through one round-robin proxy
	// to one instance and to two, with the access key and with a key that
	// has limits and budgets.
	Instances []Throughput `json:"instances"`
	// Concurrency is the closed loop's.
	Concurrency int `json:"instances_concurrency"`
	// Skipped says why the PostgreSQL half did not run.
	Skipped string `json:"skipped,omitempty"`
}

// limitedKey has every limit set, none of them reached in a run: each
// request is checked against rpm, tpm and both budgets and counted.
var limitedKey = map[string]any{"name": "bench-limited", "rpm": 1_000_000_000, "tpm": 1_000_000_000,
	"budget_daily_usd": 1_000_000, "budget_monthly_usd": 1_000_000}

// runTeam runs the team phase.
func runTeam(ctx context.Context, opts options, mockURL string, lite *engine, body []byte, p *progress) (*TeamReport, error) {
	r := &TeamReport{KeySerial: map[string]map[string]Latency{}, KeyAdded: map[string]map[string]Latency{}, Concurrency: opts.teamConc}
	if opts.firstByteRounds > 0 {
		r.KeySerialFirstByte, r.KeyAddedFirstByte = map[string]map[string]Latency{}, map[string]map[string]Latency{}
		r.FirstByteMS = float64(opts.mock.FirstByte) / float64(time.Millisecond)
	}
	if err := keyOverhead(ctx, r, opts, "sqlite", lite, body); err != nil {
		return nil, err
	}
	noteKeys(p, r, "sqlite")

	if err := pgtest.Available(); err != nil {
		r.Skipped = "no PostgreSQL: " + err.Error()
		p.note("!!! PostgreSQL half SKIPPED: %v (scripts/deps.sh installs it)", err)
		return r, nil
	}
	defer pgtest.Stop()
	r.Postgres = pgtest.Version()
	url, drop, err := pgtest.Database()
	if err != nil {
		return nil, err
	}
	defer drop()
	a, err := startEngine(ctx, opts.bin, "ROUTEX_DATABASE_URL="+url, "ROUTEX_INSTANCE=bench-a")
	if err != nil {
		return nil, err
	}
	defer a.Stop()
	if err := a.setup(mockURL); err != nil {
		return nil, err
	}
	b, err := startEngine(ctx, opts.bin, "ROUTEX_DATABASE_URL="+url, "ROUTEX_INSTANCE=bench-b")
	if err != nil {
		return nil, err
	}
	defer b.Stop()
	time.Sleep(opts.settle)
	if err := keyOverhead(ctx, r, opts, "postgres", a, body); err != nil {
		return nil, err
	}
	noteKeys(p, r, "postgres "+r.Postgres)
	if opts.keysOnly {
		return r, nil
	}

	key, err := a.createKey(map[string]any{"name": "bench-instances", "rpm": 1_000_000_000,
		"budget_daily_usd": 1_000_000, "budget_monthly_usd": 1_000_000})
	if err != nil {
		return nil, err
	}
	one, stopOne, err := startBareChild(a.URL)
	if err != nil {
		return nil, err
	}
	defer stopOne()
	two, stopTwo, err := startBareChild(a.URL + "," + b.URL)
	if err != nil {
		return nil, err
	}
	defer stopTwo()
	targets := []target{
		{Name: tOneInstance, URL: one + "/v1/messages", Body: body},
		{Name: tTwoInstances, URL: two + "/v1/messages", Body: body},
		{Name: tOneInstance + keySuffix, URL: one + "/v1/messages", Body: body, Key: key},
		{Name: tTwoInstances + keySuffix, URL: two + "/v1/messages", Body: body, Key: key},
	}
	for _, t := range targets {
		tp := closedLoop(ctx, t, opts.teamConc, opts.warm, opts.dur)
		r.Instances = append(r.Instances, tp)
		p.note("c=%d %-18s %.0f req/s, p50 %.3f ms, errors %d", opts.teamConc, t.Name, tp.RPS, tp.Latency.P50, tp.Errors)
	}
	return r, nil
}

// keyOverhead measures the three credentials on one engine at concurrency
// 1, in rotating order, as serialLatency does for the paths: against the
// instant mock, then (opts.firstByteRounds) against the one that holds its
// first byte.
func keyOverhead(ctx context.Context, r *TeamReport, opts options, backend string, e *engine, body []byte) error {
	plain, err := e.createKey(map[string]any{"name": "bench-key"})
	if err != nil {
		return err
	}
	limited, err := e.createKey(limitedKey)
	if err != nil {
		return err
	}
	url := e.URL + "/v1/messages"
	measure := func(body []byte, rounds int) (map[string]Latency, error) {
		samples, err := serialLatency(ctx, []target{
			{Name: tAccessKey, URL: url, Body: body},
			{Name: tKeyPlain, URL: url, Body: body, Key: plain},
			{Name: tKeyLimited, URL: url, Body: body, Key: limited},
		}, rounds)
		if err != nil {
			return nil, fmt.Errorf("%s key overhead: %w", backend, err)
		}
		lat := map[string]Latency{}
		for name, s := range samples {
			lat[name] = summarize(s)
		}
		return lat, nil
	}
	lat, err := measure(body, opts.rounds)
	if err != nil {
		return err
	}
	r.KeySerial[backend] = lat
	r.KeyAdded[backend] = addedOver(lat, tAccessKey)
	if opts.firstByteRounds <= 0 {
		return nil
	}
	slow, err := sjson.SetBytes(body, "model", chanFirstByte+",claude-opus-4-8")
	if err != nil {
		return err
	}
	if lat, err = measure(slow, opts.firstByteRounds); err != nil {
		return err
	}
	r.KeySerialFirstByte[backend] = lat
	r.KeyAddedFirstByte[backend] = addedOver(lat, tAccessKey)
	return nil
}

// noteKeys prints a backend's added p50s.
func noteKeys(p *progress, r *TeamReport, label string) {
	backend, _, _ := strings.Cut(label, " ")
	p.note("%s: added p50 over the access key: key %.3f ms, key with limits %.3f ms", label,
		r.KeyAdded[backend][tKeyPlain].P50, r.KeyAdded[backend][tKeyLimited].P50)
	if a, ok := r.KeyAddedFirstByte[backend]; ok {
		p.note("%s, upstream first byte after %g ms: added p50 key %.3f ms, key with limits %.3f ms", label,
			r.FirstByteMS, a[tKeyPlain].P50, a[tKeyLimited].P50)
	}
}

// createKey makes a key per person over the admin API and returns its
// secret.
func (e *engine) createKey(body map[string]any) (string, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequest(http.MethodPost, e.URL+"/api/keys", bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+benchAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("POST /api/keys: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out struct {
		Key string `json:"key"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(data, &out) != nil || out.Key == "" {
		return "", fmt.Errorf("POST /api/keys: status %d: %s", resp.StatusCode, bytes.TrimSpace(data))
	}
	return out.Key, nil
}

// runTeamOnly is the team phase alone (-team-only): the figures of the
// keys per person and the two instances, printed as the full run prints
// them, without the other phases or a report folder.
func runTeamOnly(ctx context.Context, opts options, _, stderr io.Writer) error {
	p := &progress{w: stderr, start: time.Now(), total: 2}
	p.phase("start: mock upstream, %s serve", opts.bin)
	if _, err := raiseFileLimit(); err != nil {
		return err
	}
	plain, _, err := loadBodies(opts.fixture)
	if err != nil {
		return err
	}
	srv, eng, stop, err := startRig(ctx, opts)
	if err != nil {
		return err
	}
	defer stop()
	p.phase("keys per person (SQLite and PostgreSQL) and two instances on one PostgreSQL, c=%d", opts.teamConc)
	_, err = runTeam(ctx, opts, srv.mockURL, eng, plain, p)
	return err
}
