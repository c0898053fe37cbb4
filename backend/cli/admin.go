package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"github.com/routex-app/routex/backend/config"
)

// adminClient calls the admin API of the engine that runs on this
// machine's Routex home, with its admin token.
type adminClient struct {
	base  string
	token string
	http  *http.Client
}

// newAdminClient reads the config (and the environment overrides) of the
// home the flags name.
func newAdminClient(f *flags) (*adminClient, error) {
	home := f.home
	if home == "" {
		var err error
		if home, err = config.Home(); err != nil {
			return nil, err
		}
	} else if abs, err := filepath.Abs(home); err == nil {
		home = abs
	}
	cfg, err := config.Load(home)
	if err != nil {
		return nil, err
	}
	listen := cfg.Listen
	if f.listen != "" {
		listen = f.listen
	}
	bases := engineBases(home, f.listen, listen)
	for _, base := range bases {
		quick := &adminClient{base: base, token: cfg.AdminToken, http: &http.Client{Timeout: 1500 * time.Millisecond}}
		if quick.call("GET", "/api/info", nil, nil) == nil {
			return &adminClient{base: base, token: cfg.AdminToken, http: &http.Client{Timeout: 30 * time.Second}}, nil
		}
	}
	return &adminClient{base: bases[len(bases)-1], token: cfg.AdminToken, http: &http.Client{Timeout: 30 * time.Second}}, nil
}

// errNotRunning says the engine did not answer.
type errNotRunning struct {
	base string
	err  error
}

func (e errNotRunning) Error() string {
	return fmt.Sprintf("no Routex engine answers at %s (start it with `routex` or `routex serve`): %v", e.base, e.err)
}

// call sends a request and decodes a JSON answer into out; an API error
// comes back as an error with the API's message.
func (c *adminClient) call(method, path string, body []byte, out any) error {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return errNotRunning{c.base, err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
			return fmt.Errorf("%s %s: %s", method, path, e.Error.Message)
		}
		return fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}
