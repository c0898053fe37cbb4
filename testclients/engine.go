package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"github.com/routex-app/routex/internal/childengine"
)

// Fixed keys of the child engines: each owns a temporary home, so nothing
// here is a user's secret.
const (
	accessKey  = "rx-clients-access-key"
	adminToken = "rx-clients-admin-token"
)

// engine is one headless Routex (`routex-headless serve`) with its own
// temporary ROUTEX_HOME, run for one cell.
type engine struct{ *childengine.Engine }

// startEngine runs bin serve on a free loopback port, its output in
// logPath, and waits for /health.
func startEngine(ctx context.Context, bin, logPath string) (*engine, error) {
	e, err := childengine.Start(ctx, childengine.Options{
		Bin: bin, HomePrefix: "routex-clients-", LogPath: logPath,
		AccessKey: accessKey, AdminToken: adminToken, Healthy: 20 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	return &engine{e}, nil
}

// addChannel creates the cell's only channel and makes it the default
// route's target under model.
func (e *engine) addChannel(ch channelSpec, baseURL, apiKey string) error {
	status, msg, err := e.Admin(http.MethodPost, "/api/channels", map[string]any{
		"name": ch.name(), "type": ch.Type, "base_url": baseURL, "api_key": apiKey, "models": []string{ch.Model},
	})
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("create %s channel: status %d: %s", ch.Type, status, msg)
	}
	status, msg, err = e.Admin(http.MethodPut, "/api/routes", map[string]any{
		"strategy": "priority", "routes": map[string][]string{"default": {ch.name() + "," + ch.Model}},
	})
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("set the default route: status %d: %s", status, msg)
	}
	return nil
}

// serves reports whether the engine answers path with anything but 404.
func (e *engine) serves(path string, body string) (bool, error) {
	req, err := http.NewRequest(http.MethodPost, e.URL+path, bytes.NewBufferString(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+accessKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode != http.StatusNotFound, nil
}

// capabilities is what this Routex build offers that the matrix depends
// on: the Responses API as a channel type and as a client endpoint.
type capabilities struct {
	ResponsesChannel  bool `json:"responses_channel"`
	ResponsesEndpoint bool `json:"responses_endpoint"`
}

// probe starts a throwaway engine and asks it.
func probe(ctx context.Context, bin, dir string) (capabilities, error) {
	var c capabilities
	e, err := startEngine(ctx, bin, filepath.Join(dir, "probe-serve.log"))
	if err != nil {
		return c, err
	}
	defer e.Stop()
	status, _, err := e.Admin(http.MethodPost, "/api/channels", map[string]any{
		"name": "probe", "type": "openai-responses", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-probe", "models": []string{"gpt-probe"},
	})
	if err != nil {
		return c, err
	}
	c.ResponsesChannel = status/100 == 2
	c.ResponsesEndpoint, err = e.serves("/v1/responses", `{"model":"gpt-probe","input":"probe"}`)
	return c, err
}
