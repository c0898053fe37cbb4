package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/routex-app/routex/testclients/upstream"
)

// Cell outcomes.
const (
	statusPass  = "PASS"
	statusWarn  = "WARN"
	statusFail  = "FAIL"
	statusXFail = "XFAIL"
)

// cellResult is one client × channel format, as the matrix reports it.
type cellResult struct {
	Client  string  `json:"client"`
	Channel string  `json:"channel"`
	Status  string  `json:"status"`
	Reason  string  `json:"reason,omitempty"`
	Seconds float64 `json:"seconds"`
	Calls   int     `json:"upstream_calls"`
	// ClientCalls counts the requests the client made to Routex.
	ClientCalls int      `json:"client_calls"`
	Repeats     int      `json:"repeated_requests"`
	Actions     []string `json:"upstream_actions,omitempty"`
	Refused     []string `json:"refused,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`
	Stderr      []string `json:"unexpected_stderr,omitempty"`
	ExitCode    int      `json:"exit_code"`
	Dir         string   `json:"output_dir,omitempty"`

	client  clientSpec
	channel channelSpec
}

func (c *cellResult) label() string {
	if c.Reason == "" {
		return c.Status
	}
	return c.Status + " (" + c.Reason + ")"
}

// runCell starts an engine for the cell, points its one channel at the
// upstream under the cell's path prefix, runs the client in a temporary
// HOME and working folder, and judges what happened.
func runCell(ctx context.Context, o options, up *upstream.Server, upURL string, cell *cellResult) {
	id := cell.Client + "--" + cell.Channel
	dir := filepath.Join(o.out, "cells", id)
	cell.Dir = dir
	fail := func(format string, args ...any) { cell.Status, cell.Reason = statusFail, fmt.Sprintf(format, args...) }
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail("%v", err)
		return
	}
	// The client's base URL: a Routex whose one channel is the upstream
	// under the cell's prefix, or, in the direct column, that prefix itself.
	clientURL, key := upURL+"/cell/"+id, upstream.APIKey
	checkLog := func() ([]string, error) { return nil, nil }
	clientCalls := func() int { return 0 }
	renamed := func() []string { return nil }
	if cell.channel.Type != direct {
		eng, err := startEngine(ctx, o.bin, filepath.Join(dir, "serve.log"))
		if err != nil {
			fail("start Routex: %v", err)
			return
		}
		defer eng.Stop()
		base := clientURL
		if cell.channel.V1 {
			base += "/v1"
		}
		if err := eng.addChannel(cell.channel, base, upstream.APIKey); err != nil {
			fail("set up Routex: %v", err)
			return
		}
		fr, err := startFront(eng.URL)
		if err != nil {
			fail("%v", err)
			return
		}
		defer fr.close()
		clientURL, key = fr.url, accessKey
		checkLog = func() ([]string, error) { return unlogged404s(eng, fr.exchanges()) }
		clientCalls = func() int { return len(fr.exchanges()) }
		renamed = func() []string { return renamedModels(fr.exchanges()) }
	}
	// Not under /tmp: Codex refuses to put its helper binaries in a
	// CODEX_HOME there, and says so on stderr.
	tmp, err := os.MkdirTemp(o.scratch, "cell-")
	if err != nil {
		fail("%v", err)
		return
	}
	if !o.keep {
		defer os.RemoveAll(tmp)
	}
	env := cellEnv{RoutexURL: clientURL, Key: key, Home: filepath.Join(tmp, "home"), Work: filepath.Join(tmp, "work"), Tmp: filepath.Join(tmp, "tmp"),
		Token: newToken(), Modules: o.modules, SDKDir: o.sdkDir}
	env.Prompt = fmt.Sprintf("Use your shell tool to run: echo %s > %s && cat %s — then tell me what it printed.", env.Token, upstream.ProofFile, upstream.ProofFile)
	for _, d := range []string{env.Home, env.Work, env.Tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			fail("%v", err)
			return
		}
	}
	if cell.client.Setup != nil {
		if err := cell.client.Setup(env); err != nil {
			fail("write the client's settings: %v", err)
			return
		}
	}
	argv, extra := cell.client.Command(env)
	timeout := o.timeout
	if t := cell.client.Timeout; t > 0 && t < timeout {
		timeout = t
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, argv[0], argv[1:]...)
	cmd.Dir = env.Work
	cmd.Env = append(baseEnv(env, o.modules), extra...)
	cmd.Stdin = nil
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// End the whole process group: agents start shells and workers.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	runErr := cmd.Run()
	cell.Seconds = time.Since(start).Round(100 * time.Millisecond).Seconds()
	if cmd.ProcessState != nil {
		cell.ExitCode = cmd.ProcessState.ExitCode()
	}
	os.WriteFile(filepath.Join(dir, "stdout.txt"), stdout.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "stderr.txt"), stderr.Bytes(), 0o644)
	writeRecords(filepath.Join(dir, "requests.jsonl"), up.Records(id))

	sum := up.Summary(id)
	cell.Calls, cell.Repeats, cell.Actions, cell.Refused, cell.Warnings = sum.Calls, sum.Repeats, sum.Actions, sum.Refused, sum.Warnings
	cell.Stderr = unexpectedStderr(cell.client, stderr.String())
	proof, _ := os.ReadFile(filepath.Join(env.Work, upstream.ProofFile))
	done := strings.Count(stdout.String(), upstream.DoneMarker+" "+env.Token)

	cell.ClientCalls = clientCalls()
	ev := evidence{
		timedOut: errors.Is(cctx.Err(), context.DeadlineExceeded), timeout: timeout, exited: runErr != nil,
		exitCode: cell.ExitCode, upstream: sum, proof: strings.Contains(string(proof), env.Token),
		done: done, loops: cell.client.Loops, stderr: cell.Stderr, renamed: renamed(),
		tail: lastLine(stdout.String() + "\n" + stderr.String()),
	}
	ev.unlogged, ev.logErr = checkLog()
	cell.Status, cell.Reason = judge(ev)
}

