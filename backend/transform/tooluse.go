package transform

import (
	"encoding/json"
	"slices"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// exitToolName is the tool tooluse adds so that a model forced to call a
// tool can still end its turn. The name is unlikely to clash with a
// client's tool, which would be taken for it on the way down.
const exitToolName = "routex_exit"

// exitTool is offered alongside the client's tools.
var exitToolSchema = json.RawMessage(`{"type":"object","properties":{"response":{"type":"string","description":"Your complete answer to the user, in the form you would otherwise have written it as text."}},"required":["response"]}`)

const exitToolDescription = "Call this tool when no other tool is needed and you are ready to answer the user: put your whole answer in `response`. Do not call it together with other tools."

// toolUse forces tool use (tool_choice "any") when tools are present and
// the client left the choice to the model: some models served over
// OpenAI-compatible APIs answer in prose ("I would now edit the file…")
// instead of calling the tool. A model that must call a tool can then
// never end its turn, so the step also offers an exit tool whose call is
// turned back into the text answer (and stop reason end_turn) on the way
// down. A tool_choice of none or a named tool is left alone.
//
// Anthropic refuses forced tool use together with extended thinking; the
// step is meant for models that need it, which are not Anthropic's.
type toolUse struct{}

func (toolUse) name() string { return "tooluse" }

func (toolUse) request(req *protocol.Request) {
	if len(req.Tools) == 0 || (req.ToolChoice != nil && req.ToolChoice.Mode != protocol.ToolAuto && req.ToolChoice.Mode != "") {
		return
	}
	choice := protocol.ToolChoice{Mode: protocol.ToolAny}
	if req.ToolChoice != nil {
		choice.DisableParallel = req.ToolChoice.DisableParallel
	}
	req.ToolChoice = &choice
	if !slices.ContainsFunc(req.Tools, func(t protocol.Tool) bool { return t.Name == exitToolName }) {
		// Clip: never append into the client's backing array.
		req.Tools = append(slices.Clip(req.Tools), protocol.Tool{
			Name: exitToolName, Description: exitToolDescription, Schema: exitToolSchema,
		})
	}
}

func (toolUse) response(resp *protocol.Response) {
	exited, others := false, false
	for i := range resp.Content {
		b := &resp.Content[i]
		if b.Type != protocol.BlockToolUse {
			continue
		}
		if b.Name != exitToolName {
			others = true
			continue
		}
		*b = protocol.Block{Type: protocol.BlockText, Text: exitAnswer(b.Input)}
		exited = true
	}
	if exited && !others && resp.StopReason == protocol.StopToolUse {
		resp.StopReason = protocol.StopEndTurn
	}
}

// exitAnswer reads the answer out of the exit tool's arguments, repairing
// them first if need be.
func exitAnswer(args []byte) string {
	if !validObject(args) {
		args, _ = protocol.RepairJSON(string(args))
	}
	return gjson.GetBytes(args, "response").String()
}

func (toolUse) newStreamer() streamer { return &exitStream{} }

// exitStream turns the exit tool's block into a text block at the same
// index. It holds the call's arguments until the block stops, so the
// answer arrives in one piece rather than streamed: it can be read only
// from complete JSON (a partial JSON string may end inside an escape).
type exitStream struct {
	holding bool
	index   int
	held    []byte
	exited  bool
	others  bool
}

func (s *exitStream) push(ev protocol.Event, out []protocol.Event) []protocol.Event {
	switch ev.Type {
	case protocol.EventBlockStart:
		if ev.Block != nil && ev.Block.Type == protocol.BlockToolUse {
			if ev.Block.Name != exitToolName {
				s.others = true
				break
			}
			s.holding, s.index, s.held = true, ev.Index, append(s.held[:0], ev.Block.Input...)
			return out
		}
	case protocol.EventDelta:
		if s.holding && ev.Index == s.index {
			s.held = append(s.held, ev.Text...)
			return out
		}
	case protocol.EventBlockStop:
		if s.holding && ev.Index == s.index {
			s.holding, s.exited = false, true
			out = append(out, blockStart(s.index, protocol.BlockText))
			if answer := exitAnswer(s.held); answer != "" {
				out = append(out, protocol.Event{Type: protocol.EventDelta, Index: s.index, Delta: protocol.DeltaText, Text: answer})
			}
		}
	case protocol.EventStop:
		if s.exited && !s.others && ev.StopReason == protocol.StopToolUse {
			ev.StopReason = protocol.StopEndTurn
		}
	}
	return append(out, ev)
}
