package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/store"
)

// progress reports steps of a long task: on a terminal one line rewritten
// in place, shown only once the task has run for a second; elsewhere
// (logs, pipes) a plain line per step. Safe for concurrent use.
type progress struct {
	mu    sync.Mutex
	out   io.Writer
	tty   bool
	label string
	total int
	start time.Time
	drawn bool
}

func newProgress(out io.Writer, label string, total int) *progress {
	return &progress{out: out, tty: isTerminal(out), label: label, total: total, start: time.Now()}
}

// step reports that item n (1-based) of the total is under way.
func (p *progress) step(n int, item string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := fmt.Sprintf("%s %d/%d … %s", p.label, n, p.total, item)
	if !p.tty {
		fmt.Fprintln(p.out, line)
		return
	}
	if time.Since(p.start) < time.Second {
		return
	}
	fmt.Fprintf(p.out, "\r\033[K%s", line)
	p.drawn = true
}

// done clears the in-place line so the result starts on a clean line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.out, "\r\033[K")
	}
}

// probeTimeout bounds one connection test.
const probeTimeout = 15 * time.Second

// probeResult is one channel's connection test.
type probeResult struct {
	Channel   string `json:"channel"`
	OK        bool   `json:"ok"`
	Status    int    `json:"status,omitempty"`
	LatencyMS int64  `json:"latency_ms"`
	Model     string `json:"model,omitempty"`
	Error     string `json:"error,omitempty"`
}

// probeRequest builds the smallest request a channel's format accepts:
// one short user message and max_tokens 1.
func probeRequest(ctx context.Context, ch store.Channel, model string) (*http.Request, error) {
	base := strings.TrimRight(ch.BaseURL, "/")
	key := ch.Keys()[0]
	var endpoint string
	var body []byte
	hdr := http.Header{"Content-Type": {"application/json"}}
	msg := `"messages":[{"role":"user","content":"ping"}]`
	m, _ := json.Marshal(model)
	switch ch.Type {
	case "anthropic":
		endpoint = base + "/v1/messages"
		body = []byte(`{"model":` + string(m) + `,"max_tokens":1,` + msg + `}`)
		hdr.Set("anthropic-version", "2023-06-01")
		if key != "" {
			hdr.Set("x-api-key", key)
		}
	case "gemini":
		endpoint = base + "/v1beta/models/" + url.PathEscape(model) + ":generateContent"
		body = []byte(`{"contents":[{"role":"user","parts":[{"text":"ping"}]}],"generationConfig":{"maxOutputTokens":1}}`)
		if key != "" {
			hdr.Set("x-goog-api-key", key)
		}
	default:
		endpoint = base + "/chat/completions"
		body = []byte(`{"model":` + string(m) + `,"max_tokens":1,` + msg + `}`)
		if key != "" {
			hdr.Set("Authorization", "Bearer "+key)
		}
	}
	req, err := http.NewRequestWithContext(ctx, "POST", endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = hdr
	for k, v := range ch.Headers {
		req.Header.Set(k, v)
	}
	return req, nil
}

// probeChannel sends the tiny request and reports status and time. It
// tests the channel's first model, as the upstream names it.
func probeChannel(ctx context.Context, client *http.Client, ch store.Channel) probeResult {
	r := probeResult{Channel: ch.Name}
	if len(ch.Models) == 0 {
		r.Error = "the channel lists no model to test with: add one with --model"
		return r
	}
	r.Model = ch.Models[0]
	if up := ch.ModelMap[r.Model]; up != "" {
		r.Model = up
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := probeRequest(ctx, ch, r.Model)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	start := time.Now()
	resp, err := client.Do(req)
	r.LatencyMS = time.Since(start).Milliseconds()
	if err != nil {
		r.Error = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			r.Error = fmt.Sprintf("no answer within %s", probeTimeout)
		}
		return r
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	r.Status = resp.StatusCode
	r.OK = resp.StatusCode < 300
	if !r.OK {
		r.Error = upstreamMessage(data)
	}
	return r
}

// upstreamMessage finds the message in any provider's error shape.
func upstreamMessage(data []byte) string {
	for _, p := range []string{"error.message", "error", "message", "0.error.message"} {
		if v := gjson.GetBytes(data, p); v.Type == gjson.String && v.String() != "" {
			return v.String()
		}
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// testChannels runs the connection tests of chs one after another, with
// progress when there is more than one.
func testChannels(ctx context.Context, chs []store.Channel, errOut io.Writer, tr *i18n.Translator) []probeResult {
	client := &http.Client{Timeout: probeTimeout}
	var p *progress
	if len(chs) > 1 {
		p = newProgress(errOut, tr.T("cli.channelTesting"), len(chs))
		defer p.done()
	}
	out := make([]probeResult, 0, len(chs))
	for i, ch := range chs {
		if p != nil {
			p.step(i+1, ch.Name)
		}
		out = append(out, probeChannel(ctx, client, ch))
	}
	return out
}

// newChannelTestCmd is `routex channel test NAME… | --all`.
func newChannelTestCmd(f *flags, tr *i18n.Translator, version string, asJSON *bool) *cobra.Command {
	var all bool
	cmd := &cobra.Command{Use: "test [NAME…]", Short: tr.T("cli.channelTestShort"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !all && len(args) == 0 {
				return errors.New(tr.T("cli.channelTestWhich"))
			}
			c, err := dial(f, version)
			if err != nil {
				return err
			}
			defer c.close()
			var pick []store.Channel
			if all {
				pick, err = enabledChannels(cmd.Context(), c)
			} else {
				pick, err = namedChannels(cmd.Context(), c, args, tr)
			}
			if err != nil {
				return err
			}
			results := testChannels(cmd.Context(), pick, cmd.ErrOrStderr(), tr)
			if *asJSON {
				if err := printJSON(cmd.OutOrStdout(), results); err != nil {
					return err
				}
			} else {
				printProbes(cmd.OutOrStdout(), results)
			}
			failed := 0
			for _, r := range results {
				if !r.OK {
					failed++
				}
			}
			if failed > 0 {
				return errors.New(tr.T("cli.channelTestFailed", "failed", fmt.Sprint(failed), "total", fmt.Sprint(len(results))))
			}
			return nil
		}}
	cmd.Flags().BoolVar(&all, "all", false, tr.T("cli.channelFlagAll"))
	return cmd
}

// enabledChannels reads the enabled channels, keys included, from the store.
func enabledChannels(ctx context.Context, c *conn) ([]store.Channel, error) {
	st, err := c.store()
	if err != nil {
		return nil, err
	}
	chs, err := st.Channels(ctx)
	out := chs[:0]
	for _, ch := range chs {
		if ch.Enabled {
			out = append(out, ch)
		}
	}
	return out, err
}

// namedChannels resolves names (or numbers) to stored channels with keys.
func namedChannels(ctx context.Context, c *conn, refs []string, tr *i18n.Translator) ([]store.Channel, error) {
	st, err := c.store()
	if err != nil {
		return nil, err
	}
	var out []store.Channel
	for _, ref := range refs {
		v, err := lookupChannel(c, ref, tr)
		if err != nil {
			return nil, err
		}
		ch, err := st.Channel(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}

func printProbes(out io.Writer, results []probeResult) {
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	for _, r := range results {
		mark, status := "✓", "-"
		if !r.OK {
			mark = "✗"
		}
		if r.Status != 0 {
			status = fmt.Sprint(r.Status)
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%dms\t%s\n", mark, r.Channel, dash(r.Model), status, r.LatencyMS, r.Error)
	}
	tw.Flush()
}
