package main

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/routex-app/routex/testclients/upstream"
)

func TestJudge(t *testing.T) {
	good := evidence{proof: true, done: 2, loops: 2, upstream: upstream.Summary{Calls: 4}}
	with := func(change func(e *evidence)) evidence { e := good; change(&e); return e }
	cases := []struct {
		name   string
		in     evidence
		status string
		reason string
	}{
		{"everything right", good, statusPass, ""},
		{"skip-value signature", with(func(e *evidence) { e.upstream.Warnings = []string{"skip value"} }), statusWarn, "skip value"},
		{"timed out", with(func(e *evidence) { e.timedOut = true }), statusFail, "timed out"},
		{"non-zero exit", with(func(e *evidence) { e.exited, e.exitCode = true, 3 }), statusFail, "exit 3"},
		{"refused upstream", with(func(e *evidence) { e.upstream.Refused = []string{"POST /v1/messages: bad"} }), statusFail, "upstream refused: POST /v1/messages: bad"},
		{"no proof file", with(func(e *evidence) { e.proof = false }), statusFail, "tool did not run"},
		{"one loop short", with(func(e *evidence) { e.done, e.tail = 1, "Error: boom" }), statusFail, "final answer printed 1 of 2 times; client said: Error: boom"},
		{"repeated a request", with(func(e *evidence) { e.upstream.Repeats = 4 }), statusFail, "repeated 4"},
		{"stderr", with(func(e *evidence) { e.stderr = []string{"Error: x"} }), statusFail, "stderr: Error: x"},
		{"renamed model", with(func(e *evidence) { e.renamed = []string{"asked for a, the reply names b"} }), statusFail, "asked for a, the reply names b"},
		{"unlogged 404", with(func(e *evidence) { e.unlogged = []string{"POST /v1/x"} }), statusFail, "request log does not show 1"},
		{"log unreadable", with(func(e *evidence) { e.logErr = errors.New("status 500") }), statusFail, "status 500"},
	}
	for _, tc := range cases {
		status, reason := judge(tc.in)
		if status != tc.status || !strings.Contains(reason, tc.reason) || tc.reason == "" && reason != "" {
			t.Errorf("%s: judge = %s %q, want %s %q", tc.name, status, reason, tc.status, tc.reason)
		}
	}
}

func TestUnexpectedStderr(t *testing.T) {
	c := clientSpec{StderrOK: []*regexp.Regexp{regexp.MustCompile(`^YOLO mode is enabled`)}}
	got := unexpectedStderr(c, "YOLO mode is enabled. All tool calls will be automatically approved.\n\n  Error: boom  \n")
	if len(got) != 1 || got[0] != "Error: boom" {
		t.Fatalf("unexpectedStderr = %q", got)
	}
}

// gemini-cli's own start-up notices pass (as seen in a cell that failed on
// them alone); anything else it prints on stderr is still a problem.
func TestGeminiCLIStderr(t *testing.T) {
	var gemini clientSpec
	for _, c := range clients {
		if c.Name == "gemini-cli" {
			gemini = c
		}
	}
	stderr := "YOLO mode is enabled. All tool calls will be automatically approved.\n" +
		"[STARTUP] Phase 'cleanup_ops' was started but never ended. Skipping metrics.\n" +
		"[STARTUP] Cannot measure phase 'cleanup_ops': start mark 'startup:cleanup_ops:start' not found (likely cleared by reset).\n" +
		"[STARTUP] Phase 'cleanup_ops' failed\n" +
		"Error when talking to Gemini API\n"
	got := unexpectedStderr(gemini, stderr)
	if len(got) != 2 || got[0] != "[STARTUP] Phase 'cleanup_ops' failed" || got[1] != "Error when talking to Gemini API" {
		t.Fatalf("unexpectedStderr = %q", got)
	}
}
