// Package proxy serves the /v1 endpoints that coding tools call: it checks
// the access key, picks a channel, swaps in the channel's key and model, and
// streams the upstream's answer back as it arrives.
package proxy

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/provider"
	"github.com/routex-app/routex/backend/route"
	"github.com/routex-app/routex/backend/store"
)

// MaxBodyBytes is the largest request body accepted. Claude Code requests
// with many images stay well under it; anything larger is refused with 413
// before it costs an upstream call.
const MaxBodyBytes = 32 << 20

// CatalogSource hands out the current snapshot of channels and routes.
// *store.Store implements it.
type CatalogSource interface {
	Catalog() *store.Catalog
}

// Recorder receives one record per finished exchange. It must not block:
// it runs on the request's goroutine.
type Recorder interface {
	Record(store.RequestLog)
}

// Options configures a Handler.
type Options struct {
	// AccessKey is what clients must present; it never goes upstream.
	AccessKey string
	// AccessKeyFunc, when set, is asked instead of AccessKey on every
	// request, so a key regenerated in Settings works at once.
	AccessKeyFunc func() string
	// Timeouts bound each phase of an upstream call; a field left zero
	// takes its value from config.Defaults.
	Timeouts config.Timeouts
	Logger   *slog.Logger
	// Transport overrides the upstream HTTP transport (tests, benchmarks).
	Transport http.RoundTripper
	Recorder  Recorder
	// CaptureBodies, when set and true, keeps the first 64 KiB of each
	// request and response body in the request log, keys redacted.
	CaptureBodies func() bool
	// Balancer orders candidates and keeps channel health; nil makes one
	// with default options.
	Balancer *balance.Balancer
	// Keys checks keys per person (accepted besides the access key); nil
	// accepts the access key only.
	Keys KeyChecker
	// ProviderModels, when set, returns the model lists the providers last
	// gave, by channel id: GET /v1/models lists them for channels that
	// declare no models.
	ProviderModels func() map[int64][]string
	// BodyIdle is how long a request body may send nothing before the
	// request is refused with 408; zero means config.DefaultBodyIdle.
	BodyIdle time.Duration
	// BodiesInFlight caps the request bytes held at once (see
	// config.Limits); zero means config.DefaultBodiesInFlightMB.
	BodiesInFlight int64
}

// Handler serves /v1 and the base-URL probes. Safe for concurrent use.
type Handler struct {
	opts    Options
	bal     *balance.Balancer
	routing *routing
	catalog CatalogSource
	client  *http.Client
	log     *slog.Logger
	mux     *http.ServeMux
	drain   *drain
	budget  *budget
	// refusedKeys holds the ids of keys per person whose last check here
	// refused them: their next request is judged before it is sent.
	refusedKeys sync.Map
}

// New returns the proxy handler.
func New(opts Options, catalog CatalogSource) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	// A zero timeout would fire at once and fail every request with 504;
	// zero means the default, as elsewhere in Options.
	def := config.Defaults().Timeouts
	if opts.Timeouts.ConnectMS <= 0 {
		opts.Timeouts.ConnectMS = def.ConnectMS
	}
	if opts.Timeouts.FirstByteMS <= 0 {
		opts.Timeouts.FirstByteMS = def.FirstByteMS
	}
	if opts.Timeouts.IdleMS <= 0 {
		opts.Timeouts.IdleMS = def.IdleMS
	}
	if opts.Transport == nil {
		opts.Transport = NewTransport(opts.Timeouts)
	}
	if opts.Balancer == nil {
		opts.Balancer = balance.New(balance.Options{})
	}
	h := &Handler{
		opts:    opts,
		catalog: catalog,
		// No client-wide timeout: streams may run for many minutes; each phase
		// is bounded separately (request.serve, attempt, idleReader).
		client:  &http.Client{Transport: opts.Transport, CheckRedirect: noRedirects},
		log:     opts.Logger,
		mux:     http.NewServeMux(),
		bal:     opts.Balancer,
		routing: &routing{log: opts.Logger},
		drain:   newDrain(),
		budget:  &budget{limit: opts.BodiesInFlight},
	}
	if h.budget.limit <= 0 {
		h.budget.limit = config.DefaultBodiesInFlightMB << 20
	}
	h.mux.HandleFunc("POST /v1/messages", h.endpoint(protocol.Anthropic))
	h.mux.HandleFunc("POST /v1/messages/count_tokens", h.endpoint(protocol.Anthropic))
	h.mux.HandleFunc("POST /v1/chat/completions", h.endpoint(protocol.OpenAI))
	h.mux.HandleFunc("POST /v1/responses", h.endpoint(protocol.Responses))
	h.mux.HandleFunc("POST /v1/responses/input_tokens", h.endpoint(protocol.Responses))
	// The Gemini API under both versions: the Google GenAI SDK now defaults
	// to v1, older clients and Gemini CLI use v1beta. GET /v1/models stays
	// the OpenAI model list.
	h.mux.HandleFunc("POST /v1beta/models/{action}", h.geminiEndpoint())
	h.mux.HandleFunc("POST /v1/models/{action}", h.geminiEndpoint())
	h.mux.HandleFunc("GET /v1/models", h.authed(protocol.OpenAI, h.models))
	h.mux.HandleFunc("/v1/", h.unknown)
	h.mux.HandleFunc("/v1beta/", h.unknown)
	return h
}

