package cli

import (
	"net/url"

	"github.com/routex-app/routex/backend/config"
)

// listenFor is the address to reach home's engine at: --listen when given,
// else where the engine holding the home's lock says it listens (it may
// have been started with another --listen or ROUTEX_LISTEN), else the
// configured address.
func listenFor(f *flags, home, configured string) string {
	if f.listen != "" {
		return f.listen
	}
	if addr, ok := runningListen(home); ok {
		return addr
	}
	return configured
}

// runningListen is the host:port of the engine holding home's lock, from
// its engine.json; false when no engine runs there (or it is starting).
func runningListen(home string) (string, bool) {
	r, ok := config.Running(home)
	if !ok || r.URL == "" {
		return "", false
	}
	u, err := url.Parse(r.URL)
	if err != nil || u.Host == "" {
		return "", false
	}
	return u.Host, true
}
