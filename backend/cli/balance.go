package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/i18n"
)

// balanceView is a channel's balance as the API shows it.
type balanceView struct {
	ChannelID int64      `json:"channel_id"`
	Channel   string     `json:"channel"`
	Remaining *float64   `json:"remaining"`
	Used      *float64   `json:"used"`
	Unit      string     `json:"unit"`
	ResetAt   *time.Time `json:"reset_at"`
	UpdatedAt *time.Time `json:"updated_at"`
	Error     string     `json:"error"`
	Level     string     `json:"level"`
	Provider  string     `json:"provider"`
}

// newChannelBalanceCmd is `routex channel balance [NAME] [--refresh]`.
func newChannelBalanceCmd(f *flags, tr *i18n.Translator, version string, asJSON *bool) *cobra.Command {
	var refresh bool
	cmd := &cobra.Command{Use: "balance [NAME]", Short: tr.T("cli.balanceShort"), Args: cobra.MaximumNArgs(1),
		RunE: withConn(f, version)(func(cmd *cobra.Command, c *conn, args []string) error {
			var raw json.RawMessage
			var list []balanceView
			if len(args) == 1 {
				ch, err := lookupChannel(c, args[0], tr)
				if err != nil {
					return err
				}
				method, path := "GET", fmt.Sprintf("/api/channels/%d/balance", ch.ID)
				if refresh {
					method, path = "POST", path+"/refresh"
				}
				if err := c.do(method, path, nil, &raw); err != nil {
					var ae *apiError
					if errors.As(err, &ae) && ae.Type == "no_balance_query" {
						return errors.New(tr.T("cli.balanceNoQuery", "name", ch.Name))
					}
					return err
				}
				var v balanceView
				if err := json.Unmarshal(raw, &v); err != nil {
					return err
				}
				if v.Provider == "" {
					return errors.New(tr.T("cli.balanceNoQuery", "name", ch.Name))
				}
				list = []balanceView{v}
			} else {
				method, path := "GET", "/api/balances"
				if refresh {
					method, path = "POST", "/api/balances/refresh"
				}
				if err := c.do(method, path, nil, &raw); err != nil {
					return err
				}
				var doc struct {
					Balances []balanceView `json:"balances"`
				}
				if err := json.Unmarshal(raw, &doc); err != nil {
					return err
				}
				for _, b := range doc.Balances {
					if b.Provider != "" {
						list = append(list, b)
					}
				}
			}
			if *asJSON {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), string(raw))
				return err
			}
			printBalances(cmd.OutOrStdout(), list, tr)
			return nil
		})}
	cmd.Flags().BoolVar(&refresh, "refresh", false, tr.T("cli.balanceFlagRefresh"))
	return cmd
}

// printBalances writes one line per channel: what is left, what was used,
// the level, the reset time, when it was read, and the error.
func printBalances(out io.Writer, list []balanceView, tr *i18n.Translator) {
	printList(out, list, tr.T("cli.balanceNone"), tr.T("cli.balanceHeader"), func(tw io.Writer, b balanceView) {
		reset, updated := "-", "-"
		if b.ResetAt != nil {
			reset = b.ResetAt.Local().Format("2006-01-02 15:04")
		}
		if b.UpdatedAt != nil {
			updated = b.UpdatedAt.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", b.Channel, amountText(b.Remaining), amountText(b.Used),
			dash(b.Unit), tr.T("cli.balanceLevel."+levelKey(b.Level)), reset, updated, dash(b.Error))
	})
}

func amountText(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

func levelKey(level string) string {
	switch level {
	case "ok", "low", "exhausted":
		return level
	}
	return "unknown"
}

// claudeSlots are the --claude-model slot names and their JSON fields.
var claudeSlotNames = map[string]string{"model": "model", "opus": "opus", "sonnet": "sonnet", "haiku": "haiku",
	"small-fast": "small_fast", "small_fast": "small_fast"}

// accountInput adds --claude-model and --balance-query to a channel write:
// slots as slot=model (slot one of model, opus, sonnet, haiku,
// small-fast); the query as JSON, "off" to turn the built-in one off, or
// "" to go back to it.
func (cf *channelFlags) accountInput(set func(string) bool, in map[string]any, tr *i18n.Translator) error {
	if set("claude-model") {
		pairs, err := parsePairs(cf.slots, "claude-model", tr)
		if err != nil {
			return err
		}
		slots := map[string]string{}
		for k, v := range pairs {
			field, ok := claudeSlotNames[k]
			if !ok {
				return errors.New(tr.T("cli.channelBadSlot", "value", k))
			}
			slots[field] = v
		}
		in["claude_models"] = slots
	}
	if set("balance-query") {
		switch q := cf.balanceQuery; q {
		case "":
			in["balance_query"] = map[string]any{} // back to the built-in query
		case "off":
			in["balance_query"] = map[string]any{"off": true}
		default:
			if !json.Valid([]byte(q)) {
				return errors.New(tr.T("cli.channelBadBalanceQuery"))
			}
			in["balance_query"] = json.RawMessage(q)
		}
	}
	return nil
}
