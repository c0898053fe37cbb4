// Package responses is the codec of the OpenAI Responses API
// (POST /v1/responses), the format Codex speaks and through which OpenAI
// serves its newest models. It converts that format to and from Routex's
// neutral model (package protocol). Pure code: no I/O, safe for concurrent
// use except for the stream halves, which hold one stream's state each.
//
// What the neutral model cannot say directly travels in fields it keeps for
// this format (protocol.Block.Encrypted, protocol.Tool.Freeform, …): free-text
// tools become JSON tools with one string field for other formats, and an
// Anthropic or Gemini signature rides to a Responses client inside a
// reasoning item's encrypted_content, marked so that it only ever goes back
// to where it came from.
package responses

import (
	"bytes"
	"encoding/json"
)

// Request is a Responses API request body. Fields that take several shapes
// (input, instructions, tool_choice, tools) stay raw and are read by hand so
// errors can name the exact path.
type Request struct {
	Model              string            `json:"model"`
	Instructions       json.RawMessage   `json:"instructions,omitempty"`
	Input              json.RawMessage   `json:"input,omitempty"`
	Tools              []json.RawMessage `json:"tools,omitempty"`
	ToolChoice         json.RawMessage   `json:"tool_choice,omitempty"`
	ParallelToolCalls  *bool             `json:"parallel_tool_calls,omitempty"`
	Reasoning          *Reasoning        `json:"reasoning,omitempty"`
	Text               *TextConfig       `json:"text,omitempty"`
	MaxOutputTokens    *int              `json:"max_output_tokens,omitempty"`
	Temperature        *float64          `json:"temperature,omitempty"`
	TopP               *float64          `json:"top_p,omitempty"`
	Store              *bool             `json:"store,omitempty"`
	Stream             bool              `json:"stream,omitempty"`
	Include            []string          `json:"include,omitempty"`
	PromptCacheKey     string            `json:"prompt_cache_key,omitempty"`
	Metadata           json.RawMessage   `json:"metadata,omitempty"`
	PreviousResponseID string            `json:"previous_response_id,omitempty"`
	User               string            `json:"user,omitempty"`
	SafetyIdentifier   string            `json:"safety_identifier,omitempty"`

	// Server-side state that a converted request cannot use; decoded only
	// to refuse it clearly.
	Conversation json.RawMessage `json:"conversation,omitempty"`
	Prompt       json.RawMessage `json:"prompt,omitempty"`
	Background   bool            `json:"background,omitempty"`
}

// Reasoning is the request's reasoning options.
type Reasoning struct {
	Effort  string `json:"effort,omitempty"`
	Summary string `json:"summary,omitempty"`
}

// TextConfig is the request's text options: structured output and
// verbosity.
type TextConfig struct {
	Format    *TextFormat `json:"format,omitempty"`
	Verbosity string      `json:"verbosity,omitempty"`
}

// TextFormat is text.format: "text", "json_object", or "json_schema" with
// the schema inline (not nested as in Chat Completions).
type TextFormat struct {
	Type        string          `json:"type"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// Item is one entry of input, or of a response's output, of any type.
// Which fields are set depends on Type; an item without a type but with a
// role is a message (the "easy" input form).
type Item struct {
	Type   string `json:"type,omitempty"`
	ID     string `json:"id,omitempty"`
	Status string `json:"status,omitempty"`

	// message: Content is a string or a list of parts. reasoning: Content
	// is a list of reasoning_text parts.
	Role    string          `json:"role,omitempty"`
	Content json.RawMessage `json:"content,omitempty"`

	// function_call, custom_tool_call, local_shell_call and their outputs.
	CallID    string    `json:"call_id,omitempty"`
	Name      string    `json:"name,omitempty"`
	Arguments Arguments `json:"arguments,omitempty"`
	Input     string    `json:"input,omitempty"`
	// Output is a string or a list of input parts.
	Output json.RawMessage `json:"output,omitempty"`
	Action json.RawMessage `json:"action,omitempty"`

	// reasoning.
	Summary          []SummaryPart `json:"summary,omitempty"`
	EncryptedContent *string       `json:"encrypted_content,omitempty"`
}

// SummaryPart is one part of a reasoning item's summary (summary_text), or
// of its content (reasoning_text).
type SummaryPart struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// Part is one part of a message's content: input_text, input_image,
// input_file (user side), output_text, refusal (assistant side).
type Part struct {
	Type     string `json:"type"`
	Text     string `json:"text,omitempty"`
	Refusal  string `json:"refusal,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
	FileID   string `json:"file_id,omitempty"`
	FileData string `json:"file_data,omitempty"`
	FileURL  string `json:"file_url,omitempty"`
	Filename string `json:"filename,omitempty"`
	Detail   string `json:"detail,omitempty"`
}

