package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/routex-app/routex/backend/pricing"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/store"
)

// exportFormat marks a Routex export file; import recognises it by this key.
const exportFormat = 1

// exportDoc is the file `routex export` writes and `routex import` reads.
type exportDoc struct {
	Format     int             `json:"routex_export"`
	ExportedAt time.Time       `json:"exported_at"`
	Version    string          `json:"routex_version"`
	Channels   []exportChannel `json:"channels"`
	Routes     json.RawMessage `json:"routes,omitempty"`
	Prices     json.RawMessage `json:"prices,omitempty"`
}

// exportChannel is a channel in the DESIGN.md JSON form, without its
// identity; keys and credential headers only when asked for.
type exportChannel struct {
	Name         string            `json:"name"`
	Type         string            `json:"type"`
	BaseURL      string            `json:"base_url"`
	APIKey       string            `json:"api_key,omitempty"`
	APIKeys      []string          `json:"api_keys,omitempty"`
	Models       []string          `json:"models"`
	ModelMap     map[string]string `json:"model_map,omitempty"`
	Priority     int               `json:"priority"`
	Weight       int               `json:"weight"`
	Enabled      bool              `json:"enabled"`
	Headers      map[string]string `json:"headers,omitempty"`
	Transformers json.RawMessage   `json:"transformers,omitempty"`
	TimeoutMS    int               `json:"timeout_ms,omitempty"`
}

// withoutPassword drops the password of a URL's userinfo, keeping the
// user name, for an export without keys.
func withoutPassword(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); !has {
		return raw
	}
	u.User = url.User(u.User.Username())
	return u.String()
}

func toExport(c store.Channel, withKeys bool) exportChannel {
	e := exportChannel{Name: c.Name, Type: c.Type, BaseURL: c.BaseURL, Models: c.Models, ModelMap: c.ModelMap,
		Priority: c.Priority, Weight: c.Weight, Enabled: c.Enabled, TimeoutMS: c.TimeoutMS}
	if e.Models == nil {
		e.Models = []string{}
	}
	if len(c.Transformers) > 0 && string(c.Transformers) != "[]" {
		e.Transformers = c.Transformers
	}
	if withKeys {
		e.APIKey = c.APIKey
		if len(c.APIKeys) > 1 {
			e.APIKey, e.APIKeys = "", c.APIKeys
		}
	}
	if withKeys {
		// Every custom header value may be a credential; like the keys,
		// they travel only when asked for.
		e.Headers = c.Headers
	} else {
		e.BaseURL = withoutPassword(c.BaseURL)
	}
	return e
}

// buildExport reads channels from the store (the API never shows keys),
// routes and prices through the API; prices are left out when the engine
// has no price list.
func buildExport(ctx context.Context, c *conn, withKeys bool) (exportDoc, error) {
	doc := exportDoc{Format: exportFormat, ExportedAt: time.Now().UTC().Truncate(time.Second), Version: c.version}
	st, err := c.store()
	if err != nil {
		return doc, err
	}
	chs, err := st.Channels(ctx)
	if err != nil {
		return doc, err
	}
	doc.Channels = make([]exportChannel, 0, len(chs))
	for _, ch := range chs {
		doc.Channels = append(doc.Channels, toExport(ch, withKeys))
	}
	if err := c.do("GET", "/api/routes", nil, &doc.Routes); err != nil {
		return doc, err
	}
	var prices struct {
		Prices []pricing.Price `json:"prices"`
	}
	if err := c.do("GET", "/api/prices", nil, &prices); err != nil {
		if !isNotFound(err) {
			return doc, err
		}
		return doc, nil
	}
	// Only the user's own prices: the defaults ship with every Routex.
	user := []pricing.Price{}
	for _, p := range prices.Prices {
		if p.Source == pricing.SourceUser {
			user = append(user, p)
		}
	}
	if len(user) > 0 {
		raw, err := json.Marshal(user)
		if err != nil {
			return doc, err
		}
		doc.Prices = raw
	}
	return doc, nil
}

func newExportCmd(f *flags, tr *i18n.Translator, version string) *cobra.Command {
	var withKeys bool
	var file string
	cmd := &cobra.Command{
		Use:   "export",
		Short: tr.T("cli.exportShort"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := dial(f, version)
			if err != nil {
				return err
			}
			defer c.close()
			doc, err := buildExport(cmd.Context(), c, withKeys)
			if err != nil {
				return err
			}
			data, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				return err
			}
			data = append(data, '\n')
			if file == "" || file == "-" {
				_, err := cmd.OutOrStdout().Write(data)
				return err
			}
			// 0600: the file may hold keys.
			if err := os.WriteFile(file, data, 0o600); err != nil {
				return fmt.Errorf("export: write %s: %w", file, err)
			}
			msg := tr.T("cli.exportDone", "path", file, "count", fmt.Sprint(len(doc.Channels)))
			if !withKeys {
				msg += " " + tr.T("cli.exportNoKeys")
			}
			fmt.Fprintln(cmd.ErrOrStderr(), msg)
			return nil
		},
	}
	cmd.Flags().BoolVar(&withKeys, "include-keys", false, tr.T("cli.exportFlagKeys"))
	cmd.Flags().StringVarP(&file, "output", "o", "", tr.T("cli.exportFlagOutput"))
	return cmd
}
