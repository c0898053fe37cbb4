package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/i18n"
)

// channelView is a channel as GET /api/channels shows it (key as preview).
type channelView = wire.Channel

// listChannels is GET /api/channels.
func listChannels(c *conn) ([]channelView, error) {
	return listOf[channelView](c, "/api/channels", "channels")
}

// lookupChannel resolves a channel by name, or by number when no name matches.
func lookupChannel(c *conn, ref string, tr *i18n.Translator) (channelView, error) {
	chs, err := listChannels(c)
	if err != nil {
		return channelView{}, err
	}
	ch, ok := pick(chs, ref, func(ch channelView) bool { return ch.Name == ref }, func(ch channelView) int64 { return ch.ID })
	if !ok {
		return ch, errors.New(tr.T("cli.channelUnknown", "name", ref))
	}
	return ch, nil
}

// channelFlags are the flags of `channel add` and `channel edit`.
type channelFlags struct {
	name, typ, baseURL, timeout, transformers string
	balanceQuery                              string
	keys, models, maps, headers, slots        []string
	priority, weight                          int
	enabled                                   bool
}

func (cf *channelFlags) register(cmd *cobra.Command, tr *i18n.Translator) {
	fl := cmd.Flags()
	fl.StringVar(&cf.name, "name", "", tr.T("cli.channelFlagName"))
	fl.StringVar(&cf.typ, "type", "", tr.T("cli.channelFlagType"))
	fl.StringVar(&cf.baseURL, "base-url", "", tr.T("cli.channelFlagBaseURL"))
	fl.StringArrayVar(&cf.keys, "key", nil, tr.T("cli.channelFlagKey"))
	fl.StringArrayVar(&cf.models, "model", nil, tr.T("cli.channelFlagModel"))
	fl.StringArrayVar(&cf.maps, "map", nil, tr.T("cli.channelFlagMap"))
	fl.IntVar(&cf.priority, "priority", 1, tr.T("cli.channelFlagPriority"))
	fl.IntVar(&cf.weight, "weight", 1, tr.T("cli.channelFlagWeight"))
	fl.StringArrayVar(&cf.headers, "header", nil, tr.T("cli.channelFlagHeader"))
	fl.StringVar(&cf.timeout, "timeout", "", tr.T("cli.channelFlagTimeout"))
	fl.StringVar(&cf.transformers, "transformers", "", tr.T("cli.channelFlagTransformers"))
	fl.BoolVar(&cf.enabled, "enabled", true, tr.T("cli.channelFlagEnabled"))
	fl.StringArrayVar(&cf.slots, "claude-model", nil, tr.T("cli.channelFlagClaudeModel"))
	fl.StringVar(&cf.balanceQuery, "balance-query", "", tr.T("cli.channelFlagBalanceQuery", "key", "{{key}}"))
}

// input is the API write body of the flags the user set, so an edit
// changes only what was named.
func (cf *channelFlags) input(cmd *cobra.Command, tr *i18n.Translator) (map[string]any, error) {
	in := map[string]any{}
	set := cmd.Flags().Changed
	if set("name") {
		in["name"] = cf.name
	}
	if set("type") {
		in["type"] = cf.typ
	}
	if set("base-url") {
		in["base_url"] = cf.baseURL
	}
	if set("key") {
		if len(cf.keys) == 1 {
			in["api_key"] = cf.keys[0]
		} else {
			in["api_keys"] = cf.keys
		}
	}
	if set("model") {
		in["models"] = cf.models
	}
	if set("priority") {
		in["priority"] = cf.priority
	}
	if set("weight") {
		in["weight"] = cf.weight
	}
	if set("enabled") {
		in["enabled"] = cf.enabled
	}
	for flag, field := range map[string]string{"map": "model_map", "header": "headers"} {
		if !set(flag) {
			continue
		}
		list := cf.maps
		if flag == "header" {
			list = cf.headers
		}
		m, err := parsePairs(list, flag, tr)
		if err != nil {
			return nil, err
		}
		in[field] = m
	}
	if set("timeout") {
		ms, err := parseTimeout(cf.timeout)
		if err != nil {
			return nil, errors.New(tr.T("cli.channelBadTimeout", "value", cf.timeout))
		}
		in["timeout_ms"] = ms
	}
	if err := cf.accountInput(set, in, tr); err != nil {
		return nil, err
	}
	if set("transformers") {
		if !json.Valid([]byte(cf.transformers)) {
			return nil, errors.New(tr.T("cli.channelBadTransformers"))
		}
		in["transformers"] = json.RawMessage(cf.transformers)
	}
	return in, nil
}

