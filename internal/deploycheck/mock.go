//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// mockKey is the provider key of the check's channel: the mock refuses any
// other, as Anthropic does.
const mockKey = "sk-ant-deploycheck-0001"

// anthropicMock stands in for Anthropic's Messages API, as strictly as the
// check needs: the channel's key, the version header, a JSON body with a
// model, max_tokens and at least one message, else Anthropic's error shape
// and status. It answers with a short text, whole or streamed.
type anthropicMock struct {
	served atomic.Int64
	// release lets a held stream (one whose prompt is holdPrompt) go on
	// past its first text: the client closes it once it has read that
	// text, which shows the stream reached it live, not held back.
	release chan struct{}
}

// holdPrompt asks the mock to hold its stream after the first text.
const holdPrompt = "hold"

func (m *anthropicMock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/messages" {
		mockError(w, http.StatusNotFound, "not_found_error", "Not found: "+r.Method+" "+r.URL.Path)
		return
	}
	if r.Header.Get("x-api-key") != mockKey {
		mockError(w, http.StatusUnauthorized, "authentication_error", "invalid x-api-key")
		return
	}
	if r.Header.Get("anthropic-version") == "" {
		mockError(w, http.StatusBadRequest, "invalid_request_error", "anthropic-version: header is required")
		return
	}
	var req struct {
		Model     string `json:"model"`
		MaxTokens int    `json:"max_tokens"`
		Messages  []struct {
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		Stream bool `json:"stream"`
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&req); err != nil {
		mockError(w, http.StatusBadRequest, "invalid_request_error", "body is not JSON: "+err.Error())
		return
	}
	switch {
	case req.Model == "":
		mockError(w, http.StatusBadRequest, "invalid_request_error", "model: Field required")
		return
	case req.MaxTokens <= 0:
		mockError(w, http.StatusBadRequest, "invalid_request_error", "max_tokens: Field required")
		return
	case len(req.Messages) == 0:
		mockError(w, http.StatusBadRequest, "invalid_request_error", "messages: at least one message is required")
		return
	}
	m.served.Add(1)
	if req.Stream {
		var hold chan struct{}
		if string(req.Messages[0].Content) == `"`+holdPrompt+`"` {
			hold = m.release
		}
		streamReply(w, req.Model, hold)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"msg_deploycheck","type":"message","role":"assistant","model":%q,`+
		`"content":[{"type":"text","text":%q}],"stop_reason":"end_turn","stop_sequence":null,`+
		`"usage":{"input_tokens":12,"output_tokens":3}}`, req.Model, replyText)
}

// replyText is what the mock says; the check looks for it in every answer.
const replyText = "pong from the provider"

// streamReply sends the reply as Anthropic's event stream, flushing each
// event, so nginx's unbuffered proxying is what the client sees. With hold
// set, it waits after the first text until hold is closed (10 s at most).
func streamReply(w http.ResponseWriter, model string, hold chan struct{}) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flush := w.(http.Flusher).Flush
	events := []string{
		`event: message_start` + "\n" + fmt.Sprintf(`data: {"type":"message_start","message":{"id":"msg_deploycheck","type":"message","role":"assistant","model":%q,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}`, model),
		`event: content_block_start` + "\n" + `data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
	}
	for _, word := range strings.SplitAfter(replyText, " ") {
		events = append(events, `event: content_block_delta`+"\n"+fmt.Sprintf(`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":%q}}`, word))
	}
	events = append(events,
		`event: content_block_stop`+"\n"+`data: {"type":"content_block_stop","index":0}`,
		`event: message_delta`+"\n"+`data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}`,
		`event: message_stop`+"\n"+`data: {"type":"message_stop"}`)
	for i, ev := range events {
		fmt.Fprint(w, ev+"\n\n")
		flush()
		if i == 2 && hold != nil {
			select {
			case <-hold:
			case <-time.After(10 * time.Second):
			}
		}
	}
}

func mockError(w http.ResponseWriter, status int, kind, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	raw, _ := json.Marshal(map[string]any{"type": "error", "error": map[string]string{"type": kind, "message": msg}})
	w.Write(raw)
}