// servedEndpoints is every endpoint Routex serves, as the 404 for any other
// path names them. A test keeps it true to the routes above.
var servedEndpoints = []string{
	"POST /v1/messages", "POST /v1/messages/count_tokens", "POST /v1/chat/completions", "GET /v1/models",
	"POST /v1/responses", "POST /v1/responses/input_tokens",
	"POST /v1beta/models/{model}:generateContent", "POST /v1beta/models/{model}:streamGenerateContent",
	"POST /v1beta/models/{model}:countTokens", "POST /v1/models/{model}:generateContent",
	"POST /v1/models/{model}:streamGenerateContent", "POST /v1/models/{model}:countTokens",
}

// geminiMethods are the Gemini model methods Routex serves.
var geminiMethods = map[string]bool{"generateContent": true, "streamGenerateContent": true, "countTokens": true}

// geminiEndpoint serves /v1beta/models/{model}:{method} and its /v1 twin;
// another method (embedContent, …) is an unknown endpoint.
func (h *Handler) geminiEndpoint() http.HandlerFunc {
	serve := h.endpoint(protocol.Gemini)
	return func(w http.ResponseWriter, r *http.Request) {
		model, method, ok := strings.Cut(r.PathValue("action"), ":")
		if !ok || model == "" || !geminiMethods[method] {
			h.unknown(w, r)
			return
		}
		serve(w, r)
	}
}

// NewTransport is the upstream transport: bounded dial and TLS handshake,
// HTTP/2 when offered, proxies from the environment (corporate networks),
// and a pool sized for many concurrent streams to a few hosts.
func NewTransport(t config.Timeouts) *http.Transport {
	dialer := &net.Dialer{Timeout: t.Connect(), KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   t.Connect(),
		ExpectContinueTimeout: time.Second,
	}
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// ServeHTTP routes /v1 requests.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Probe answers Claude Code's HEAD / check of its base URL without a key.
func Probe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		io.WriteString(w, "Routex is running\n")
	}
}

// unknown answers a path Routex does not serve with a 404 that names every
// endpoint it does serve, in the caller's error format, and records it in
// the request log: a tool configured with a wrong base URL or API version
// otherwise fails without a trace the user can find.
func (h *Handler) unknown(w http.ResponseWriter, r *http.Request) {
	f := formatOfRequest(r)
	msg := "Routex does not serve " + r.Method + " " + r.URL.Path + "; it serves " + strings.Join(servedEndpoints, ", ")
	writeError(w, f, http.StatusNotFound, protocol.NotFound, msg)
	h.finish(store.RequestLog{
		Time: time.Now(), Format: string(f), Status: http.StatusNotFound, UserAgent: r.UserAgent(),
		Error: "unknown endpoint " + r.Method + " " + r.URL.Path,
	})
}

// formatOfRequest guesses the API a request to an unknown path meant, for
// answering in its error format: by its version header or key, else by its
// path; OpenAI-compatible is the most common kind of tool.
func formatOfRequest(r *http.Request) protocol.Format {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/v1beta/"), strings.Contains(p, ":"),
		r.Header.Get("X-Goog-Api-Key") != "", r.URL.Query().Has("key"):
		return protocol.Gemini
	case strings.HasPrefix(p, "/v1/responses"):
		return protocol.Responses
	case r.Header.Get("Anthropic-Version") != "", strings.HasPrefix(p, "/v1/messages"), p == "/v1/complete":
		return protocol.Anthropic
	}
	return protocol.OpenAI
}

