package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// channelSpec is one upstream format: a Routex channel type on the
// scripted upstream, and the model the default route sends to it. The
// model differs from what the clients ask for, so every cell also
// exercises Routex's model rewrite.
type channelSpec struct {
	Type  string
	Model string
	// V1 is set for types whose base URL includes the version path.
	V1 bool
}

func (c channelSpec) name() string { return "scripted-" + c.Type }

// direct is the matrix's first column: each client straight against the
// upstream in its own format, no Routex. It checks the oracle: a client
// that fails there fails because the upstream refuses what the real
// provider accepts (or the client cannot run here), not because of Routex.
const direct = "direct"

var channels = []channelSpec{
	{Type: direct},
	{Type: "anthropic", Model: "claude-sonnet-4-5-20250929"},
	{Type: "openai", Model: "gpt-5.1", V1: true},
	{Type: "gemini", Model: "gemini-3-pro-preview"},
	{Type: "openai-responses", Model: "gpt-5.1-codex", V1: true},
}

// cellEnv is what a client needs to run one cell.
type cellEnv struct {
	RoutexURL string // http://127.0.0.1:PORT
	Key       string // Routex access key
	Home      string // temporary HOME
	Work      string // temporary working folder
	Tmp       string // the client's TMPDIR (Gemini CLI writes error reports there)
	Prompt    string
	Token     string
	Modules   string // build/clients/node_modules
	SDKDir    string // where the SDK scripts are
}

// clientSpec is one real client: how to run it headless, and the stderr
// lines it prints on a good run (anything else fails the cell).
type clientSpec struct {
	Name string
	// Package is the npm package whose version the matrix reports.
	Package string
	// Responses is set for clients that speak only the Responses API.
	Responses bool
	// Native is the channel type that speaks the client's own format;
	// the direct column serves the client in it.
	Native string
	// Loops is how many completed tool loops (final answers) a good run
	// prints.
	Loops int
	// Setup writes settings files; Command returns argv and extra env.
	Setup   func(e cellEnv) error
	Command func(e cellEnv) ([]string, []string)
	// Timeout, when set, is shorter than the run's -cell-timeout.
	Timeout time.Duration
	// StderrOK matches stderr lines that are not a problem.
	StderrOK []*regexp.Regexp
}

func bin(e cellEnv, name string) string { return filepath.Join(e.Modules, ".bin", name) }

func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

// quietEnv keeps the agents from phoning home: no telemetry, no update
// checks, no error reporting.
var quietEnv = []string{
	"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1", "DISABLE_TELEMETRY=1", "DISABLE_AUTOUPDATER=1",
	"DISABLE_ERROR_REPORTING=1", "DISABLE_BUG_COMMAND=1", "GEMINI_TELEMETRY_ENABLED=false",
	"QWEN_TELEMETRY_ENABLED=false", "NO_UPDATE_NOTIFIER=1", "CI=1",
	// Qwen Code's notice that --yolo runs tools unsandboxed, which is the
	// point of the test.
	"QWEN_CODE_SUPPRESS_YOLO_WARNING=1",
}

func sdkClient(name, pkg, script, native string) clientSpec {
	return clientSpec{
		Name: name, Package: pkg, Responses: native == "openai-responses", Native: native, Loops: 2,
		Timeout: 60 * time.Second,
		Command: func(e cellEnv) ([]string, []string) {
			return []string{"node", filepath.Join(e.SDKDir, script)}, []string{
				"RTX_BASE_URL=" + e.RoutexURL, "RTX_KEY=" + e.Key, "RTX_PROMPT=" + e.Prompt, "RTX_TOKEN=" + e.Token,
			}
		},
	}
}

