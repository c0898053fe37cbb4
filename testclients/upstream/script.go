package upstream

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// ProofFile is the file the scripted tool call writes in the client's
// working folder; the runner checks it holds the cell's token.
const ProofFile = "routex-proof.txt"

// DoneMarker starts the final answer, followed by the token the tool
// printed; the runner looks for "ROUTEX-DONE <token>" in the client's output.
const DoneMarker = "ROUTEX-DONE"

// ProseAnswer is what a request that is neither a tool turn nor a
// structured-output request gets.
const ProseAnswer = "Plain prose from the scripted upstream."

var tokenRE = regexp.MustCompile(`RTX-[0-9a-f]{12}`)

// shellToolNames are the shell tools the agents declare: Claude Code's
// Bash, Gemini CLI's and Qwen Code's run_shell_command, Codex's shell
// tools, and run_shell in the SDK scripts.
var shellToolNames = []string{"Bash", "run_shell_command", "shell_command", "shell", "exec_command", "local_shell", "run_shell"}

// tool is a function tool the request declares, in any format.
type tool struct {
	Name   string
	Schema map[string]any
}

// turn is what the scripted model needs to know about a request, whatever
// its format.
type turn struct {
	Tools []tool
	// Structured is set when the request asks for JSON output; Schema is
	// its schema (nil for "any JSON object").
	Structured bool
	Schema     map[string]any
	// ToolResult holds the tool outputs of the last user turn, if it
	// answers a tool call.
	ToolResult []string
	HasResult  bool
	// UserText is every user text of the conversation, where the token is.
	UserText string
}

// reply is what the scripted model says: text, or one tool call.
type reply struct {
	Action   string
	Text     string
	ToolName string
	Args     map[string]any
}

// decide plays the script: structured output gets schema-fitting JSON; a
// turn answering a tool call gets the final answer quoting its output; a
// turn with a shell tool and a token gets the tool call; anything else
// gets prose.
func decide(t turn) reply {
	if t.Structured {
		return reply{Action: "json", Text: fitJSON(t.Schema)}
	}
	token := tokenRE.FindString(t.UserText)
	if t.HasResult {
		out := strings.Join(t.ToolResult, "\n")
		if token != "" && strings.Contains(out, token) {
			return reply{Action: "final", Text: fmt.Sprintf("%s %s. The command printed: %s", DoneMarker, token, strings.TrimSpace(out))}
		}
		return reply{Action: "final-without-token", Text: "The tool did not print the token. It printed: " + clip(out, 400)}
	}
	if token != "" {
		if sh, ok := findShell(t.Tools); ok {
			return reply{Action: "tool:" + sh.Name, ToolName: sh.Name, Args: shellArgs(sh, shellCommand(token))}
		}
	}
	return reply{Action: "prose", Text: ProseAnswer}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// shellCommand writes the token to the proof file and prints it.
func shellCommand(token string) string {
	return fmt.Sprintf("echo %s > %s && cat %s", token, ProofFile, ProofFile)
}

func findShell(tools []tool) (tool, bool) {
	for _, name := range shellToolNames {
		for _, t := range tools {
			if t.Name == name {
				return t, true
			}
		}
	}
	return tool{}, false
}

// shellArgs fills the shell tool's arguments from its schema: the command
// as a string, or as an argv array when the tool declares one (Codex's
// shell), and a description when the tool has one.
func shellArgs(t tool, cmd string) map[string]any {
	props, _ := t.Schema["properties"].(map[string]any)
	args := map[string]any{}
	for _, key := range []string{"command", "cmd"} {
		p, ok := props[key].(map[string]any)
		if !ok {
			continue
		}
		if typeOf(p) == "array" {
			args[key] = []any{"bash", "-lc", cmd}
		} else {
			args[key] = cmd
		}
		break
	}
	if len(args) == 0 {
		args["command"] = cmd
	}
	if _, ok := props["description"]; ok {
		args["description"] = "Write the Routex proof file"
	}
	for _, req := range stringList(t.Schema["required"]) {
		if _, ok := args[req]; !ok {
			if p, ok := props[req].(map[string]any); ok {
				args[req] = fitValue(p, 0)
			}
		}
	}
	return args
}

func typeOf(schema map[string]any) string {
	switch v := schema["type"].(type) {
	case string:
		return strings.ToLower(v)
	case []any:
		for _, t := range v {
			if s, ok := t.(string); ok && s != "null" {
				return strings.ToLower(s)
			}
		}
	}
	if _, ok := schema["properties"]; ok {
		return "object"
	}
	return ""
}

func stringList(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// fitJSON answers a structured-output request with JSON that fits schema.
func fitJSON(schema map[string]any) string {
	if schema == nil {
		return `{"answer":"` + ProseAnswer + `"}`
	}
	b, _ := json.Marshal(fitValue(schema, 0))
	return string(b)
}

// fitValue builds a value that satisfies schema: the first enum or const,
// every property of an object, one item of an array with minItems.
func fitValue(schema map[string]any, depth int) any {
	if depth > 8 {
		return nil
	}
	if c, ok := schema["const"]; ok {
		return c
	}
	if e, ok := schema["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	for _, key := range []string{"anyOf", "oneOf", "allOf"} {
		if alts, ok := schema[key].([]any); ok && len(alts) > 0 {
			if m, ok := alts[0].(map[string]any); ok {
				return fitValue(m, depth+1)
			}
		}
	}
	switch typeOf(schema) {
	case "object":
		out := map[string]any{}
		props, _ := schema["properties"].(map[string]any)
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k].(map[string]any); ok {
				out[k] = fitValue(p, depth+1)
			}
		}
		return out
	case "array":
		n := 0
		if m, ok := schema["minItems"]; ok {
			fmt.Sscan(fmt.Sprint(m), &n)
		}
		items, _ := schema["items"].(map[string]any)
		arr := []any{}
		for i := 0; i < n && items != nil; i++ {
			arr = append(arr, fitValue(items, depth+1))
		}
		return arr
	case "string":
		return "scripted"
	case "integer", "number":
		if m, ok := schema["minimum"]; ok {
			return m
		}
		// 1, not 0: clients validate more than they declare (Gemini CLI's
		// router wants a complexity score "from 1-100").
		return 1
	case "boolean":
		return false
	}
	return "scripted"
}

