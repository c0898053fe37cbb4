package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/i18n"
)

// keyView is a key per person as GET /api/keys shows it.
type keyView = wire.Key

// listKeys is GET /api/keys.
func listKeys(c *conn) ([]keyView, error) { return listOf[keyView](c, "/api/keys", "keys") }

// lookupKey resolves a key by the name of an active key, else by number.
func lookupKey(c *conn, ref string, tr *i18n.Translator) (keyView, error) {
	all, err := listKeys(c)
	if err != nil {
		return keyView{}, err
	}
	k, ok := pick(all, ref, func(k keyView) bool { return k.Name == ref && !k.Revoked }, func(k keyView) int64 { return k.ID })
	if !ok {
		return k, errors.New(tr.T("cli.keyUnknown", "name", ref))
	}
	return k, nil
}

// parseExpiry reads --expires: a duration in days or hours (30d, 12h), a
// date (2026-12-31, the end of that day in UTC) or an RFC 3339 time.
func parseExpiry(v string, now time.Time) (string, error) {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(strings.TrimSuffix(v, "d")); err == nil && strings.HasSuffix(v, "d") && n > 0 {
		return now.Add(time.Duration(n) * 24 * time.Hour).UTC().Format(time.RFC3339), nil
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return now.Add(d).UTC().Format(time.RFC3339), nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t.Add(24*time.Hour - time.Second).UTC().Format(time.RFC3339), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Format(time.RFC3339), nil
	}
	return "", fmt.Errorf("--expires %q: expected 30d, 12h, 2026-12-31 or an RFC 3339 time", v)
}

func newKeyCmd(f *flags, tr *i18n.Translator, version string) *cobra.Command {
	cmd := &cobra.Command{Use: "key", Short: tr.T("cli.keyShort")}
	var asJSON bool
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, tr.T("cli.flagJSON"))
	with := withConn(f, version)

	var owner, expires string
	var models, channels []string
	var rpm, tpm int64
	var daily, monthly float64
	create := &cobra.Command{Use: "create NAME", Short: tr.T("cli.keyCreateShort"), Args: cobra.ExactArgs(1),
		RunE: with(func(cmd *cobra.Command, c *conn, args []string) error {
			in := map[string]any{"name": args[0], "owner": owner, "models": models, "channels": channels,
				"rpm": rpm, "tpm": tpm, "budget_daily_usd": daily, "budget_monthly_usd": monthly}
			if expires != "" {
				at, err := parseExpiry(expires, time.Now())
				if err != nil {
					return err
				}
				in["expires_at"] = at
			}
			var raw json.RawMessage
			if err := c.do("POST", "/api/keys", in, &raw); err != nil {
				return err
			}
			if asJSON {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), string(raw))
				return err
			}
			var k keyView
			if err := json.Unmarshal(raw, &k); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, tr.T("cli.keyCreated", "name", k.Name, "num", fmt.Sprint(k.ID)))
			fmt.Fprintln(out)
			fmt.Fprintln(out, "    "+k.Key)
			fmt.Fprintln(out)
			fmt.Fprintln(cmd.ErrOrStderr(), tr.T("cli.keyShownOnce"))
			return nil
		})}
	create.Flags().StringVar(&owner, "owner", "", tr.T("cli.keyFlagOwner"))
	create.Flags().StringVar(&expires, "expires", "", tr.T("cli.keyFlagExpires"))
	create.Flags().StringArrayVar(&models, "model", nil, tr.T("cli.keyFlagModel"))
	create.Flags().StringArrayVar(&channels, "channel", nil, tr.T("cli.keyFlagChannel"))
	create.Flags().Int64Var(&rpm, "rpm", 0, tr.T("cli.keyFlagRPM"))
	create.Flags().Int64Var(&tpm, "tpm", 0, tr.T("cli.keyFlagTPM"))
	create.Flags().Float64Var(&daily, "daily-usd", 0, tr.T("cli.keyFlagDaily"))
	create.Flags().Float64Var(&monthly, "monthly-usd", 0, tr.T("cli.keyFlagMonthly"))

	list := &cobra.Command{Use: "list", Aliases: []string{"ls"}, Short: tr.T("cli.keyListShort"), Args: cobra.NoArgs,
		RunE: with(func(cmd *cobra.Command, c *conn, _ []string) error {
			if asJSON {
				var raw json.RawMessage
				if err := c.do("GET", "/api/keys", nil, &raw); err != nil {
					return err
				}
				_, err := fmt.Fprintln(cmd.OutOrStdout(), string(raw))
				return err
			}
			all, err := listKeys(c)
			if err != nil {
				return err
			}
			printKeys(cmd.OutOrStdout(), all, tr)
			return nil
		})}

	show := &cobra.Command{Use: "show NAME", Short: tr.T("cli.keyShowShort"), Args: cobra.ExactArgs(1),
		RunE: with(func(cmd *cobra.Command, c *conn, args []string) error {
			k, err := lookupKey(c, args[0], tr)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), k)
			}
			printKey(cmd.OutOrStdout(), k, tr)
			return nil
		})}

	var yes bool
	revoke := &cobra.Command{Use: "revoke NAME", Short: tr.T("cli.keyRevokeShort"), Args: cobra.ExactArgs(1),
		RunE: with(func(cmd *cobra.Command, c *conn, args []string) error {
			k, err := lookupKey(c, args[0], tr)
			if err != nil {
				return err
			}
			if !yes {
				ok, err := confirm(cmd.InOrStdin(), cmd.ErrOrStderr(), tr.T("cli.keyRevokeConfirm", "name", k.Name), tr)
				if err != nil || !ok {
					return err
				}
			}
			var raw json.RawMessage
			if err := c.do("DELETE", fmt.Sprintf("/api/keys/%d", k.ID), nil, &raw); err != nil {
				return err
			}
			if asJSON {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), string(raw))
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tr.T("cli.keyRevoked", "name", k.Name))
			return nil
		})}
	revoke.Flags().BoolVarP(&yes, "yes", "y", false, tr.T("cli.channelFlagYes"))

	cmd.AddCommand(create, list, show, revoke)
	return cmd
}

