// Package openai is the codec of the OpenAI Chat Completions API, the
// format also spoken by DeepSeek, Kimi, Qwen, Zhipu, OpenRouter, Groq,
// Ollama and vLLM. It converts that format to and from Routex's neutral
// model (package protocol). Pure code: no I/O, safe for concurrent use
// except for the stream halves, which hold one stream's state each.
package openai

import (
	"bytes"
	"encoding/json"
	"errors"
)

// ChatRequest is a Chat Completions request body. Pointers tell "not sent"
// from zero; fields only the legacy API knows (functions, function_call)
// are decoded and never encoded.
type ChatRequest struct {
	Model               string          `json:"model"`
	Messages            []ChatMessage   `json:"messages"`
	Tools               []ChatTool      `json:"tools,omitempty"`
	Functions           []FunctionDef   `json:"functions,omitempty"`
	ToolChoice          json.RawMessage `json:"tool_choice,omitempty"`
	FunctionCall        json.RawMessage `json:"function_call,omitempty"`
	ParallelToolCalls   *bool           `json:"parallel_tool_calls,omitempty"`
	MaxTokens           *int            `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int            `json:"max_completion_tokens,omitempty"`
	Temperature         *float64        `json:"temperature,omitempty"`
	TopP                *float64        `json:"top_p,omitempty"`
	TopK                *int            `json:"top_k,omitempty"` // vLLM, Ollama; decoded only
	Stop                json.RawMessage `json:"stop,omitempty"`
	Stream              bool            `json:"stream,omitempty"`
	StreamOptions       *StreamOptions  `json:"stream_options,omitempty"`
	ReasoningEffort     string          `json:"reasoning_effort,omitempty"`
	ResponseFormat      *ResponseFormat `json:"response_format,omitempty"`
	User                string          `json:"user,omitempty"`
	SafetyIdentifier    string          `json:"safety_identifier,omitempty"`
	N                   *int            `json:"n,omitempty"`
}

// ResponseFormat asks for structured output: "text", "json_object" (any
// JSON object) or "json_schema" (JSON matching JSONSchema).
type ResponseFormat struct {
	Type       string            `json:"type"`
	JSONSchema *JSONSchemaFormat `json:"json_schema,omitempty"`
}

// JSONSchemaFormat is the schema of a json_schema response format. Name is
// required by OpenAI: letters, digits, _ and -, at most 64.
type JSONSchemaFormat struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// StreamOptions asks a streaming upstream for the final usage chunk.
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// ChatMessage is one entry of messages, for every role. Content is nil for
// an assistant turn that only calls tools, which encodes as null.
type ChatMessage struct {
	Role             string        `json:"role"`
	Content          *Content      `json:"content"`
	Name             string        `json:"name,omitempty"`
	ReasoningContent *string       `json:"reasoning_content,omitempty"`
	Refusal          string        `json:"refusal,omitempty"` // in replies, instead of content
	ToolCalls        []ToolCall    `json:"tool_calls,omitempty"`
	ToolCallID       string        `json:"tool_call_id,omitempty"`
	FunctionCall     *FunctionCall `json:"function_call,omitempty"` // legacy, decoded only
}

// Content is a message's content, which the API accepts either as a plain
// string or as a list of typed parts. Parts non-nil means the list form.
type Content struct {
	Text  string
	Parts []ContentPart
}

// TextContent is content in the plain string form.
func TextContent(s string) *Content { return &Content{Text: s} }

// MarshalJSON writes the list form when there are parts, else the string.
func (c Content) MarshalJSON() ([]byte, error) {
	if c.Parts != nil {
		return json.Marshal(c.Parts)
	}
	return json.Marshal(c.Text)
}

// UnmarshalJSON accepts a string, a list of parts or null.
func (c *Content) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*c = Content{}
		return nil
	case b[0] == '"':
		return json.Unmarshal(b, &c.Text)
	case b[0] == '[':
		c.Parts = []ContentPart{}
		return json.Unmarshal(b, &c.Parts)
	}
	return errors.New("content must be a string or an array of content parts")
}

// String joins the text of every text (or refusal) part, or returns the
// string form.
func (c *Content) String() string {
	if c == nil {
		return ""
	}
	if c.Parts == nil {
		return c.Text
	}
	var b []byte
	for _, p := range c.Parts {
		if p.Type == "text" || p.Type == "refusal" || p.Type == "input_text" || p.Type == "output_text" {
			b = append(b, p.Text...)
			b = append(b, p.Refusal...)
		}
	}
	return string(b)
}

// ContentPart is one typed part of a message's content.
type ContentPart struct {
	Type     string    `json:"type"`
	Text     string    `json:"text,omitempty"`
	Refusal  string    `json:"refusal,omitempty"`
	ImageURL *ImageURL `json:"image_url,omitempty"`
	File     *FilePart `json:"file,omitempty"`
}

// ImageURL points at an image: an https URL or a data: URL with base64.
type ImageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail,omitempty"`
}

