package responses

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/protocol"
)

// DecodeResponse parses a non-streamed Responses reply. Output items come
// out in their order: reasoning, text, tool calls, as the model produced
// them (rule 10). Records of the upstream's own tools (web search, …) have
// no neutral form and are left out.
func (Codec) DecodeResponse(body []byte) (*protocol.Response, error) {
	var in Response
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("invalid upstream response: %w", err)
	}
	if in.Status == "failed" || (in.Error != nil && in.Error.Message != "") {
		msg := "the response failed"
		if in.Error != nil && in.Error.Message != "" {
			msg = in.Error.Message
		}
		return nil, fmt.Errorf("upstream error: %s", msg)
	}
	if in.Object != "" && in.Object != "response" {
		return nil, fmt.Errorf("upstream reply is a %q, not a response", in.Object)
	}
	usage, _ := ReadUsage(body)
	resp := &protocol.Response{ID: in.ID, Model: in.Model, Usage: usage}
	calls := false
	for i := range in.Output {
		b, ok := outputBlock(&in.Output[i], in.ID, i)
		if !ok {
			continue
		}
		calls = calls || b.Type == protocol.BlockToolUse
		resp.Content = append(resp.Content, b)
	}
	reason := ""
	if in.IncompleteDetails != nil {
		reason = in.IncompleteDetails.Reason
	}
	resp.StopReason = stopReason(in.Status, reason, calls)
	return resp, nil
}

// outputBlock converts one output item to a block; ok is false for items
// with no neutral form or nothing in them.
func outputBlock(it *Item, respID string, n int) (protocol.Block, bool) {
	switch it.Type {
	case "message":
		var parts []Part
		if json.Unmarshal(it.Content, &parts) != nil {
			return protocol.Block{}, false
		}
		var text strings.Builder
		for _, p := range parts {
			text.WriteString(p.Text)
			text.WriteString(p.Refusal)
		}
		return protocol.Block{Type: protocol.BlockText, Text: text.String()}, text.Len() > 0
	case "reasoning":
		return reasoningBlock(it)
	case "function_call":
		id := it.CallID
		if id == "" {
			id = callID(respID, n)
		}
		input, _ := protocol.RepairJSON(string(it.Arguments))
		return protocol.Block{Type: protocol.BlockToolUse, ID: id, Name: it.Name, Input: input}, true
	case "custom_tool_call":
		id := it.CallID
		if id == "" {
			id = callID(respID, n)
		}
		return protocol.Block{Type: protocol.BlockToolUse, ID: id, Name: it.Name, Input: protocol.FreeformInput(it.Input)}, true
	}
	return protocol.Block{}, false
}

// outResponse is a response object written for a client. Fields a client
// may read but Routex does not track are written with their defaults, so
// SDKs that expect them find them.
type outResponse struct {
	ID                 string             `json:"id"`
	Object             string             `json:"object"`
	CreatedAt          int64              `json:"created_at"`
	Status             string             `json:"status"`
	Error              *ResponseError     `json:"error"`
	IncompleteDetails  *IncompleteDetails `json:"incomplete_details"`
	Instructions       *string            `json:"instructions"`
	MaxOutputTokens    *int               `json:"max_output_tokens"`
	Model              string             `json:"model"`
	Output             []json.RawMessage  `json:"output"`
	ParallelToolCalls  bool               `json:"parallel_tool_calls"`
	PreviousResponseID *string            `json:"previous_response_id"`
	Store              bool               `json:"store"`
	Temperature        *float64           `json:"temperature"`
	Text               json.RawMessage    `json:"text"`
	ToolChoice         string             `json:"tool_choice"`
	Tools              []json.RawMessage  `json:"tools"`
	TopP               *float64           `json:"top_p"`
	Truncation         string             `json:"truncation"`
	Usage              *Usage             `json:"usage"`
	User               *string            `json:"user"`
	Metadata           json.RawMessage    `json:"metadata"`
}

func newOutResponse(id, model string, created int64) outResponse {
	return outResponse{ID: id, Object: "response", CreatedAt: created, Status: "in_progress", Model: model,
		Output: []json.RawMessage{}, ParallelToolCalls: true, Text: json.RawMessage(`{"format":{"type":"text"}}`),
		ToolChoice: "auto", Tools: []json.RawMessage{}, Truncation: "disabled", Metadata: json.RawMessage(`{}`)}
}

// finish sets the final status, its details and usage.
func (r *outResponse) finish(stop protocol.StopReason, u protocol.Usage) {
	status, reason := stopStatus(stop)
	r.Status = status
	if reason != "" {
		r.IncompleteDetails = &IncompleteDetails{Reason: reason}
	}
	usage := encodeUsage(u)
	r.Usage = &usage
}

