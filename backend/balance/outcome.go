package balance

import "time"

// FailureKind says why an attempt failed, which decides what the balancer
// learns from it: only channel failures move the breaker, a rate limit cools
// the channel down, and a client error says nothing about the channel.
type FailureKind int

// Failure kinds.
const (
	None      FailureKind = iota // the attempt succeeded
	Connect                      // no connection (refused, DNS, TLS, reset before the response)
	Timeout                      // no first byte in time
	Server                       // 5xx, including Anthropic's 529 overloaded
	RateLimit                    // 429
	Client                       // any other 4xx: the request's fault, not the channel's
	Stream                       // an error event before the first token
	// NotFound is an endpoint or model this channel does not have (404, or
	// a 400 that names the model): the request may work elsewhere. It opens
	// the breaker of that channel's model only, so a client asking every
	// channel for a model none has cannot open the channels' breakers; the
	// channel still counts the failure and shows its error.
	NotFound
)

// String returns the kind's name for the request log.
func (k FailureKind) String() string {
	switch k {
	case None:
		return "none"
	case Connect:
		return "connect"
	case Timeout:
		return "timeout"
	case Server:
		return "server"
	case RateLimit:
		return "rate_limit"
	case Client:
		return "client"
	case Stream:
		return "stream"
	case NotFound:
		return "not_found"
	}
	return "unknown"
}

// Failover reports whether a failure of this kind should move the request to
// the next candidate. A client error would fail the same way anywhere.
func (k FailureKind) Failover() bool {
	return k != None && k != Client
}

// breaks reports whether the kind counts toward opening a breaker.
func (k FailureKind) breaks() bool {
	switch k {
	case Connect, Timeout, Server, Stream:
		return true
	}
	return false
}

// KindForStatus classifies an upstream HTTP status: None for 1xx–3xx, RateLimit
// for 429, Timeout for 408, Server for 5xx (529 included), Client for other
// 4xx. Status 0 (no response) is Connect; the caller that knows better (a
// first-byte timeout) sets Timeout itself.
func KindForStatus(status int) FailureKind {
	switch {
	case status == 0:
		return Connect
	case status < 400:
		return None
	case status == 429:
		return RateLimit
	case status == 408:
		return Timeout
	case status >= 500:
		return Server
	}
	return Client
}

// Outcome is what an attempt came to, reported through the end func Begin
// returns.
type Outcome struct {
	OK     bool
	Status int         // upstream HTTP status, 0 for transport errors
	Kind   FailureKind // None when OK; when !OK and None, derived from Status
	TTFT   time.Duration
	// CoolUntil is when a rate-limited upstream asks us to come back (from
	// CooldownFromHeaders or CooldownFromBody); zero means Options.Cooldown.
	CoolUntil time.Time
	// KeyIndex is the index of the API key used, as Key returned it. On a
	// rate limit, a channel with several keys cools only that key (and is
	// unavailable only once every key cools); the caller need not also call
	// CoolKey. Leave 0 for a channel with one key.
	KeyIndex int
	// Err is a short description for the dashboard ("HTTP 503: overloaded").
	Err string
	// Now is when the attempt ended; zero means the time passed to Begin.
	Now time.Time
}

// kind returns the outcome's effective kind.
func (o Outcome) kind() FailureKind {
	if o.OK {
		return None
	}
	if o.Kind != None {
		return o.Kind
	}
	if k := KindForStatus(o.Status); k != None {
		return k
	}
	return Server // failed without saying how: count it against the channel
}