// parsePairs reads repeated K=V flags into a map.
func parsePairs(list []string, flag string, tr *i18n.Translator) (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, errors.New(tr.T("cli.channelBadPair", "flag", flag, "value", kv))
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m, nil
}

// parseTimeout accepts a Go duration ("90s", "2m") or plain milliseconds.
func parseTimeout(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	return int(d.Milliseconds()), nil
}

// newChannelCmd is `routex channel …`.
func newChannelCmd(f *flags, tr *i18n.Translator, version string) *cobra.Command {
	cmd := &cobra.Command{Use: "channel", Short: tr.T("cli.channelShort")}
	var asJSON bool
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, tr.T("cli.flagJSON"))
	with := withConn(f, version)
	// write sends a change and prints the channel the API answers with.
	write := func(cmd *cobra.Command, c *conn, method, path string, in any, key string) error {
		var raw json.RawMessage
		if err := c.do(method, path, in, &raw); err != nil {
			return err
		}
		if asJSON {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), string(raw))
			return err
		}
		var v channelView
		json.Unmarshal(raw, &v)
		fmt.Fprintln(cmd.OutOrStdout(), tr.T(key, "name", v.Name, "num", fmt.Sprint(v.ID)))
		return nil
	}

	add := &cobra.Command{Use: "add [NAME]", Short: tr.T("cli.channelAddShort"), Args: cobra.MaximumNArgs(1)}
	addFlags := &channelFlags{}
	addFlags.register(add, tr)
	add.RunE = with(func(cmd *cobra.Command, c *conn, args []string) error {
		in, err := addFlags.input(cmd, tr)
		if err != nil {
			return err
		}
		if len(args) == 1 {
			in["name"] = args[0]
		}
		return write(cmd, c, "POST", "/api/channels", in, "cli.channelAdded")
	})

	edit := &cobra.Command{Use: "edit NAME", Short: tr.T("cli.channelEditShort"), Args: cobra.ExactArgs(1)}
	editFlags := &channelFlags{}
	editFlags.register(edit, tr)
	edit.RunE = with(func(cmd *cobra.Command, c *conn, args []string) error {
		in, err := editFlags.input(cmd, tr)
		if err != nil {
			return err
		}
		ch, err := lookupChannel(c, args[0], tr)
		if err != nil {
			return err
		}
		return write(cmd, c, "PATCH", fmt.Sprintf("/api/channels/%d", ch.ID), in, "cli.channelUpdated")
	})

	toggle := func(use, short, key string, on bool) *cobra.Command {
		return &cobra.Command{Use: use + " NAME", Short: tr.T(short), Args: cobra.ExactArgs(1),
			RunE: with(func(cmd *cobra.Command, c *conn, args []string) error {
				ch, err := lookupChannel(c, args[0], tr)
				if err != nil {
					return err
				}
				return write(cmd, c, "PATCH", fmt.Sprintf("/api/channels/%d", ch.ID), map[string]any{"enabled": on}, key)
			})}
	}

	list := &cobra.Command{Use: "list", Aliases: []string{"ls"}, Short: tr.T("cli.channelListShort"), Args: cobra.NoArgs,
		RunE: with(func(cmd *cobra.Command, c *conn, _ []string) error {
			var raw json.RawMessage
			if err := c.do("GET", "/api/channels", nil, &raw); err != nil {
				return err
			}
			if asJSON {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), string(raw))
				return err
			}
			chs, err := listChannels(c)
			if err != nil {
				return err
			}
			printChannels(cmd.OutOrStdout(), chs, c.running(), tr)
			return nil
		})}

	show := &cobra.Command{Use: "show NAME", Short: tr.T("cli.channelShowShort"), Args: cobra.ExactArgs(1),
		RunE: with(func(cmd *cobra.Command, c *conn, args []string) error {
			ch, err := lookupChannel(c, args[0], tr)
			if err != nil {
				return err
			}
			var raw json.RawMessage
			if err := c.do("GET", fmt.Sprintf("/api/channels/%d", ch.ID), nil, &raw); err != nil {
				return err
			}
			if asJSON {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), string(raw))
				return err
			}
			printChannel(cmd.OutOrStdout(), ch, tr)
			return nil
		})}

	var yes bool
	rm := &cobra.Command{Use: "rm NAME", Aliases: []string{"remove"}, Short: tr.T("cli.channelRmShort"), Args: cobra.ExactArgs(1),
		RunE: with(func(cmd *cobra.Command, c *conn, args []string) error {
			ch, err := lookupChannel(c, args[0], tr)
			if err != nil {
				return err
			}
			if !yes {
				ok, err := confirm(cmd.InOrStdin(), cmd.ErrOrStderr(), tr.T("cli.channelRmConfirm", "name", ch.Name), tr)
				if err != nil || !ok {
					return err
				}
			}
			if err := c.do("DELETE", fmt.Sprintf("/api/channels/%d", ch.ID), nil, nil); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"removed": ch.Name})
			}
			fmt.Fprintln(cmd.OutOrStdout(), tr.T("cli.channelRemoved", "name", ch.Name))
			return nil
		})}
	rm.Flags().BoolVarP(&yes, "yes", "y", false, tr.T("cli.channelFlagYes"))

	cmd.AddCommand(add, list, show, edit, rm,
		toggle("enable", "cli.channelEnableShort", "cli.channelEnabled", true),
		toggle("disable", "cli.channelDisableShort", "cli.channelDisabled", false),
		newChannelTestCmd(f, tr, version, &asJSON), newChannelBalanceCmd(f, tr, version, &asJSON))
	return cmd
}

