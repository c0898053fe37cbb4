package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/routex-app/routex/backend/channeltest"

	"github.com/spf13/cobra"

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

// probeChannel runs the same connection test as the dashboard's Test
// button (backend/channeltest) and keeps what the terminal shows.
func probeChannel(ctx context.Context, client *http.Client, ch store.Channel, tr *i18n.Translator) probeResult {
	res := channeltest.Test(ctx, client, ch, channeltest.Options{Timeout: probeTimeout, SkipStream: true})
	r := probeResult{Channel: ch.Name, Status: res.Status, LatencyMS: int64(res.TotalMS), Model: res.Model,
		OK: res.Verdict == channeltest.OK || res.Verdict == channeltest.Slow}
	if !r.OK {
		r.Error = noteWords(tr, res)
	}
	return r
}

// testWorkers is how many connection tests run at once: channels on
// different providers do not wait for each other, and a slow one does not
// hold up the rest.
const testWorkers = 4

// testChannels runs the connection tests of chs in parallel, a few at a
// time, with progress (counting finished tests) when there is more than
// one. The results keep the order of chs.
func testChannels(ctx context.Context, chs []store.Channel, errOut io.Writer, tr *i18n.Translator) []probeResult {
	client := &http.Client{Timeout: probeTimeout}
	var p *progress
	if len(chs) > 1 {
		p = newProgress(errOut, tr.T("cli.channelTesting"), len(chs))
		defer p.done()
	}
	out := make([]probeResult, len(chs))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	sem := make(chan struct{}, testWorkers)
	for i, ch := range chs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = probeChannel(ctx, client, ch, tr)
			if p != nil {
				mu.Lock()
				done++
				n := done
				mu.Unlock()
				p.step(n, ch.Name)
			}
		}()
	}
	wg.Wait()
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
	tw := newTable(out)
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
