package config

// EnvMetricsToken overrides metrics.token, for a scraper's secret kept out
// of config.json (a container's environment).
const EnvMetricsToken = "ROUTEX_METRICS_TOKEN"

// Metrics says who may read GET /metrics, which names every channel and
// counts every request. By default only a request with the admin token or
// the metrics token (Authorization: Bearer …; Prometheus sends it with
// `authorization: {credentials: …}`) may; Public opts out, for a scraper
// that cannot send one on a machine you trust.
type Metrics struct {
	// Token is a bearer token that reads /metrics and nothing else, so a
	// scraper needs no admin token.
	Token string `json:"token,omitempty"`
	// Public serves /metrics without any token.
	Public bool `json:"public,omitempty"`
}
