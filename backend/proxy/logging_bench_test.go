package proxy_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/engine"
	"github.com/routex-app/routex/backend/store"
)

// BenchmarkLogging measures proxy throughput with the request log on and
// off in the same run: the same engine, channel and zero-delay mock, except
// that "log-off" gives the proxy no recorder (engine.Options.
// DisableRequestLog: no cost, request log, metrics or live events; the
// usage tee and the slog line stay, as they are part of relaying). Requests
// run in parallel, as a busy coding tool sends them. The ratio of the two
// throughputs is the on/off metric of "log-off"; the target is >= 0.95.
func BenchmarkLogging(b *testing.B) {
	mock := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		replyJSON(http.StatusOK, usageMessage)(w, r)
	}))
	defer mock.Close()
	body := chatBody("claude-sonnet-4-5", false, "Say hello in five words.")
	reqPerSec := map[string]float64{}
	for _, mode := range []struct {
		name string
		off  bool
	}{{"log-on", false}, {"log-off", true}} {
		b.Run(mode.name, func(b *testing.B) {
			te := newTestEngine(b, withLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
				func(_ *config.Config, o *engine.Options) { o.DisableRequestLog = mode.off })
			te.addChannel(b, store.Channel{Name: "bench", BaseURL: mock.URL})
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
			defer client.CloseIdleConnections()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, te.url+"/v1/messages", bytes.NewReader(body))
					req.Header.Set("X-Api-Key", testAccessKey)
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.StopTimer()
			rps := float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rps, "req/s")
			reqPerSec[mode.name] = rps
			if on := reqPerSec["log-on"]; mode.off && on > 0 {
				// Reported on the second sub-benchmark's line, since a
				// parent with sub-benchmarks prints no line of its own.
				b.ReportMetric(on/rps, "on/off")
			}
		})
	}
}