// Arguments is a function call's arguments as the JSON text the model
// wrote. Some compatible servers send an object instead of a string; it is
// kept as its text.
type Arguments string

// UnmarshalJSON accepts a string, an object or null.
func (a *Arguments) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*a = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = Arguments(s)
	default:
		*a = Arguments(b)
	}
	return nil
}

// ToolDef is an entry of tools, of any type.
type ToolDef struct {
	Type        string          `json:"type"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
	Format      json.RawMessage `json:"format,omitempty"`
}

// Response is a response object as an upstream sends it (the body of a
// non-streamed reply, and the response of the lifecycle stream events).
type Response struct {
	ID                string             `json:"id"`
	Object            string             `json:"object"`
	Status            string             `json:"status"`
	Model             string             `json:"model"`
	Output            []Item             `json:"output"`
	Usage             *Usage             `json:"usage"`
	Error             *ResponseError     `json:"error"`
	IncompleteDetails *IncompleteDetails `json:"incomplete_details"`
}

// Usage counts a response's tokens. InputTokens includes the cached ones
// and OutputTokens the reasoning ones.
type Usage struct {
	InputTokens         int           `json:"input_tokens"`
	InputTokensDetails  *InputDetails `json:"input_tokens_details,omitempty"`
	OutputTokens        int           `json:"output_tokens"`
	OutputTokensDetails *OutputDetail `json:"output_tokens_details,omitempty"`
	TotalTokens         int           `json:"total_tokens"`
}

// InputDetails breaks input_tokens down.
type InputDetails struct {
	CachedTokens int `json:"cached_tokens"`
}

// OutputDetail breaks output_tokens down.
type OutputDetail struct {
	ReasoningTokens int `json:"reasoning_tokens"`
}

// ResponseError is a failed response's error.
type ResponseError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// IncompleteDetails says why a response stopped early.
type IncompleteDetails struct {
	Reason string `json:"reason"`
}

// StreamEvent is one event of a Responses stream, of any type. Delta is a
// string for every event Routex reads (kept raw: a few hosted-tool events
// carry objects).
type StreamEvent struct {
	Type         string          `json:"type"`
	Response     *Response       `json:"response,omitempty"`
	Item         *Item           `json:"item,omitempty"`
	OutputIndex  *int            `json:"output_index,omitempty"`
	ItemID       string          `json:"item_id,omitempty"`
	SummaryIndex int             `json:"summary_index,omitempty"`
	Delta        json.RawMessage `json:"delta,omitempty"`
	Text         string          `json:"text,omitempty"`
	Arguments    string          `json:"arguments,omitempty"`
	Input        string          `json:"input,omitempty"`
	// The error event: flat (code, message) as published, or nested in
	// error as OpenAI sends it now.
	Code    json.RawMessage `json:"code,omitempty"`
	Message string          `json:"message,omitempty"`
	Error   *struct {
		Type    string          `json:"type"`
		Code    json.RawMessage `json:"code"`
		Message string          `json:"message"`
	} `json:"error,omitempty"`
}
