package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/clients"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/store"
)

// tool is one client the CLI attaches: its constructor, the locale key
// prefix of its messages, and the channel type direct mode needs.
type tool struct {
	name        string // "claude", "gemini" or "codex": the command and the key prefix
	open        func(home string) (*clients.Client, error)
	channelType string
}

// quiet drops the package's log lines: the commands print their own
// messages, and a log line on stderr would repeat them.
func quiet() clients.Option {
	return clients.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

var (
	claudeTool = tool{name: "claude", channelType: "anthropic",
		open: func(home string) (*clients.Client, error) { return clients.NewClaude(home, quiet()) }}
	geminiTool = tool{name: "gemini", channelType: "gemini",
		open: func(home string) (*clients.Client, error) { return clients.NewGemini(home, quiet()) }}
	// Codex speaks only the Responses API, so a direct attach needs a
	// channel that serves it as is.
	codexTool = tool{name: "codex", channelType: clients.CodexChannelType,
		open: func(home string) (*clients.Client, error) { return clients.NewCodex(home, quiet()) }}
)

// key is the locale key of one of the tool's messages ("cli.claudeAttached").
func (t tool) key(suffix string) string { return "cli." + t.name + suffix }

// newClaudeCmd is `routex claude attach|detach|status`, and `routex claude
// [args…]`, which runs Claude Code through Routex. Flag parsing is off so
// Claude Code's own flags pass through; the subcommands parse theirs.
func newClaudeCmd(f *flags, tr *i18n.Translator) *cobra.Command {
	cmd := &cobra.Command{
		Use:                "claude [args…]",
		Short:              tr.T("cli.claudeShort"),
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			code, err := runClaude(cmd, f, tr, args)
			if err == nil && code != 0 {
				os.Exit(code) // Claude Code's own failure, already shown: pass its code on
			}
			return err
		},
	}
	var direct string
	var models clients.Models
	attach := attachCmd(f, tr, claudeTool, &direct, &models)
	fl := attach.Flags()
	fl.StringVar(&models.Default, "model", "", tr.T("cli.claudeFlagModel"))
	fl.StringVar(&models.Sonnet, "sonnet", "", tr.T("cli.claudeFlagSonnet"))
	fl.StringVar(&models.Opus, "opus", "", tr.T("cli.claudeFlagOpus"))
	fl.StringVar(&models.Haiku, "haiku", "", tr.T("cli.claudeFlagHaiku"))
	fl.StringVar(&models.SmallFast, "small-fast", "", tr.T("cli.claudeFlagSmallFast"))
	cmd.AddCommand(attach, detachCmd(f, tr, claudeTool), statusCmd(f, tr, claudeTool))
	return cmd
}

// newCodexCmd is `routex codex attach|detach|status`, and `routex codex
// [args…]`, which runs Codex CLI through Routex.
func newCodexCmd(f *flags, tr *i18n.Translator) *cobra.Command {
	cmd := &cobra.Command{
		Use:                "codex [args…]",
		Short:              tr.T("cli.codexShort"),
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			code, err := runCodex(cmd, f, tr, args)
			if err == nil && code != 0 {
				os.Exit(code) // Codex's own failure, already shown: pass its code on
			}
			return err
		},
	}
	var direct string
	var models clients.Models
	attach := attachCmd(f, tr, codexTool, &direct, &models)
	attach.Flags().StringVar(&models.Default, "model", "", tr.T("cli.codexFlagModel"))
	cmd.AddCommand(attach, detachCmd(f, tr, codexTool), statusCmd(f, tr, codexTool))
	return cmd
}

// newGeminiCmd is `routex gemini attach|detach|status`.
func newGeminiCmd(f *flags, tr *i18n.Translator) *cobra.Command {
	cmd := &cobra.Command{Use: "gemini", Short: tr.T("cli.geminiShort")}
	var direct string
	cmd.AddCommand(attachCmd(f, tr, geminiTool, &direct, nil), detachCmd(f, tr, geminiTool), statusCmd(f, tr, geminiTool))
	return cmd
}

