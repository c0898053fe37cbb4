package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/importer"
	"github.com/routex-app/routex/backend/store"
)

// applyImport writes the plan through the API (dry: only says what it
// would do), as importer.Apply does for the dashboard too, printing each
// step.
func applyImport(c *conn, p importer.Plan, dry bool, out, errOut io.Writer, tr *i18n.Translator) error {
	prefix := ""
	if dry {
		prefix = tr.T("cli.importDryPrefix") + " "
	}
	prog := newProgress(errOut, tr.T("cli.importProgress"), len(p.Channels))
	progressing := true
	done := func() {
		if progressing {
			prog.done()
			progressing = false
		}
	}
	res, err := importer.Apply(p, c.do, importer.ApplyOptions{
		DryRun:     dry,
		IsNotFound: isNotFound,
		Stored: func(id int64) (store.Channel, error) {
			st, err := c.store()
			if err != nil {
				return store.Channel{}, err
			}
			return st.Channel(context.Background(), id)
		},
		OnStep: func(s importer.Step) {
			switch s.Kind {
			case "add", "update":
				prog.step(s.Index, s.Name)
				key := "cli.importAdd"
				if s.Kind == "update" {
					key = "cli.importUpdate"
				}
				fmt.Fprintln(out, prefix+tr.T(key, "name", s.Name, "type", s.Type, "url", s.URL))
				return
			case "routes_all":
				done()
				fmt.Fprintln(out, prefix+tr.T("cli.importRoutesAll"))
			case "route":
				done()
				fmt.Fprintln(out, prefix+tr.T("cli.importRoute", "scenario", s.Scenario, "targets", strings.Join(s.Targets, " → ")))
			case "prices":
				done()
				fmt.Fprintln(out, prefix+tr.T("cli.importPrices"))
			case "prices_skipped":
				fmt.Fprintln(out, tr.T("cli.importPricesSkipped"))
			}
		},
	})
	done()
	var chErr *importer.ChannelError
	var rtErr *importer.RoutesError
	switch {
	case errors.As(err, &chErr):
		return fmt.Errorf("%s: %w", tr.T("cli.importChannelFailed", "name", chErr.Name), chErr.Err)
	case errors.As(err, &rtErr):
		return fmt.Errorf("%s: %w", tr.T("cli.importRoutesFailed"), rtErr.Err)
	case err != nil:
		return err
	}
	for _, n := range res.Notes {
		fmt.Fprintln(out, "! "+n)
	}
	key := "cli.importDone"
	if dry {
		key = "cli.importDryDone"
	}
	fmt.Fprintln(out, tr.T(key, "source", res.Source, "added", fmt.Sprint(res.Added), "updated", fmt.Sprint(res.Updated)))
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
