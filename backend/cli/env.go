package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/clients"
	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/i18n"
)

// toolEnv is what the client commands need from Routex's home: where the
// engine listens and the key tools send it.
type toolEnv struct {
	home string
	url  string
	key  string
}

// loadToolEnv reads config.json of the home the flags name (creating it,
// with fresh keys, on first use, as the engine would).
func loadToolEnv(f *flags) (toolEnv, error) {
	home := f.home
	var err error
	if home == "" {
		home, err = config.Home()
	} else {
		home, err = filepath.Abs(home)
	}
	if err != nil {
		return toolEnv{}, err
	}
	cfg, err := config.Load(home)
	if err != nil {
		return toolEnv{}, err
	}
	return toolEnv{home: home, url: engineURL(listenFor(f, home, cfg.Listen)), key: cfg.AccessKey}, nil
}

// engineURL is the URL a tool on this machine reaches the engine at: an
// unspecified listen host (0.0.0.0, ::, "") becomes loopback.
func engineURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// envVar is one variable `routex env` exports.
type envVar struct{ name, value string }

// toolVars are the variables that point Claude Code, OpenAI SDKs and
// Gemini CLI at the engine.
func toolVars(url, key string) []envVar {
	return []envVar{
		{"ANTHROPIC_BASE_URL", url},
		{"ANTHROPIC_AUTH_TOKEN", key},
		{"OPENAI_BASE_URL", url + "/v1"},
		{"OPENAI_API_KEY", key},
		{"GOOGLE_GEMINI_BASE_URL", url},
		{"GEMINI_API_KEY", key},
	}
}

// conflictingVars are unset: Claude Code prefers ANTHROPIC_API_KEY over the
// auth token and would send the user's own key to Routex.
var conflictingVars = []string{"ANTHROPIC_API_KEY"}

// shells lists what --shell accepts.
var shells = []string{"bash", "zsh", "fish", "powershell"}

// renderEnv writes vars as commands for shell, each value quoted so the
// shell reads it back unchanged.
func renderEnv(shell string, vars []envVar, unset []string) (string, error) {
	var b strings.Builder
	for _, v := range vars {
		switch shell {
		case "bash", "zsh", "sh":
			fmt.Fprintf(&b, "export %s=%s\n", v.name, posixQuote(v.value))
		case "fish":
			fmt.Fprintf(&b, "set -gx %s %s\n", v.name, fishQuote(v.value))
		case "powershell", "pwsh":
			fmt.Fprintf(&b, "$env:%s = %s\n", v.name, powershellQuote(v.value))
		default:
			return "", fmt.Errorf("unknown shell %q", shell)
		}
	}
	for _, name := range unset {
		switch shell {
		case "fish":
			fmt.Fprintf(&b, "set -e %s\n", name)
		case "powershell", "pwsh":
			fmt.Fprintf(&b, "Remove-Item Env:%s -ErrorAction SilentlyContinue\n", name)
		default:
			fmt.Fprintf(&b, "unset %s\n", name)
		}
	}
	return b.String(), nil
}

// posixQuote single-quotes s; a single quote inside becomes '\”.
func posixQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// fishQuote single-quotes s; fish reads \\ and \' inside single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// powershellQuote single-quotes s; PowerShell doubles a single quote.
func powershellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// defaultShell guesses the user's shell from $SHELL; PowerShell on Windows.
func defaultShell() string {
	if runtime.GOOS == "windows" {
		return "powershell"
	}
	switch s := filepath.Base(os.Getenv("SHELL")); s {
	case "bash", "zsh", "fish":
		return s
	}
	return "bash"
}

// newEnvCmd is `routex env`: exports for tools that read the environment,
// for eval "$(routex env)".
func newEnvCmd(f *flags, tr *i18n.Translator) *cobra.Command {
	var shell string
	cmd := &cobra.Command{
		Use:   "env",
		Short: tr.T("cli.envShort"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if shell == "" {
				shell = defaultShell()
			}
			shell = strings.ToLower(shell)
			env, err := loadToolEnv(f)
			if err != nil {
				return err
			}
			text, err := renderEnv(shell, toolVars(env.url, env.key), conflictingVars)
			if err != nil {
				return errors.New(tr.T("cli.envBadShell", "shell", shell, "shells", strings.Join(shells, ", ")))
			}
			// Codex reads no variable for its base URL (checked with
			// @openai/codex 0.171.0: OPENAI_BASE_URL is ignored): say how
			// to point it at Routex instead. Every supported shell reads #
			// as a comment.
			text = "# " + tr.T("cli.envCodexNote") + "\n" + text
			_, err = io.WriteString(cmd.OutOrStdout(), text)
			return err
		},
	}
	cmd.Flags().StringVar(&shell, "shell", "", tr.T("cli.envFlagShell"))
	return cmd
}

