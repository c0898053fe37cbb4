package responses

import (
	"encoding/json"
	"fmt"

	"github.com/routex-app/routex/backend/protocol"
)

// wireItem is what ValidateWire tracks of one output item.
type wireItem struct {
	typ, id, callID  string
	parts, summaries int
	text, args       string // accumulated from deltas
	done             bool
}

// ValidateWire checks a Responses event stream written for a client
// against the rules the official SDKs enforce when they rebuild a response
// from it (openai-node's response accumulator, Codex's stream reader):
// numbered events from 0, response.created first, each output item added
// at the next index with a non-empty id (and call_id for calls), every
// item event naming its item's id and matching its type, parts and
// summaries added in order, deltas adding up to their done events, and a
// final response.completed, .incomplete or .failed whose output is the
// items streamed, with usage. Tests use it on encoder output; it is pure.
func ValidateWire(events []protocol.SSEEvent) error {
	if len(events) == 0 {
		return fmt.Errorf("empty stream")
	}
	var items []*wireItem
	ids := map[string]bool{}
	respID, final := "", ""
	for i, ev := range events {
		var e struct {
			Type         string          `json:"type"`
			Seq          *int            `json:"sequence_number"`
			OutputIndex  *int            `json:"output_index"`
			ContentIndex *int            `json:"content_index"`
			SummaryIndex *int            `json:"summary_index"`
			ItemID       string          `json:"item_id"`
			Item         *Item           `json:"item"`
			Response     json.RawMessage `json:"response"`
			Delta        *string         `json:"delta"`
			Text         *string         `json:"text"`
			Arguments    *string         `json:"arguments"`
			Input        *string         `json:"input"`
			Message      string          `json:"message"`
		}
		if err := json.Unmarshal(ev.Data, &e); err != nil {
			return fmt.Errorf("event %d: not JSON: %v: %s", i, err, ev.Data)
		}
		at := fmt.Sprintf("event %d (%s)", i, e.Type)
		if ev.Event != "" && ev.Event != e.Type {
			return fmt.Errorf("%s: SSE event name %q differs from its type", at, ev.Event)
		}
		if e.Seq == nil || *e.Seq != i {
			return fmt.Errorf("%s: sequence_number %v, want %d", at, e.Seq, i)
		}
		if final != "" && !(final == "response.failed" && e.Type == "error") {
			return fmt.Errorf("%s: after the final %s", at, final)
		}
		if i == 0 && e.Type != "response.created" {
			return fmt.Errorf("%s: the first event must be response.created", at)
		}
		var it *wireItem
		if e.OutputIndex != nil && e.Type != "response.output_item.added" {
			if *e.OutputIndex < 0 || *e.OutputIndex >= len(items) {
				return fmt.Errorf("%s: no output item at index %d", at, *e.OutputIndex)
			}
			it = items[*e.OutputIndex]
			if e.Type != "response.output_item.done" && e.ItemID != it.id {
				return fmt.Errorf("%s: item_id %q, but output %d is %q", at, e.ItemID, *e.OutputIndex, it.id)
			}
		}
		want := map[string]string{
			"response.content_part.added": "message", "response.content_part.done": "message",
			"response.output_text.delta": "message", "response.output_text.done": "message",
			"response.reasoning_summary_part.added": "reasoning", "response.reasoning_summary_part.done": "reasoning",
			"response.reasoning_summary_text.delta": "reasoning", "response.reasoning_summary_text.done": "reasoning",
			"response.function_call_arguments.delta": "function_call", "response.function_call_arguments.done": "function_call",
			"response.custom_tool_call_input.delta": "custom_tool_call", "response.custom_tool_call_input.done": "custom_tool_call",
		}[e.Type]
		if want != "" {
			if it == nil {
				return fmt.Errorf("%s: no output_index", at)
			}
			if it.typ != want {
				return fmt.Errorf("%s: for a %s item", at, it.typ)
			}
			if it.done {
				return fmt.Errorf("%s: item %s is already done", at, it.id)
			}
		}
		switch e.Type {
		case "response.created":
			var r Response
			if json.Unmarshal(e.Response, &r) != nil || r.ID == "" {
				return fmt.Errorf("%s: no response id", at)
			}
			respID = r.ID
		case "response.in_progress":
		case "response.output_item.added":
			if e.Item == nil || e.OutputIndex == nil || *e.OutputIndex != len(items) {
				return fmt.Errorf("%s: output_index %v, want %d, with an item", at, e.OutputIndex, len(items))
			}
			n := &wireItem{typ: e.Item.Type, id: e.Item.ID, callID: e.Item.CallID}
			if n.id == "" || ids[n.id] {
				return fmt.Errorf("%s: item id %q empty or used twice", at, n.id)
			}
			if (n.typ == "function_call" || n.typ == "custom_tool_call") && n.callID == "" {
				return fmt.Errorf("%s: a %s without call_id", at, n.typ)
			}
			ids[n.id] = true
			items = append(items, n)
		case "response.output_item.done":
			if e.Item == nil || e.Item.Type != it.typ || e.Item.ID != it.id || e.Item.CallID != it.callID {
				return fmt.Errorf("%s: done item does not match the added one", at)
			}
			if err := itemAgrees(it, e.Item); err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
			it.done = true
		case "response.content_part.added":
			if e.ContentIndex == nil || *e.ContentIndex != it.parts {
				return fmt.Errorf("%s: content_index %v, want %d", at, e.ContentIndex, it.parts)
			}
			it.parts++
		case "response.reasoning_summary_part.added":
			if e.SummaryIndex == nil || *e.SummaryIndex != it.summaries {
				return fmt.Errorf("%s: summary_index %v, want %d", at, e.SummaryIndex, it.summaries)
			}
			it.summaries++
		case "response.content_part.done", "response.output_text.delta", "response.output_text.done":
			if e.ContentIndex == nil || *e.ContentIndex >= it.parts {
				return fmt.Errorf("%s: content_index %v with %d parts", at, e.ContentIndex, it.parts)
			}
		case "response.reasoning_summary_part.done", "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done":
			if e.SummaryIndex == nil || *e.SummaryIndex >= it.summaries {
				return fmt.Errorf("%s: summary_index %v with %d summaries", at, e.SummaryIndex, it.summaries)
			}
		case "response.completed", "response.incomplete", "response.failed":
			final = e.Type
			if err := finalAgrees(e.Type, e.Response, respID, items); err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
		case "error":
			if e.Message == "" {
				return fmt.Errorf("%s: no message", at)
			}
			final = "response.failed"
		case "response.function_call_arguments.delta", "response.function_call_arguments.done",
			"response.custom_tool_call_input.delta", "response.custom_tool_call_input.done":
		default:
			return fmt.Errorf("%s: an event type Routex does not write", at)
		}
		if err := accumulate(it, e.Type, e.Delta, e.Text, e.Arguments, e.Input); err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
	}
	if final == "" {
		return fmt.Errorf("the stream has no final response.completed, .incomplete or .failed")
	}
	return nil
}

