package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/credit"
	"github.com/routex-app/routex/backend/pricing"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/importer"
	"github.com/routex-app/routex/backend/store"
)

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

// toExport is a stored channel as an export lists it.
func toExport(c store.Channel, withKeys bool) importer.Channel {
	e := importer.Channel{Name: c.Name, Type: c.Type, BaseURL: c.BaseURL, Models: c.Models, ModelMap: c.ModelMap,
		Priority: c.Priority, Weight: c.Weight, Enabled: c.Enabled, TimeoutMS: c.TimeoutMS,
		Headers: map[string]string{}, Transformers: json.RawMessage("[]")}
	if e.Models == nil {
		e.Models = []string{}
	}
	if e.ModelMap == nil {
		e.ModelMap = map[string]string{}
	}
	if len(c.Transformers) > 0 {
		e.Transformers = c.Transformers
	}
	if !c.ClaudeModels.IsZero() {
		if b, err := json.Marshal(c.ClaudeModels); err == nil {
			json.Unmarshal(b, &e.ClaudeModels)
		}
	}
	e.BalanceQuery = exportQuery(c.BalanceQuery, withKeys)
	if withKeys {
		e.APIKey = c.APIKey
		if len(c.APIKeys) > 1 {
			e.APIKey, e.APIKeys = "", c.APIKeys
		}
	}
	if withKeys {
		// Every custom header value may be a credential; like the keys,
		// they travel only when asked for.
		for k, v := range c.Headers {
			e.Headers[k] = v
		}
	} else {
		e.BaseURL = withoutPassword(c.BaseURL)
	}
	return e
}

// buildExport reads channels from the store (the API never shows keys),
// routes and prices through the API; prices are left out when the engine
// has no price list.
func buildExport(ctx context.Context, c *conn, withKeys bool) (importer.Export, error) {
	doc := importer.Export{Format: importer.ExportFormat, ExportedAt: time.Now().UTC().Truncate(time.Second), Version: c.version}
	st, err := c.store()
	if err != nil {
		return doc, err
	}
	chs, err := st.Channels(ctx)
	if err != nil {
		return doc, err
	}
	doc.Channels = make([]importer.Channel, 0, len(chs))
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

// exportQuery is a channel's balance query as an export writes it: without
// keys, credential headers that are not just the channel's key ({{key}})
// are left out, as the channel's own credential headers are.
func exportQuery(raw json.RawMessage, withKeys bool) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	q, err := credit.ParseQuery(raw)
	if err != nil || withKeys {
		return raw
	}
	for k, v := range q.Headers {
		// Like a channel's own headers, every value may be a credential;
		// one that only names the channel's key ({{key}}) holds none.
		if !strings.Contains(v, "{{key}}") {
			delete(q.Headers, k)
		}
	}
	b, err := json.Marshal(q)
	if err != nil {
		return nil
	}
	return b
}

// keepSecretQueryHeaders puts back the credential headers of the stored
// balance query that an export without keys left out, when the imported
// query asks the same URL.
func keepSecretQueryHeaders(stored json.RawMessage, ch *importer.Channel) {
	if len(ch.BalanceQuery) == 0 || len(stored) == 0 {
		return
	}
	in, err1 := credit.ParseQuery(ch.BalanceQuery)
	old, err2 := credit.ParseQuery(stored)
	if err1 != nil || err2 != nil || in.URL != old.URL {
		return
	}
	for k, v := range old.Headers {
		if _, ok := in.Headers[k]; !ok {
			if in.Headers == nil {
				in.Headers = map[string]string{}
			}
			in.Headers[k] = v
		}
	}
	if b, err := json.Marshal(in); err == nil {
		ch.BalanceQuery = b
	}
}