func (h *Handler) accessKey() string {
	if h.opts.AccessKeyFunc != nil {
		return h.opts.AccessKeyFunc()
	}
	return h.opts.AccessKey
}

// authed wraps next with the access-key check.
func (h *Handler) authed(f protocol.Format, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !AccessKeyOK(r, h.accessKey()) {
			if kr, handled := h.keyRequest(w, r, f); kr != nil {
				next(w, kr)
				return
			} else if handled {
				return
			}
			writeError(w, f, http.StatusUnauthorized, protocol.Authentication,
				"missing or wrong Routex access key: send it as x-api-key or Authorization: Bearer (ANTHROPIC_AUTH_TOKEN for Claude Code); it is in config.json under ROUTEX_HOME")
			return
		}
		next(w, r)
	}
}

// endpoint returns the handler of one inbound format.
func (h *Handler) endpoint(f protocol.Format) http.HandlerFunc {
	return h.authed(f, func(w http.ResponseWriter, r *http.Request) {
		body, release, ok := h.readBody(w, r, f)
		if !ok {
			return
		}
		defer release()
		in, err := parseInbound(f, r, body)
		if err != nil {
			writeError(w, f, http.StatusBadRequest, protocol.InvalidRequest, err.Error())
			return
		}
		h.forward(w, r, in)
	})
}

// inbound is a decoded-enough client request: the body stays as bytes, and
// only what routing needs is read from it.
type inbound struct {
	format protocol.Format
	body   []byte
	model  string
	stream bool
	// path is the upstream path suffix for Anthropic/OpenAI ("/v1/messages",
	// "/chat/completions", "/responses"), or the Gemini method
	// ("generateContent").
	path string
	// query is the Gemini query string to keep (alt=sse), without the key.
	query string
	op    provider.Op
	// estimate is routing's quick count of the prompt's tokens, the input
	// usage of a passthrough reply that reports none.
	estimate int
}

func parseInbound(f protocol.Format, r *http.Request, body []byte) (inbound, error) {
	in := inbound{format: f, body: body}
	// gjson.ParseBytes would copy the whole body to a string to answer this.
	if !gjson.ValidBytes(body) || !isObject(body) {
		return in, errors.New("request body is not a JSON object")
	}
	switch f {
	case protocol.Gemini:
		model, method, ok := strings.Cut(r.PathValue("action"), ":")
		if !ok || model == "" || !geminiMethods[method] {
			return in, errors.New("expected models/{model}:generateContent, :streamGenerateContent or :countTokens")
		}
		in.model, in.path = model, method
		in.stream = method == "streamGenerateContent"
		if method == "countTokens" {
			in.op = provider.OpCountTokens
		}
		q := r.URL.Query()
		q.Del("key")
		in.query = q.Encode()
	case protocol.Responses:
		// input_tokens may leave the model out: routing then picks the
		// default route's model.
		count := strings.HasSuffix(r.URL.Path, "/input_tokens")
		facts := route.ReadFacts(f, body, protocol.FactsOptions{Detail: protocol.FactsTop})
		// The reader says "" for a missing model and for one that is not a
		// string; only the first is allowed, and only when counting.
		if m := gjson.GetBytes(body, "model"); m.Exists() && m.Type != gjson.String || !count && facts.Model == "" {
			return in, errors.New(`"model" is required and must be a string`)
		}
		if count && gjson.GetBytes(body, "model").Exists() && strings.TrimSpace(facts.Model) == "" {
			return in, errors.New(`"model" must not be blank: name the model, or leave the field out to count with the default route's model`)
		}
		in.model, in.path = facts.Model, "/responses"
		in.stream = !count && facts.Stream
		if count {
			in.op = provider.OpCountTokens
		}
	default:
		facts := route.ReadFacts(f, body, protocol.FactsOptions{Detail: protocol.FactsTop})
		if facts.Model == "" {
			return in, errors.New(`"model" is required and must be a string`)
		}
		in.model, in.stream = facts.Model, facts.Stream
		in.path = "/chat/completions"
		if f == protocol.Anthropic {
			in.path = r.URL.Path // /v1/messages or /v1/messages/count_tokens
			if strings.HasSuffix(in.path, "/count_tokens") {
				in.op, in.stream = provider.OpCountTokens, false
			}
		}
	}
	return in, nil
}

func writeError(w http.ResponseWriter, f protocol.Format, status int, kind protocol.ErrorKind, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(protocol.ErrorBody(f, status, kind, msg))
}