func attachCmd(f *flags, tr *i18n.Translator, t tool, direct *string, models *clients.Models) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "attach",
		Short: tr.T(t.key("AttachShort")),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, env, err := openTool(f, t)
			if err != nil {
				return err
			}
			opts := clients.AttachOptions{Mode: clients.ModeProxy, BaseURL: env.url, Token: env.key}
			if models != nil {
				opts.Models = *models
			}
			if *direct != "" {
				ch, err := findChannel(cmd.Context(), env.home, *direct, tr, t)
				if err != nil {
					return err
				}
				opts.Mode, opts.BaseURL, opts.Token = clients.ModeDirect, ch.BaseURL, ch.Keys()[0]
			}
			if t.name == claudeTool.name && opts.Models == (clients.Models{}) {
				// The channel's (direct) or the active provider's (proxy)
				// model slots, as the dashboard's attach writes them.
				opts.Models = claudeSlots(cmd.Context(), env.home, *direct)
			}
			res, err := c.Attach(opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if !res.Changed {
				fmt.Fprintln(out, tr.T(t.key("Unchanged"), "path", res.Path))
				return nil
			}
			fmt.Fprintln(out, tr.T(t.key("Attached"), "url", res.BaseURL, "mode", string(opts.Mode), "path", res.Path))
			if res.Backup != "" {
				fmt.Fprintln(out, tr.T(t.key("Backup"), "backup", res.Backup))
			}
			fmt.Fprintln(out, tr.T(t.key("Undo")))
			// Something else in the file may still win (a Codex profile
			// naming its own model_provider): say so rather than claim
			// the tool now uses Routex.
			if s, err := c.Status(env.url); err == nil && s.State != clients.Attached {
				fmt.Fprintln(out, tr.T("cli.attachOverridden", "url", s.BaseURL))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(direct, "direct", "", tr.T(t.key("FlagDirect")))
	return cmd
}

func detachCmd(f *flags, tr *i18n.Translator, t tool) *cobra.Command {
	return &cobra.Command{
		Use:   "detach",
		Short: tr.T(t.key("DetachShort")),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := openTool(f, t)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			res, err := c.Detach()
			if errors.Is(err, clients.ErrNotAttached) {
				fmt.Fprintln(out, tr.T(t.key("NotAttached"), "path", c.Path()))
				return nil
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(out, tr.T(t.key("Detached"), "path", res.Path))
			for _, k := range res.Kept {
				fmt.Fprintln(out, tr.T(t.key("Kept"), "key", k))
			}
			if res.Backup != "" {
				fmt.Fprintln(out, tr.T(t.key("Backup"), "backup", res.Backup))
			}
			return nil
		},
	}
}

func statusCmd(f *flags, tr *i18n.Translator, t tool) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: tr.T(t.key("StatusShort")),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, env, err := openTool(f, t)
			if err != nil {
				return err
			}
			s, err := c.Status(env.url)
			if err != nil {
				return err
			}
			var msg string
			switch s.State {
			case clients.Attached:
				msg = tr.T(t.key("StatusAttached"), "url", s.BaseURL, "mode", string(s.Mode), "path", s.Path)
			case clients.AttachedElsewhere:
				msg = tr.T(t.key("StatusElsewhere"), "url", s.BaseURL, "path", s.Path)
			default:
				msg = tr.T(t.key("StatusNotAttached"), "path", s.Path)
			}
			fmt.Fprintln(cmd.OutOrStdout(), msg)
			return nil
		},
	}
}

// findChannel looks a channel up by name or id in the database, for direct
// mode: the API hides keys, so the CLI reads the store itself.
func findChannel(ctx context.Context, home, ref string, tr *i18n.Translator, t tool) (store.Channel, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	st, err := store.Open(config.DatabaseTarget(home))
	if err != nil {
		return store.Channel{}, err
	}
	defer st.Close()
	all, err := st.Channels(ctx)
	if err != nil {
		return store.Channel{}, err
	}
	id, _ := strconv.ParseInt(ref, 10, 64)
	for _, ch := range all {
		if ch.ID == id || strings.EqualFold(ch.Name, ref) {
			if ch.Type != t.channelType {
				return store.Channel{}, errors.New(tr.T(t.key("WrongType"), "channel", ch.Name, "type", ch.Type))
			}
			return ch, nil
		}
	}
	return store.Channel{}, errors.New(tr.T("cli.claudeNoChannel", "channel", ref))
}

// openTool reads the engine's URL and key from the home the flags name and
// opens the tool's settings file.
func openTool(f *flags, t tool) (*clients.Client, toolEnv, error) {
	env, err := loadToolEnv(f)
	if err != nil {
		return nil, env, err
	}
	c, err := t.open(env.home)
	return c, env, err
}

// claudeSlots are the model slots a Claude Code attach writes when the
// command names none: the direct channel's, else the active provider's.
// A store that cannot be read gives none: the attach still works.
func claudeSlots(ctx context.Context, home, direct string) clients.Models {
	if ctx == nil {
		ctx = context.Background()
	}
	st, err := store.Open(config.DatabaseTarget(home))
	if err != nil {
		return clients.Models{}
	}
	defer st.Close()
	all, err := st.Channels(ctx)
	if err != nil {
		return clients.Models{}
	}
	name := ""
	if direct == "" {
		rt, err := st.Routes(ctx)
		if err != nil || len(rt.Scenarios["default"]) == 0 {
			return clients.Models{}
		}
		name, _, _ = strings.Cut(rt.Scenarios["default"][0], ",")
	}
	id, _ := strconv.ParseInt(direct, 10, 64)
	for _, ch := range all {
		if direct != "" && (ch.ID == id || strings.EqualFold(ch.Name, direct)) || direct == "" && ch.Name == name {
			m := ch.ClaudeModels
			return clients.Models{Default: m.Model, Opus: m.Opus, Sonnet: m.Sonnet, Haiku: m.Haiku, SmallFast: m.SmallFast}
		}
	}
	return clients.Models{}
}
