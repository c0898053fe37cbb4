package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/i18n"
)

// newHealthCmd is `routex health`: it asks an engine's /health and exits 1
// unless it answers ok. Containers use it as their HEALTHCHECK, since a
// distroless image has no curl.
func newHealthCmd(f *flags, tr *i18n.Translator) *cobra.Command {
	var url string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "health",
		Short: tr.T("cli.healthShort"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" {
				url = "http://" + dialAddr(healthListen(f)) + "/health"
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			version, err := checkHealth(ctx, url)
			if err != nil {
				return errors.New(tr.T("cli.healthFailed", "url", url, "error", err.Error()))
			}
			fmt.Fprintln(cmd.OutOrStdout(), tr.T("cli.healthOK", "url", url, "version", version))
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", "", tr.T("cli.healthFlagURL"))
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, tr.T("cli.healthFlagTimeout"))
	return cmd
}

// healthListen is the address the engine of this home listens on: --listen,
// else the running engine's (engine.json), else config.json with
// ROUTEX_LISTEN applied, else ROUTEX_LISTEN or the
// default. config.json is read only if it exists: a health probe must not
// create a home.
func healthListen(f *flags) string {
	if f.listen != "" {
		return f.listen
	}
	if home, err := resolveHome(f); err == nil {
		if addr, ok := runningListen(home); ok {
			return addr
		}
		if _, err := os.Stat(config.Path(home)); err == nil {
			if cfg, err := config.Load(home); err == nil && cfg.Listen != "" {
				return cfg.Listen
			}
		}
	}
	if v := os.Getenv(config.EnvListen); v != "" {
		return v
	}
	return config.DefaultListen
}

// dialAddr turns a listen address into one to connect to: an engine that
// listens on every interface is reached over loopback.
func dialAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}

// checkHealth GETs url and returns the version of an engine answering
// {"status":"ok"}.
func checkHealth(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var h struct {
		Status  string `json:"status"`
		Version string `json:"version"`
	}
	if err := json.Unmarshal(body, &h); err != nil || h.Status != "ok" {
		return "", fmt.Errorf("unexpected answer %.200q", body)
	}
	return h.Version, nil
}