// Output items written for a client.
type (
	outText struct {
		Type        string            `json:"type"`
		Text        string            `json:"text"`
		Annotations []json.RawMessage `json:"annotations"`
		Logprobs    []json.RawMessage `json:"logprobs"`
	}
	outMessage struct {
		ID      string    `json:"id"`
		Type    string    `json:"type"`
		Status  string    `json:"status"`
		Role    string    `json:"role"`
		Content []outText `json:"content"`
	}
	outReasoning struct {
		ID               string        `json:"id"`
		Type             string        `json:"type"`
		Summary          []SummaryPart `json:"summary"`
		EncryptedContent string        `json:"encrypted_content,omitempty"`
	}
	outFunctionCall struct {
		ID        string `json:"id"`
		Type      string `json:"type"`
		Status    string `json:"status"`
		Arguments string `json:"arguments"`
		CallID    string `json:"call_id"`
		Name      string `json:"name"`
	}
	outCustomCall struct {
		ID     string `json:"id"`
		Type   string `json:"type"`
		Status string `json:"status"`
		CallID string `json:"call_id"`
		Name   string `json:"name"`
		Input  string `json:"input"`
	}
)

func textPart(text string) outText {
	return outText{Type: "output_text", Text: text, Annotations: []json.RawMessage{}, Logprobs: []json.RawMessage{}}
}

func messageItem(id, status, text string, done bool) outMessage {
	m := outMessage{ID: id, Type: "message", Status: status, Role: "assistant", Content: []outText{}}
	if done {
		m.Content = append(m.Content, textPart(text))
	}
	return m
}

func reasoningItem(id, summary, encrypted string) outReasoning {
	r := outReasoning{ID: id, Type: "reasoning", Summary: []SummaryPart{}, EncryptedContent: encrypted}
	if summary != "" {
		r.Summary = append(r.Summary, SummaryPart{Type: "summary_text", Text: summary})
	}
	return r
}

// encryptedFor is what a thinking block gives a Responses client as
// encrypted_content: OpenAI's own, or a signature marked as Routex's so it
// only ever goes back to the format it came from.
func encryptedFor(b *protocol.Block) string {
	switch {
	case b.Type == protocol.BlockRedactedThinking && b.Data != "":
		return redactedMarker + b.Data
	case b.Encrypted != "":
		return b.Encrypted
	case b.Signature != "":
		return signatureMarker + b.Signature
	}
	return ""
}

// EncodeResponse builds a non-streamed reply for a Responses client, for
// the model the client asked for (opts.Model).
func (Codec) EncodeResponse(resp *protocol.Response, opts protocol.EncodeOptions) ([]byte, error) {
	if resp == nil {
		return nil, errors.New("encode responses reply: no response")
	}
	model := opts.Model
	if model == "" {
		model = resp.Model
	}
	id := responseID(resp.ID)
	out := newOutResponse(id, model, time.Now().Unix())
	calls := false
	for i := range resp.Content {
		b := &resp.Content[i]
		n := len(out.Output)
		var item any
		switch b.Type {
		case protocol.BlockText:
			if b.Text == "" {
				continue
			}
			item = messageItem(itemID("msg_", id, n), "completed", b.Text, true)
		case protocol.BlockThinking, protocol.BlockRedactedThinking:
			enc := encryptedFor(b)
			if b.Thinking == "" && enc == "" {
				continue
			}
			item = reasoningItem(reasoningID(b, id, n), b.Thinking, enc)
		case protocol.BlockToolUse:
			calls = true
			item = callItem(b, id, n, opts, true)
		default:
			continue
		}
		raw, err := protocol.Marshal(item)
		if err != nil {
			return nil, fmt.Errorf("encode responses reply: %w", err)
		}
		out.Output = append(out.Output, raw)
	}
	stop := resp.StopReason
	if calls && stop != protocol.StopMaxTokens {
		stop = protocol.StopToolUse
	}
	out.finish(stop, resp.Usage)
	return protocol.Marshal(out)
}

// reasoningID is the id of the reasoning item a thinking block becomes:
// the upstream's own when it gave one (a Responses upstream binds the
// item's encrypted content to it, and the client hands both back), else
// one derived from where the item stands.
func reasoningID(b *protocol.Block, respID string, n int) string {
	if b.ID != "" && b.Type == protocol.BlockThinking {
		return b.ID
	}
	return itemID("rs_", respID, n)
}

// callItem writes a tool_use block as a function_call item, or as a
// custom_tool_call with its text unwrapped when the client declared the
// tool as a custom one. A call from a Gemini upstream carries its thought
// signature in its call_id (protocol.JoinToolID), which the client hands
// back with the call and its output.
func callItem(b *protocol.Block, respID string, n int, opts protocol.EncodeOptions, done bool) any {
	call := b.ID
	if call == "" {
		call = callID(respID, n)
	}
	call = protocol.JoinToolID(call, b.Signature)
	status := "in_progress"
	if done {
		status = "completed"
	}
	if opts.IsFreeform(b.Name) {
		input := ""
		if done {
			input = protocol.FreeformText(b.Input)
		}
		return outCustomCall{ID: itemID("ctc_", respID, n), Type: "custom_tool_call", Status: status, CallID: call, Name: b.Name, Input: input}
	}
	args := ""
	if done {
		args = string(b.Input)
		if args == "" || args == "null" {
			args = "{}"
		}
	}
	return outFunctionCall{ID: itemID("fc_", respID, n), Type: "function_call", Status: status, Arguments: args, CallID: call, Name: b.Name}
}