// signingKey makes the signatures the upstream issues (thinking blocks,
// Gemini thought signatures, encrypted reasoning) verifiable without state:
// a signature is an HMAC of what it signs.
var signingKey = []byte("routex scripted upstream")

// sign returns the signature the upstream issues for content.
func sign(kind, content string) string {
	m := hmac.New(sha256.New, signingKey)
	m.Write([]byte(kind + "\x00" + content))
	return "rxsig1" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// signed reports whether sig is one the upstream issued for content.
func signed(kind, content, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(sign(kind, content)))
}

// skipSignatures are the values Gemini documents for skipping thought
// signature validation; accepted, and counted as a warning.
var skipSignatures = map[string]bool{"skip_thought_signature_validator": true, "context_engineering_is_the_way_to_go": true}

// thinkingText is the scripted model's thinking, the same for every turn
// so a signature on it can be checked from the block alone.
const thinkingText = "The scripted upstream plans its next step."

// callID makes the tool call id of a conversation from its token, so a
// loop's two turns agree on it without the upstream keeping state.
func callID(prefix, token string) string {
	if token == "" {
		token = "none"
	}
	return prefix + strings.ToLower(strings.TrimPrefix(token, "RTX-"))
}

// argsJSON marshals tool arguments in a stable order.
func argsJSON(args map[string]any) string {
	b, _ := json.Marshal(args)
	return string(b)
}

// chunks splits s into about n pieces for streaming.
func chunks(s string, n int) []string {
	if n < 1 || len(s) <= n {
		return []string{s}
	}
	size := (len(s) + n - 1) / n
	var out []string
	for len(s) > 0 {
		k := size
		if k > len(s) {
			k = len(s)
		}
		// keep UTF-8 sequences whole
		for k < len(s) && (s[k]&0xC0) == 0x80 {
			k++
		}
		out = append(out, s[:k])
		s = s[k:]
	}
	return out
}

// estimateTokens is the upstream's rough token count for usage figures.
func estimateTokens(b []byte) int {
	return len(b)/4 + 1
}