// UnmarshalJSON also accepts the bare string some clients send.
func (u *ImageURL) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		*u = ImageURL{}
		return json.Unmarshal(b, &u.URL)
	}
	type plain ImageURL // no UnmarshalJSON, no recursion
	return json.Unmarshal(b, (*plain)(u))
}

// FilePart is an inline file (a PDF) or an uploaded file's ID.
type FilePart struct {
	Filename string `json:"filename,omitempty"`
	FileData string `json:"file_data,omitempty"`
	FileID   string `json:"file_id,omitempty"`
}

// ToolCall is a call the assistant made. In stream deltas Index says which
// call a piece belongs to and only the first piece has ID, Type and Name.
type ToolCall struct {
	Index    *int         `json:"index,omitempty"`
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function FunctionCall `json:"function"`
}

// FunctionCall is the function half of a tool call. Arguments is a JSON
// text inside a string, always present on the wire (empty in the first
// stream delta).
type FunctionCall struct {
	Name      string    `json:"name,omitempty"`
	Arguments Arguments `json:"arguments"`
}

// Arguments is a call's arguments as the JSON text the model wrote. Some
// OpenAI-compatible servers send an object instead of a string; it is kept
// as its text.
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

// ChatTool is an entry of tools.
type ChatTool struct {
	Type     string      `json:"type"`
	Function FunctionDef `json:"function"`
}

// FunctionDef describes a function the model may call.
type FunctionDef struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// ChatCompletion is a non-streamed reply, and (with Object
// "chat.completion.chunk" and Delta set) a stream chunk. Error is set
// instead when an upstream reports a failure inside a 200 stream.
type ChatCompletion struct {
	ID      string    `json:"id"`
	Object  string    `json:"object"`
	Created int64     `json:"created"`
	Model   string    `json:"model"`
	Choices []Choice  `json:"choices"`
	Usage   *Usage    `json:"usage,omitempty"`
	Error   *APIError `json:"error,omitempty"`
}

// Choice is one alternative of a reply; Routex serves and reads only the
// first.
type Choice struct {
	Index        int          `json:"index"`
	Message      *ChatMessage `json:"message,omitempty"`
	Delta        *Delta       `json:"delta,omitempty"`
	FinishReason *string      `json:"finish_reason"`
}

// Delta is what one stream chunk adds. Reasoning is the name OpenRouter and
// newer vLLM use for reasoning_content.
type Delta struct {
	Role             string     `json:"role,omitempty"`
	Content          *Content   `json:"content,omitempty"`
	ReasoningContent *string    `json:"reasoning_content,omitempty"`
	Reasoning        *string    `json:"reasoning,omitempty"`
	ToolCalls        []ToolCall `json:"tool_calls,omitempty"`
}

// Usage counts tokens. PromptTokens includes cached tokens. DeepSeek
// reports its cache as prompt_cache_hit_tokens and prompt_cache_miss_tokens,
// Moonshot as a top-level cached_tokens.
type Usage struct {
	PromptTokens            int                      `json:"prompt_tokens"`
	CompletionTokens        int                      `json:"completion_tokens"`
	TotalTokens             int                      `json:"total_tokens"`
	PromptTokensDetails     *PromptTokensDetails     `json:"prompt_tokens_details,omitempty"`
	CompletionTokensDetails *CompletionTokensDetails `json:"completion_tokens_details,omitempty"`
	PromptCacheHitTokens    int                      `json:"prompt_cache_hit_tokens,omitempty"`
	PromptCacheMissTokens   int                      `json:"prompt_cache_miss_tokens,omitempty"`
	CachedTokens            int                      `json:"cached_tokens,omitempty"`
}

// PromptTokensDetails breaks prompt_tokens down.
type PromptTokensDetails struct {
	CachedTokens int `json:"cached_tokens"`
}

// CompletionTokensDetails breaks completion_tokens down.
type CompletionTokensDetails struct {
	ReasoningTokens int `json:"reasoning_tokens"`
}

// APIError is the body of OpenAI's error envelope {"error":{…}}. Code is a
// string at OpenAI, a number at some compatible servers.
type APIError struct {
	Message string          `json:"message"`
	Type    string          `json:"type,omitempty"`
	Code    json.RawMessage `json:"code,omitempty"`
}
