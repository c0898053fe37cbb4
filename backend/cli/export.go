package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/routex-app/routex/backend/pricing"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/importer"
)

// buildExport reads channels from the store (the API never shows keys),
// routes and prices through the API; prices are left out when the engine
// has no price list.
func buildExport(ctx context.Context, c *conn, withKeys bool) (importer.Export, error) {
	st, err := c.store()
	if err != nil {
		return importer.Export{}, err
	}
	chs, err := st.Channels(ctx)
	if err != nil {
		return importer.Export{}, err
	}
	var routes json.RawMessage
	if err := c.do("GET", "/api/routes", nil, &routes); err != nil {
		return importer.Export{}, err
	}
	var prices struct {
		Prices []pricing.Price `json:"prices"`
	}
	if err := c.do("GET", "/api/prices", nil, &prices); err != nil && !isNotFound(err) {
		return importer.Export{}, err
	}
	return importer.NewExport(c.version, chs, routes, userPrices(prices.Prices), withKeys), nil
}

// userPrices is the user's own prices as JSON (nil when none): the
// defaults ship with every Routex.
func userPrices(all []pricing.Price) json.RawMessage {
	user := []pricing.Price{}
	for _, p := range all {
		if p.Source == pricing.SourceUser {
			user = append(user, p)
		}
	}
	if len(user) == 0 {
		return nil
	}
	raw, _ := json.Marshal(user)
	return raw
}

func newExportCmd(f *flags, tr *i18n.Translator, version string) *cobra.Command {
	var withKeys bool
	var file string
	cmd := &cobra.Command{
		Use:   "export",
		Short: tr.T("cli.exportShort"),
		Args:  cobra.NoArgs,
		RunE: withConn(f, version)(func(cmd *cobra.Command, c *conn, _ []string) error {
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
		}),
	}
	cmd.Flags().BoolVar(&withKeys, "include-keys", false, tr.T("cli.exportFlagKeys"))
	cmd.Flags().StringVarP(&file, "output", "o", "", tr.T("cli.exportFlagOutput"))
	return cmd
}
