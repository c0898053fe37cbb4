package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/route"
)

// explanation is the part of POST /api/routes/explain the CLI prints.
type explanation struct {
	Scenario string         `json:"scenario"`
	Rule     string         `json:"rule"`
	Strategy string         `json:"strategy"`
	Reasons  []string       `json:"reasons"`
	Why      []route.Reason `json:"why"`
	Targets  []struct {
		Channel   string `json:"channel"`
		Type      string `json:"type"`
		Model     string `json:"model"`
		Converted bool   `json:"converted"`
		Available bool   `json:"available"`
		Health    string `json:"health"`
		Skipped   string `json:"skipped"`
	} `json:"targets"`
}

// newRouteCmd is `routex route …`: routing from the terminal, explained by
// the running engine, or offline from the store by the same router when
// none runs.
func newRouteCmd(f *flags, tr *i18n.Translator, version string) *cobra.Command {
	cmd := &cobra.Command{Use: "route", Short: tr.T("cli.routeShort")}
	var format, model string
	var headers []string
	var asJSON bool
	explain := &cobra.Command{
		Use:   "explain [FILE|-]",
		Short: tr.T("cli.routeExplainShort"),
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var body []byte
			var err error
			switch {
			case len(args) == 0 || args[0] == "-":
				body, err = io.ReadAll(io.LimitReader(cmd.InOrStdin(), 32<<20))
			default:
				body, err = os.ReadFile(args[0])
			}
			if err != nil {
				return err
			}
			c, err := dial(f, version)
			if err != nil {
				return err
			}
			defer c.close()
			q := url.Values{"format": {format}}
			if model != "" {
				q.Set("model", model)
			}
			for _, h := range headers {
				q.Add("header", h)
			}
			var raw json.RawMessage
			if err := c.do("POST", "/api/routes/explain?"+q.Encode(), body, &raw); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				_, err := fmt.Fprintln(out, string(raw))
				return err
			}
			var e explanation
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			printExplanation(out, e, tr)
			return nil
		},
	}
	explain.Flags().StringVar(&format, "format", "anthropic", tr.T("cli.flagFormat"))
	explain.Flags().StringVar(&model, "model", "", tr.T("cli.flagModel"))
	explain.Flags().StringArrayVar(&headers, "header", nil, tr.T("cli.flagHeader"))
	explain.Flags().BoolVar(&asJSON, "json", false, tr.T("cli.flagJSON"))
	cmd.AddCommand(explain)
	return cmd
}

func printExplanation(out io.Writer, e explanation, tr *i18n.Translator) {
	scenario := e.Scenario
	if e.Rule != "" {
		scenario += " (" + e.Rule + ")"
	}
	fmt.Fprintln(out, tr.T("cli.explainScenario", "scenario", scenario, "strategy", e.Strategy))
	tw := newTable(out)
	fmt.Fprintln(tw, tr.T("cli.explainHeader"))
	for i, t := range e.Targets {
		state := tr.T("cli.explainAvailable")
		if !t.Available {
			why := t.Skipped
			if why == "" {
				why = t.Health
			}
			state = tr.T("cli.explainUnavailable", "health", tr.T("health.skipped."+why))
		}
		conv := ""
		if t.Converted {
			conv = tr.T("cli.explainConverted")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s %s\n", i+1, t.Channel, t.Type, t.Model, state, conv)
	}
	tw.Flush()
	if len(e.Targets) == 0 {
		fmt.Fprintln(out, tr.T("cli.explainNoTargets"))
	}
	switch {
	case len(e.Why) > 0:
		fmt.Fprintln(out, tr.T("cli.explainWhy"))
		for _, r := range e.Why {
			fmt.Fprintln(out, "  - "+reasonWords(tr, r))
		}
	case len(e.Reasons) > 0: // an engine from before reason codes
		fmt.Fprintln(out, tr.T("cli.explainWhy"))
		for _, r := range e.Reasons {
			fmt.Fprintln(out, "  - "+strings.TrimSpace(r))
		}
	}
}