// evidence is what a cell's run left to judge it by.
type evidence struct {
	timedOut bool
	timeout  time.Duration
	exited   bool // the client exited non-zero (or was killed)
	exitCode int
	upstream upstream.Summary
	proof    bool // the proof file holds the token
	done     int  // final answers printed
	loops    int  // final answers a good run prints
	stderr   []string
	renamed  []string
	unlogged []string
	logErr   error
	tail     string // the client's last words
}

// judge passes a cell only when the tool ran, every final answer was
// printed, the client exited cleanly with nothing unexpected on stderr,
// repeated nothing, the upstream refused nothing, and Routex logged what
// it refused and named the client's model. Skip-value signatures warn.
func judge(e evidence) (status, reason string) {
	var reasons []string
	switch {
	case e.timedOut:
		reasons = append(reasons, fmt.Sprintf("timed out after %s", e.timeout))
	case e.exited:
		reasons = append(reasons, fmt.Sprintf("exit %d", e.exitCode))
	}
	if len(e.upstream.Refused) > 0 {
		reasons = append(reasons, "upstream refused: "+clip(e.upstream.Refused[0], 300))
	}
	if !e.proof {
		reasons = append(reasons, "tool did not run (no proof file)")
	}
	if e.done < e.loops {
		reasons = append(reasons, fmt.Sprintf("final answer printed %d of %d times", e.done, e.loops))
	}
	if e.upstream.Repeats > 0 {
		reasons = append(reasons, fmt.Sprintf("client repeated %d request(s) (it rejected an answer)", e.upstream.Repeats))
	}
	if len(e.stderr) > 0 {
		reasons = append(reasons, "stderr: "+clip(e.stderr[0], 300))
	}
	if len(e.renamed) > 0 {
		reasons = append(reasons, fmt.Sprintf("%d Messages repl(ies) name another model than the client asked for (%s)", len(e.renamed), e.renamed[0]))
	}
	if e.logErr != nil {
		reasons = append(reasons, "read Routex's request log: "+e.logErr.Error())
	} else if len(e.unlogged) > 0 {
		reasons = append(reasons, fmt.Sprintf("Routex's request log does not show %d request(s) it answered 404 (%s)", len(e.unlogged), e.unlogged[0]))
	}
	if len(reasons) > 0 && len(e.upstream.Refused) == 0 && len(e.stderr) == 0 && e.done < e.loops && e.tail != "" {
		reasons = append(reasons, "client said: "+clip(e.tail, 300))
	}
	switch {
	case len(reasons) > 0:
		return statusFail, strings.Join(reasons, "; ")
	case len(e.upstream.Warnings) > 0:
		return statusWarn, clip(e.upstream.Warnings[0], 200)
	}
	return statusPass, ""
}

// baseEnv is the clients' whole environment besides their own variables:
// nothing of the machine's (no provider keys, no proxies) but PATH.
func baseEnv(e cellEnv, modules string) []string {
	env := []string{
		"HOME=" + e.Home, "USER=tester", "LANG=C.UTF-8", "TERM=xterm-256color", "COLORTERM=truecolor", "NO_COLOR=1",
		"PATH=" + filepath.Join(modules, ".bin") + ":" + os.Getenv("PATH"),
		"TMPDIR=" + e.Tmp, "XDG_CONFIG_HOME=" + filepath.Join(e.Home, ".config"),
	}
	return append(env, quietEnv...)
}

func writeRecords(path string, recs []upstream.Record) {
	var b bytes.Buffer
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err == nil {
			b.Write(append(line, '\n'))
		}
	}
	os.WriteFile(path, b.Bytes(), 0o644)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