// keyStatus is active, revoked or expired.
func keyStatus(k keyView, tr *i18n.Translator) string {
	switch {
	case k.Revoked:
		return tr.T("cli.keyRevokedState")
	case k.Expired:
		return tr.T("cli.keyExpiredState")
	}
	return tr.T("cli.keyActiveState")
}

// spend is "$1.20 / $5.00", or "$1.20" without a budget.
func spend(used, budget float64) string {
	if budget > 0 {
		return fmt.Sprintf("$%.2f / $%.2f", used, budget)
	}
	return fmt.Sprintf("$%.2f", used)
}

func printKeys(out io.Writer, all []keyView, tr *i18n.Translator) {
	printList(out, all, tr.T("cli.keyNone"), tr.T("cli.keyListHeader"), func(tw io.Writer, k keyView) {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s…\t%s\t%d\t%s\t%s\n", k.ID, k.Name, dash(k.Owner), k.Prefix, keyStatus(k, tr),
			k.Usage.Today.Requests, spend(k.Usage.Today.CostUSD, k.BudgetDailyUSD), spend(k.Usage.Month.CostUSD, k.BudgetMonthlyUSD))
	})
}

func printKey(out io.Writer, k keyView, tr *i18n.Translator) {
	tw := newTable(out)
	row := func(label, value string) { fmt.Fprintf(tw, "%s\t%s\n", tr.T(label), dash(value)) }
	limit := func(n int64) string {
		if n == 0 {
			return tr.T("cli.keyNoLimit")
		}
		return fmt.Sprint(n)
	}
	row("cli.channelFieldName", k.Name)
	row("cli.keyFieldOwner", k.Owner)
	row("cli.keyFieldPrefix", k.Prefix+"…")
	row("cli.keyFieldStatus", keyStatus(k, tr))
	if k.ExpiresAt != nil {
		row("cli.keyFieldExpires", k.ExpiresAt.Format(time.RFC3339))
	}
	row("cli.channelFieldModels", strings.Join(k.Models, ", "))
	row("cli.keyFieldChannels", strings.Join(k.Channels, ", "))
	row("cli.keyFieldRPM", limit(k.RPM))
	row("cli.keyFieldTPM", limit(k.TPM))
	row("cli.keyFieldToday", fmt.Sprintf("%d · %s", k.Usage.Today.Requests, spend(k.Usage.Today.CostUSD, k.BudgetDailyUSD)))
	row("cli.keyFieldMonth", fmt.Sprintf("%d · %s", k.Usage.Month.Requests, spend(k.Usage.Month.CostUSD, k.BudgetMonthlyUSD)))
	tw.Flush()
}
