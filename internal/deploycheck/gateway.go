//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// gateway is a client of the team gateway's one address (nginx), sending
// the gateway's host name as a person's client would.
type gateway struct {
	base, host, mockURL string
}

var client = &http.Client{Timeout: 30 * time.Second}

func (g *gateway) do(method, path, host, bearer string, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, g.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Host = host
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return client.Do(req)
}

// status sends a request without a body and returns its status.
func (g *gateway) status(method, path, host, bearer string) (int, error) {
	resp, err := g.do(method, path, host, bearer, nil)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (g *gateway) waitHealthy(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		status, err := g.status(http.MethodGet, "/health", g.host, "")
		if err == nil && status == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("/health through nginx at %s: status %d, %v", g.base, status, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// admin calls the admin API and decodes a 2xx answer into out (if set).
func (g *gateway) admin(method, path string, body, out any) error {
	resp, err := g.do(method, path, g.host, adminToken, body)
	if err != nil {
		return fmt.Errorf("%s %s through nginx: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s through nginx: status %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s through nginx: %w", method, path, err)
		}
	}
	return nil
}

// post sends a Claude Code-like request in Anthropic's format, with
// credential as x-api-key.
func (g *gateway) post(credential, prompt string, stream bool) (*http.Response, error) {
	raw, _ := json.Marshal(map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 64, "stream": stream,
		"messages": []map[string]any{{"role": "user", "content": prompt}}})
	req, err := http.NewRequest(http.MethodPost, g.base+"/v1/messages", bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Host = g.host
	req.Header.Set("x-api-key", credential)
	req.Header.Set("anthropic-version", "2023-06-01")
	req.Header.Set("Content-Type", "application/json")
	return client.Do(req)
}

// send sends one message and returns the status and the whole answer.
func (g *gateway) send(credential string, stream bool) (int, string, error) {
	resp, err := g.post(credential, "ping", stream)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// message sends one message and checks that the provider's reply came
// back whole: the text, and for a stream its last event.
func (g *gateway) message(credential string, stream bool) error {
	status, body, err := g.send(credential, stream)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("status %d: %s", status, strings.TrimSpace(body))
	}
	text := body
	if stream {
		if !strings.Contains(body, "event: message_stop") {
			return fmt.Errorf("stream ended without message_stop: %s", body)
		}
		text = streamedText(body)
	}
	if !strings.Contains(text, replyText) {
		return fmt.Errorf("the answer lacks the provider's reply: %s", body)
	}
	return nil
}

// messageEventually is message, retried for up to limit while the answer
// is not a 200: how long a change made on one instance may take to reach
// the other.
func (g *gateway) messageEventually(credential string, stream bool, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		err := g.message(credential, stream)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// streamsLive sends a streamed message the provider holds after its first
// text until that text has reached the client: through a load balancer
// that buffers, the text never comes, and after limit the check fails.
func (g *gateway) streamsLive(mock *anthropicMock, limit time.Duration) error {
	resp, err := g.post(accessKey, holdPrompt, true)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("held stream: status %d", resp.StatusCode)
	}
	first := strings.SplitAfter(replyText, " ")[0]
	seen := make(chan error, 1)
	go func() {
		var got strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			got.Write(buf[:n])
			if strings.Contains(streamedText(got.String()), first) {
				close(mock.release)
				_, err = io.Copy(io.Discard, resp.Body)
				seen <- err
				return
			}
			if err != nil {
				seen <- fmt.Errorf("held stream ended before its first text: %v: %s", err, got.String())
				return
			}
		}
	}()
	select {
	case err := <-seen:
		return err
	case <-time.After(limit):
		return fmt.Errorf("the first text of a stream did not reach the client within %s while the provider waited: the gateway holds streams back", limit)
	}
}

// messageStatus sends one message and returns only its status.
func (g *gateway) messageStatus(credential string) (int, error) {
	status, _, err := g.send(credential, false)
	return status, err
}

// streamedText joins the text deltas of an Anthropic event stream.
func streamedText(body string) string {
	var b strings.Builder
	for _, line := range strings.Split(body, "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		var ev struct {
			Delta struct {
				Text string `json:"text"`
			} `json:"delta"`
		}
		if json.Unmarshal([]byte(data), &ev) == nil {
			b.WriteString(ev.Delta.Text)
		}
	}
	return b.String()
}

// logRow is what the check reads of a request-log row.
type logRow struct {
	Status   int    `json:"status"`
	Instance string `json:"instance"`
	KeyName  string `json:"key_name"`
}

// logRows waits until the shared request log, read through nginx, holds
// at least want rows of served requests (instances write in batches).
func (g *gateway) logRows(want int, limit time.Duration) ([]logRow, error) {
	deadline := time.Now().Add(limit)
	for {
		var page struct {
			Logs []logRow `json:"logs"`
		}
		if err := g.admin(http.MethodGet, "/api/logs?limit=200", nil, &page); err != nil {
			return nil, err
		}
		var ok []logRow
		for _, r := range page.Logs {
			if r.Status == http.StatusOK {
				ok = append(ok, r)
			}
		}
		if len(ok) >= want {
			return ok, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the request log read through nginx has %d served rows after %s, want %d", len(ok), limit, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