var clients = []clientSpec{
	{
		Name: "claude-code", Package: "@anthropic-ai/claude-code", Native: "anthropic", Loops: 1,
		Command: func(e cellEnv) ([]string, []string) {
			return []string{bin(e, "claude"), "-p", e.Prompt, "--allowedTools", "Bash", "Write", "--output-format", "text"},
				[]string{"ANTHROPIC_BASE_URL=" + e.RoutexURL, "ANTHROPIC_AUTH_TOKEN=" + e.Key}
		},
	},
	{
		Name: "gemini-cli", Package: "@google/gemini-cli", Native: "gemini", Loops: 1,
		Setup: func(e cellEnv) error {
			return writeFile(filepath.Join(e.Home, ".gemini", "settings.json"), `{
  "security": {"auth": {"selectedType": "gemini-api-key"}, "folderTrust": {"enabled": false}},
  "general": {"disableAutoUpdate": true, "disableUpdateNag": true},
  "privacy": {"usageStatisticsEnabled": false},
  "telemetry": {"enabled": false},
  "tools": {"useRipgrep": false}
}
`)
		},
		Command: func(e cellEnv) ([]string, []string) {
			return []string{bin(e, "gemini"), "-p", e.Prompt, "--yolo", "--output-format", "text"},
				[]string{"GEMINI_API_KEY=" + e.Key, "GOOGLE_GEMINI_BASE_URL=" + e.RoutexURL}
		},
		// The notice --yolo always prints; and the start-up profiler's two
		// warnings when it flushes before the CLI's own start-up cleanup has
		// ended, then cannot measure that phase (a race inside gemini-cli,
		// seen under load; the cell's requests had all been answered).
		StderrOK: []*regexp.Regexp{
			regexp.MustCompile(`^YOLO mode is enabled\. All tool calls will be automatically approved\.$`),
			regexp.MustCompile(`^\[STARTUP\] Phase '[a-z_]+' was started but never ended\. Skipping metrics\.$`),
			regexp.MustCompile(`^\[STARTUP\] Cannot measure phase '[a-z_]+': start mark '[a-z_:]+' not found \(likely cleared by reset\)\.$`),
		},
	},
	{
		Name: "qwen-code", Package: "@qwen-code/qwen-code", Native: "openai", Loops: 1,
		Setup: func(e cellEnv) error {
			return writeFile(filepath.Join(e.Home, ".qwen", "settings.json"), `{
  "security": {"auth": {"selectedType": "openai"}, "folderTrust": {"enabled": false}},
  "general": {"disableAutoUpdate": true, "disableUpdateNag": true},
  "privacy": {"usageStatisticsEnabled": false},
  "telemetry": {"enabled": false}
}
`)
		},
		Command: func(e cellEnv) ([]string, []string) {
			return []string{bin(e, "qwen"), "-p", e.Prompt, "--yolo"},
				[]string{"OPENAI_BASE_URL=" + e.RoutexURL + "/v1", "OPENAI_API_KEY=" + e.Key, "OPENAI_MODEL=qwen3-coder-plus"}
		},
	},
	{
		Name: "codex", Package: "@openai/codex", Responses: true, Native: "openai-responses", Loops: 1,
		Setup: func(e cellEnv) error {
			return writeFile(filepath.Join(e.Home, ".codex", "config.toml"), fmt.Sprintf(`model = "gpt-5.5"
model_provider = "routex"
check_for_update_on_startup = false

[model_providers.routex]
name = "Routex"
base_url = "%s/v1"
env_key = "ROUTEX_ACCESS_KEY"
wire_api = "responses"

[analytics]
enabled = false

[feedback]
enabled = false
`, e.RoutexURL))
		},
		Command: func(e cellEnv) ([]string, []string) {
			// --json: events on stdout, so stderr carries only problems (the
			// human transcript goes to stderr otherwise).
			return []string{bin(e, "codex"), "exec", "--json", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", e.Prompt},
				[]string{"ROUTEX_ACCESS_KEY=" + e.Key, "CODEX_HOME=" + filepath.Join(e.Home, ".codex")}
		},
		// codex exec says so whenever stdin is not a terminal.
		StderrOK: []*regexp.Regexp{regexp.MustCompile(`^Reading additional input from stdin\.\.\.$`)},
	},
	sdkClient("anthropic-sdk", "@anthropic-ai/sdk", "anthropic.mjs", "anthropic"),
	sdkClient("openai-sdk-chat", "openai", "openai-chat.mjs", "openai"),
	sdkClient("openai-sdk-responses", "openai", "openai-responses.mjs", "openai-responses"),
	sdkClient("google-genai", "@google/genai", "genai.mjs", "gemini"),
}

// unexpectedStderr returns the stderr lines no pattern of the client
// allows.
func unexpectedStderr(c clientSpec, stderr string) []string {
	var out []string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ok := false
		for _, re := range c.StderrOK {
			if re.MatchString(line) {
				ok = true
				break
			}
		}
		if !ok {
			out = append(out, line)
		}
	}
	return out
}
