//go:build !linux

package pgtest

import "errors"

// startLocal has no throwaway server to start here: the helper runs
// initdb and postgres as the postgres user with Linux process attributes.
func startLocal() (*server, error) {
	return nil, errors.New("a throwaway PostgreSQL server is started on Linux only; point " + EnvURL +
		" at a server of your own")
}

// kill is never reached: no local server runs here.
func (s *server) kill() {}
