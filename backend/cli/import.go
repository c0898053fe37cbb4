package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/importer"
	"github.com/routex-app/routex/backend/logging"
)

// channelBody is the API write body of an imported channel. Without a key
// the field is left out, so an existing channel keeps its key.
func channelBody(ch importer.Channel) map[string]any {
	var m map[string]any
	data, _ := json.Marshal(ch)
	json.Unmarshal(data, &m)
	for _, k := range []string{"model_map", "headers"} {
		if _, ok := m[k]; !ok {
			m[k] = map[string]string{}
		}
	}
	if _, ok := m["transformers"]; !ok {
		m["transformers"] = []any{}
	}
	return m
}

// applyImport writes the plan through the API (dry: only says what it
// would do). Channels go first, since routes name them.
func applyImport(c *conn, p importer.Plan, dry bool, out, errOut io.Writer, tr *i18n.Translator) error {
	existing, err := listChannels(c)
	if err != nil {
		return err
	}
	byName := map[string]channelView{}
	for _, ch := range existing {
		byName[ch.Name] = ch
	}
	prefix := ""
	if dry {
		prefix = tr.T("cli.importDryPrefix") + " "
	}
	prog := newProgress(errOut, tr.T("cli.importProgress"), len(p.Channels))
	added, updated := 0, 0
	for i, ch := range p.Channels {
		prog.step(i+1, ch.Name)
		old, exists := byName[ch.Name]
		key := "cli.importAdd"
		if exists {
			key = "cli.importUpdate"
		}
		fmt.Fprintln(out, prefix+tr.T(key, "name", ch.Name, "type", ch.Type, "url", logging.RedactURL(ch.BaseURL)))
		if exists {
			updated++
		} else {
			added++
		}
		if dry {
			continue
		}
		if exists {
			if err = keepSecretHeaders(c, old.ID, &ch); err == nil {
				err = c.do("PATCH", fmt.Sprintf("/api/channels/%d", old.ID), channelBody(ch), nil)
			}
		} else {
			err = c.do("POST", "/api/channels", channelBody(ch), nil)
		}
		if err != nil {
			prog.done()
			return fmt.Errorf("%s: %w", tr.T("cli.importChannelFailed", "name", ch.Name), err)
		}
	}
	prog.done()
	if err := applyRoutes(c, p, dry, out, prefix, tr); err != nil {
		return err
	}
	if len(p.Prices) > 0 && string(p.Prices) != "null" {
		fmt.Fprintln(out, prefix+tr.T("cli.importPrices"))
		var prices []json.RawMessage
		if err := json.Unmarshal(p.Prices, &prices); err != nil {
			return fmt.Errorf("prices: %w", err)
		}
		for _, price := range prices {
			if dry {
				break
			}
			if err := c.do("PUT", "/api/prices", price, nil); err != nil {
				if !isNotFound(err) {
					return err
				}
				fmt.Fprintln(out, tr.T("cli.importPricesSkipped"))
				break
			}
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintln(out, "! "+n)
	}
	done := "cli.importDone"
	if dry {
		done = "cli.importDryDone"
	}
	fmt.Fprintln(out, tr.T(done, "source", p.Source, "added", fmt.Sprint(added), "updated", fmt.Sprint(updated)))
	return nil
}

// keepSecretHeaders copies the headers the file left out (an export
// without --include-keys leaves out every header value) from the stored
// channel, as its key is kept, and keeps the stored base_url when the file
// has it without its password.
func keepSecretHeaders(c *conn, id int64, ch *importer.Channel) error {
	st, err := c.store()
	if err != nil {
		return err
	}
	stored, err := st.Channel(context.Background(), id)
	if err != nil {
		return err
	}
	keepSecretQueryHeaders(stored.BalanceQuery, ch)
	if ch.BaseURL != stored.BaseURL && ch.BaseURL == withoutPassword(stored.BaseURL) {
		ch.BaseURL = stored.BaseURL
	}
	for k, v := range stored.Headers {
		if _, ok := ch.Headers[k]; !ok {
			if ch.Headers == nil {
				ch.Headers = map[string]string{}
			}
			ch.Headers[k] = v
		}
	}
	return nil
}

func applyRoutes(c *conn, p importer.Plan, dry bool, out io.Writer, prefix string, tr *i18n.Translator) error {
	if len(p.RoutesDoc) > 0 && string(p.RoutesDoc) != "null" {
		fmt.Fprintln(out, prefix+tr.T("cli.importRoutesAll"))
		if dry {
			return nil
		}
		return routesErr(c.do("PUT", "/api/routes", p.RoutesDoc, nil), tr)
	}
	if len(p.Routes) == 0 {
		return nil
	}
	doc := map[string]any{}
	if err := c.do("GET", "/api/routes", nil, &doc); err != nil {
		return err
	}
	routes, _ := doc["routes"].(map[string]any)
	if routes == nil {
		routes = map[string]any{}
	}
	for _, sc := range slices.Sorted(maps.Keys(p.Routes)) {
		fmt.Fprintln(out, prefix+tr.T("cli.importRoute", "scenario", sc, "targets", strings.Join(p.Routes[sc], " → ")))
		routes[sc] = p.Routes[sc]
	}
	doc["routes"] = routes
	if p.LongContextThreshold > 0 {
		doc["long_context_threshold"] = p.LongContextThreshold
	}
	if dry {
		return nil
	}
	return routesErr(c.do("PUT", "/api/routes", doc, nil), tr)
}

func routesErr(err error, tr *i18n.Translator) error {
	if err != nil {
		return fmt.Errorf("%s: %w", tr.T("cli.importRoutesFailed"), err)
	}
	return nil
}

func newImportCmd(f *flags, tr *i18n.Translator, version string) *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: tr.T("cli.importShort"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := importer.Read(args[0])
			if err != nil {
				return err
			}
			c, err := dial(f, version)
			if err != nil {
				return err
			}
			defer c.close()
			return applyImport(c, p, dry, cmd.OutOrStdout(), cmd.ErrOrStderr(), tr)
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, tr.T("cli.importFlagDry"))
	return cmd
}