// accumulate adds a delta to its item, and checks a done event against
// the deltas.
func accumulate(it *wireItem, typ string, delta, text, args, input *string) error {
	switch typ {
	case "response.output_text.delta", "response.reasoning_summary_text.delta":
		if delta == nil {
			return fmt.Errorf("no delta")
		}
		it.text += *delta
	case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta":
		if delta == nil {
			return fmt.Errorf("no delta")
		}
		it.args += *delta
	case "response.output_text.done", "response.reasoning_summary_text.done":
		if text == nil || *text != it.text {
			return fmt.Errorf("done text %v differs from the deltas %q", text, it.text)
		}
		it.text = ""
	case "response.function_call_arguments.done":
		if args == nil || *args != it.args && it.args != "" {
			return fmt.Errorf("done arguments %v differ from the deltas %q", args, it.args)
		}
		if !json.Valid([]byte(*args)) {
			return fmt.Errorf("arguments %q are not JSON", *args)
		}
	case "response.custom_tool_call_input.done":
		if input == nil || *input != it.args {
			return fmt.Errorf("done input %v differs from the deltas %q", input, it.args)
		}
	}
	return nil
}

// itemAgrees checks a done item holds what its deltas said.
func itemAgrees(it *wireItem, item *Item) error {
	switch it.typ {
	case "function_call":
		if !json.Valid([]byte(item.Arguments)) {
			return fmt.Errorf("function_call arguments %q are not JSON", item.Arguments)
		}
	case "custom_tool_call":
		if item.Input != it.args {
			return fmt.Errorf("custom_tool_call input %q differs from the deltas %q", item.Input, it.args)
		}
	}
	return nil
}

// finalAgrees checks the final response: same id, the streamed items in
// order (all done unless it failed), usage when it did not fail.
func finalAgrees(typ string, raw json.RawMessage, respID string, items []*wireItem) error {
	var r Response
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("response: %v", err)
	}
	if r.ID != respID {
		return fmt.Errorf("response id %q, created as %q", r.ID, respID)
	}
	want := map[string]string{"response.completed": "completed", "response.incomplete": "incomplete", "response.failed": "failed"}[typ]
	if r.Status != want {
		return fmt.Errorf("status %q, want %q", r.Status, want)
	}
	done := 0
	for _, it := range items {
		if it.done {
			done++
		} else if typ != "response.failed" {
			return fmt.Errorf("item %s never done", it.id)
		}
	}
	if len(r.Output) != done {
		return fmt.Errorf("response output has %d items, the stream finished %d", len(r.Output), done)
	}
	for i, o := range r.Output {
		if o.ID != items[i].id || o.Type != items[i].typ {
			return fmt.Errorf("response output %d is %s %q, streamed %s %q", i, o.Type, o.ID, items[i].typ, items[i].id)
		}
	}
	switch {
	case typ == "response.failed" && (r.Error == nil || r.Error.Message == "" || r.Error.Code == ""):
		return fmt.Errorf("failed without error code and message")
	case typ != "response.failed" && r.Usage == nil:
		return fmt.Errorf("no usage")
	case typ == "response.incomplete" && (r.IncompleteDetails == nil || r.IncompleteDetails.Reason == ""):
		return fmt.Errorf("incomplete without a reason")
	}
	return nil
}