// isTerminal reports whether v is a terminal (not a pipe, file or /dev/null).
func isTerminal(v any) bool {
	fi, ok := v.(*os.File)
	return ok && term.IsTerminal(fi.Fd())
}

// confirm asks a yes/no question on a terminal; without one it refuses,
// so a script never deletes by accident.
func confirm(in io.Reader, out io.Writer, question string, tr *i18n.Translator) (bool, error) {
	if !isTerminal(in) {
		return false, errors.New(tr.T("cli.channelConfirmNoTTY"))
	}
	fmt.Fprint(out, question+" [y/N] ")
	line, _ := bufio.NewReader(in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	fmt.Fprintln(out, tr.T("cli.channelCancelled"))
	return false, nil
}

func printChannels(out io.Writer, chs []channelView, running bool, tr *i18n.Translator) {
	head := tr.T("cli.channelListHeader")
	if running {
		head += "\t" + tr.T("cli.channelListHealth")
	}
	printList(out, chs, tr.T("cli.channelNone"), head, func(tw io.Writer, ch channelView) {
		models := strings.Join(ch.Models, ",")
		if len(ch.Models) > 3 {
			models = strings.Join(ch.Models[:3], ",") + fmt.Sprintf(" +%d", len(ch.Models)-3)
		}
		key := ch.APIKeyPreview
		if ch.KeyCount > 1 {
			key += fmt.Sprintf(" (×%d)", ch.KeyCount)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s", ch.Name, ch.Type, ch.BaseURL, dash(models), ch.Priority,
			yesNo(ch.Enabled, tr), dash(key))
		if running {
			fmt.Fprintf(tw, "\t%s", healthWords(tr, ch.Enabled, ch.Health, time.Now()))
		}
		fmt.Fprintln(tw)
	})
}

func printChannel(out io.Writer, ch channelView, tr *i18n.Translator) {
	tw := newTable(out)
	row := func(label, value string) { fmt.Fprintf(tw, "%s\t%s\n", tr.T(label), dash(value)) }
	row("cli.channelFieldName", ch.Name)
	row("cli.channelFieldType", ch.Type)
	row("cli.channelFieldBaseURL", ch.BaseURL)
	row("cli.channelFieldKey", ch.APIKeyPreview)
	row("cli.channelFieldModels", strings.Join(ch.Models, ", "))
	pairs := func(m map[string]string) string {
		var s []string
		for k, v := range m {
			s = append(s, k+"="+v)
		}
		return strings.Join(s, ", ")
	}
	row("cli.channelFieldMap", pairs(ch.ModelMap))
	row("cli.channelFieldPriority", fmt.Sprint(ch.Priority))
	row("cli.channelFieldWeight", fmt.Sprint(ch.Weight))
	row("cli.channelFieldEnabled", yesNo(ch.Enabled, tr))
	row("cli.channelFieldHeaders", pairs(ch.Headers))
	if t := string(ch.Transformers); t != "[]" {
		row("cli.channelFieldTransformers", t)
	}
	if ch.TimeoutMS > 0 {
		row("cli.channelFieldTimeout", (time.Duration(ch.TimeoutMS) * time.Millisecond).String())
	}
	if m := ch.ClaudeModels; m != nil {
		slots := map[string]string{}
		for k, v := range map[string]string{"model": m.Model, "opus": m.Opus, "sonnet": m.Sonnet, "haiku": m.Haiku, "small_fast": m.SmallFast} {
			if v != "" {
				slots[k] = v
			}
		}
		row("cli.channelFieldClaudeModels", pairs(slots))
	}
	if ch.Health != nil {
		row("cli.channelListHealth", ch.Health.State)
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool, tr *i18n.Translator) string {
	if b {
		return tr.T("cli.channelYes")
	}
	return tr.T("cli.channelNo")
}
