package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/routex-app/routex/backend/protocol"
)

// stopReason maps a Gemini finishReason (docs/CONVERSION.md, rule 11). Tool calls override it
// to tool_use, whatever Gemini said; the callers apply that.
func stopReason(finish string) protocol.StopReason {
	switch finish {
	case "MAX_TOKENS":
		return protocol.StopMaxTokens
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY":
		return protocol.StopRefusal
	}
	return protocol.StopEndTurn
}

// finishReason is stopReason's inverse, for Gemini clients.
func finishReason(r protocol.StopReason) string {
	switch r {
	case protocol.StopMaxTokens:
		return "MAX_TOKENS"
	case protocol.StopRefusal:
		return "SAFETY"
	}
	return "STOP"
}

// usageMetadata is ReadUsage's inverse: the prompt count includes the
// cache, the candidate count excludes thoughts.
func usageMetadata(u protocol.Usage) *UsageMetadata {
	prompt := u.InputTokens + u.CacheReadTokens + u.CacheWriteTokens
	thoughts := min(u.ReasoningTokens, u.OutputTokens)
	cand := u.OutputTokens - thoughts
	return &UsageMetadata{
		PromptTokenCount:        prompt,
		CandidatesTokenCount:    cand,
		ThoughtsTokenCount:      thoughts,
		CachedContentTokenCount: u.CacheReadTokens,
		TotalTokenCount:         prompt + cand + thoughts,
	}
}

// decodeResponse reads a whole Gemini reply. The JSON array a
// streamGenerateContent call without alt=sse returns is accepted too, its
// chunks merged in order.
func decodeResponse(body []byte) (*protocol.Response, error) {
	trimmed := bytes.TrimSpace(body)
	var chunks []GenerateContentResponse
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &chunks); err != nil {
			return nil, fmt.Errorf("gemini response is not valid JSON: %w", err)
		}
	} else {
		var one GenerateContentResponse
		if err := json.Unmarshal(trimmed, &one); err != nil {
			return nil, fmt.Errorf("gemini response is not valid JSON: %w", err)
		}
		chunks = []GenerateContentResponse{one}
	}
	resp := &protocol.Response{Content: []protocol.Block{}}
	resp.Usage, _ = ReadUsage(trimmed) // the last chunk's: usage is cumulative
	var finish, blocked string
	calls := 0
	for _, c := range chunks {
		if c.Error != nil {
			kind := protocol.KindForStatus(c.Error.Code)
			if c.Error.Code == 0 {
				kind = protocol.APIError
			}
			return nil, &protocol.UpstreamError{Kind: kind, Message: c.Error.Message}
		}
		if c.ResponseID != "" {
			resp.ID = c.ResponseID
		}
		if c.ModelVersion != "" {
			resp.Model = c.ModelVersion
		}
		if c.PromptFeedback != nil && c.PromptFeedback.BlockReason != "" {
			blocked = c.PromptFeedback.BlockReason
		}
		if len(c.Candidates) == 0 {
			continue
		}
		cand := c.Candidates[0]
		if cand.FinishReason != "" {
			finish = cand.FinishReason
		}
		if cand.Content == nil {
			continue
		}
		for _, p := range cand.Content.Parts {
			resp.Content = appendResponsePart(resp.Content, p, resp.ID, &calls)
		}
	}
	switch {
	case calls > 0:
		resp.StopReason = protocol.StopToolUse
	case finish == "" && blocked != "":
		resp.StopReason = protocol.StopRefusal
	default:
		resp.StopReason = stopReason(finish)
	}
	return resp, nil
}

// appendResponsePart adds one part in the order the model produced it
// (docs/CONVERSION.md, rule 10), merging adjacent text (and adjacent thought) parts.
func appendResponsePart(blocks []protocol.Block, p Part, responseID string, calls *int) []protocol.Block {
	last := len(blocks) - 1
	switch {
	case p.FunctionCall != nil:
		id := p.FunctionCall.ID
		if id == "" {
			id = callID(responseID, *calls)
		}
		*calls++
		return append(blocks, protocol.Block{
			Type: protocol.BlockToolUse, ID: id, Name: p.FunctionCall.Name,
			Input: objectOrEmpty(p.FunctionCall.Args), Signature: p.ThoughtSignature,
		})
	case p.Thought:
		if last >= 0 && blocks[last].Type == protocol.BlockThinking && blocks[last].Signature == "" {
			blocks[last].Thinking += p.Text
			blocks[last].Signature = p.ThoughtSignature
			return blocks
		}
		return append(blocks, protocol.Block{Type: protocol.BlockThinking, Thinking: p.Text, Signature: p.ThoughtSignature})
	case p.Text != "" || p.ThoughtSignature != "":
		if last >= 0 && blocks[last].Type == protocol.BlockText && blocks[last].Signature == "" {
			blocks[last].Text += p.Text
			blocks[last].Signature = p.ThoughtSignature
			return blocks
		}
		return append(blocks, protocol.Block{Type: protocol.BlockText, Text: p.Text, Signature: p.ThoughtSignature})
	}
	return blocks // inline images and other parts a neutral reply has no place for
}

// encodeResponse writes a whole reply for a Gemini client.
func encodeResponse(resp *protocol.Response, model string) ([]byte, error) {
	if resp == nil {
		return nil, fmt.Errorf("no response to encode")
	}
	parts := make([]Part, 0, len(resp.Content))
	for _, b := range resp.Content {
		if p, ok := responsePart(b); ok {
			parts = append(parts, p)
		}
	}
	if model == "" {
		model = resp.Model
	}
	out := GenerateContentResponse{
		Candidates: []Candidate{{
			Content:      &Content{Role: "model", Parts: parts},
			FinishReason: finishReason(resp.StopReason),
		}},
		UsageMetadata: usageMetadata(resp.Usage),
		ModelVersion:  model,
		ResponseID:    resp.ID,
	}
	return protocol.Marshal(out)
}

// responsePart writes one block of a reply as a Gemini part.
func responsePart(b protocol.Block) (Part, bool) {
	switch b.Type {
	case protocol.BlockText:
		return Part{Text: b.Text, ThoughtSignature: b.Signature}, b.Text != "" || b.Signature != ""
	case protocol.BlockThinking:
		return Part{Text: b.Thinking, Thought: true, ThoughtSignature: b.Signature}, b.Thinking != "" || b.Signature != ""
	case protocol.BlockToolUse:
		return Part{
			FunctionCall:     &FunctionCall{ID: b.ID, Name: b.Name, Args: objectOrEmpty(b.Input)},
			ThoughtSignature: b.Signature,
		}, true
	case protocol.BlockImage:
		if b.Data != "" {
			return Part{InlineData: &Blob{MimeType: b.MediaType, Data: b.Data}}, true
		}
	}
	return Part{}, false
}