// childEnv is the environment `routex claude` gives Claude Code: the
// user's, without the variables Routex sets or unsets, plus Routex's.
func childEnv(base []string, vars []envVar, unset []string) []string {
	drop := map[string]bool{}
	for _, v := range vars {
		drop[v.name] = true
	}
	for _, n := range unset {
		drop[n] = true
	}
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if !drop[name] {
			out = append(out, kv)
		}
	}
	for _, v := range vars {
		out = append(out, v.name+"="+v.value)
	}
	return out
}

// splitRoutexFlags takes --home, --listen and --log-level from the front of
// args (the claude command passes everything else to Claude Code); "--"
// ends them.
func splitRoutexFlags(f *flags, args []string) []string {
	for len(args) > 0 {
		name, value, hasValue := strings.Cut(args[0], "=")
		var dst *string
		switch name {
		case "--home":
			dst = &f.home
		case "--listen":
			dst = &f.listen
		case "--log-level":
			dst = &f.logLevel
		case "--":
			return args[1:]
		default:
			return args
		}
		switch {
		case hasValue:
			args = args[1:]
		case len(args) > 1:
			value, args = args[1], args[2:]
		default:
			return args
		}
		*dst = value
	}
	return args
}

// runClaude runs Claude Code with the engine's environment, starting the
// engine in the background when it does not answer. It returns Claude
// Code's exit code.
func runClaude(cmd *cobra.Command, f *flags, tr *i18n.Translator, args []string) (int, error) {
	return runTool(cmd, f, tr, "claude", "cli.claudeNotFound", splitRoutexFlags(f, args), nil)
}

// toolExtras are what one tool needs beyond toolVars: arguments before the
// user's and variables of its own.
type toolExtras func(env toolEnv) (args []string, vars []envVar)

// codexKeyVar carries the access key to Codex when `routex codex` runs it:
// the provider it passes names the variable (env_key), so the key is not
// on the command line for other users to see.
const codexKeyVar = config.EnvAccessKey

// codexExtras are the -c overrides that make one Codex run use the
// engine, whatever config.toml says (the user's own arguments follow, so a
// -c of theirs still wins), and the variable holding the key.
func codexExtras(env toolEnv) ([]string, []envVar) {
	provider := fmt.Sprintf(`model_providers.%s={ name = "Routex", base_url = %q, wire_api = "responses", env_key = %q }`,
		clients.CodexProviderID, env.url+"/v1", codexKeyVar)
	args := []string{"-c", fmt.Sprintf("model_provider=%q", clients.CodexProviderID), "-c", provider}
	return args, []envVar{{codexKeyVar, env.key}}
}

// runCodex runs Codex CLI through the engine, as runClaude does Claude Code.
func runCodex(cmd *cobra.Command, f *flags, tr *i18n.Translator, args []string) (int, error) {
	return runTool(cmd, f, tr, "codex", "cli.codexNotFound", splitRoutexFlags(f, args), codexExtras)
}

// runTool runs the command bin with the engine's environment (plus what
// extras adds, when set), starting the engine in the background when it
// does not answer. It returns the tool's exit code.
func runTool(cmd *cobra.Command, f *flags, tr *i18n.Translator, bin, notFoundKey string, args []string, extras toolExtras) (int, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return 0, errors.New(tr.T(notFoundKey))
	}
	env, err := loadToolEnv(f)
	if err != nil {
		return 0, err
	}
	if err := ensureEngine(cmd.Context(), cmd.ErrOrStderr(), env, f, tr); err != nil {
		return 0, err
	}
	vars := toolVars(env.url, env.key)
	if extras != nil {
		more, moreVars := extras(env)
		args, vars = append(more, args...), append(vars, moreVars...)
	}
	child := exec.Command(path, args...)
	child.Env = childEnv(os.Environ(), vars, conflictingVars)
	child.Stdin, child.Stdout, child.Stderr = cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
	// Ctrl-C belongs to the tool, which shares the terminal: Routex waits
	// for it to finish rather than die first.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	err = child.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	return 0, err
}

// healthy reports whether an engine answers GET url/health.
func healthy(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// ensureEngine starts `routex serve` with the same home, detached from this
// terminal so it outlives Claude Code, its output in logs/serve.out, and
// waits up to 10 s for it to answer.
func ensureEngine(ctx context.Context, msg io.Writer, env toolEnv, f *flags, tr *i18n.Translator) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if healthy(ctx, env.url) {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	logDir := config.LogDir(env.home)
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		return err
	}
	logPath := filepath.Join(logDir, "serve.out")
	out, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	args := []string{"--home", env.home}
	if f.listen != "" {
		args = append(args, "--listen", f.listen)
	}
	srv := exec.Command(exe, append(args, "serve")...)
	srv.Stdout, srv.Stderr = out, out
	srv.SysProcAttr = detachedProcAttr()
	fmt.Fprintln(msg, tr.T("cli.claudeStarting", "log", logPath))
	if err := srv.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { srv.Wait(); close(exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New(tr.T("cli.claudeStartFailed", "url", env.url, "log", logPath))
		case <-time.After(100 * time.Millisecond):
		}
		if healthy(ctx, env.url) {
			return nil
		}
	}
	return errors.New(tr.T("cli.claudeStartFailed", "url", env.url, "log", logPath))
}
