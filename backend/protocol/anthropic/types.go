package anthropic

import "encoding/json"

// The wire shapes of the Messages API (POST /v1/messages). Fields whose
// JSON can take several shapes (system, content, tool_choice, thinking) are
// kept raw and decoded by hand so that errors can name the exact path.

// Request is the body of a Messages API request as a client sends it.
// It is exported so that tests of other packages can build bodies.
type Request struct {
	Model        string            `json:"model"`
	MaxTokens    *int              `json:"max_tokens,omitempty"`
	System       json.RawMessage   `json:"system,omitempty"`
	Messages     []Message         `json:"messages"`
	Tools        []json.RawMessage `json:"tools,omitempty"`
	ToolChoice   json.RawMessage   `json:"tool_choice,omitempty"`
	Thinking     json.RawMessage   `json:"thinking,omitempty"`
	OutputConfig *OutputConfig     `json:"output_config,omitempty"`
	// OutputFormat is the beta spelling of output_config.format
	// (anthropic-beta structured-outputs-2025-11-13), read from clients.
	OutputFormat  *OutputFormat `json:"output_format,omitempty"`
	Temperature   *float64      `json:"temperature,omitempty"`
	TopP          *float64      `json:"top_p,omitempty"`
	TopK          *int          `json:"top_k,omitempty"`
	StopSequences []string      `json:"stop_sequences,omitempty"`
	Stream        bool          `json:"stream,omitempty"`
	Metadata      *Metadata     `json:"metadata,omitempty"`
}

// Message is one turn on the wire. Content is a string or an array of
// content blocks.
type Message struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// ContentBlock is one content block of any type. Which fields are set
// depends on Type; pointer fields are the ones that must be present (even
// empty) for their type.
type ContentBlock struct {
	Type      string          `json:"type"`
	Text      *string         `json:"text,omitempty"`
	Source    *Source         `json:"source,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	ToolUseID string          `json:"tool_use_id,omitempty"`
	// Content of a tool_result: a string or an array of blocks.
	Content      json.RawMessage `json:"content,omitempty"`
	IsError      bool            `json:"is_error,omitempty"`
	Thinking     *string         `json:"thinking,omitempty"`
	Signature    *string         `json:"signature,omitempty"`
	Data         string          `json:"data,omitempty"`
	CacheControl json.RawMessage `json:"cache_control,omitempty"`
}

// Source is where an image or document comes from: inline base64 data or
// a URL.
type Source struct {
	Type      string `json:"type"`
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

// CustomTool is a client-defined tool. Server tools ("web_search_20250305",
// …) are passed through whole instead.
type CustomTool struct {
	Type         string          `json:"type,omitempty"`
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	InputSchema  json.RawMessage `json:"input_schema"`
	CacheControl json.RawMessage `json:"cache_control,omitempty"`
}

// ToolChoice says how the model must use tools.
type ToolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use,omitempty"`
}

// ThinkingConfig turns extended thinking on ("enabled" with a budget, or
// "adaptive") or off ("disabled").
type ThinkingConfig struct {
	Type         string `json:"type"`
	BudgetTokens int    `json:"budget_tokens,omitempty"`
}

// OutputConfig carries the effort level Claude Code's effort setting sends
// alongside adaptive thinking, and the format of a structured answer.
type OutputConfig struct {
	Effort string        `json:"effort,omitempty"`
	Format *OutputFormat `json:"format,omitempty"`
}

// OutputFormat asks for an answer that is JSON matching Schema (type
// "json_schema", the only one).
type OutputFormat struct {
	Type   string          `json:"type"`
	Schema json.RawMessage `json:"schema,omitempty"`
}

// Metadata carries the end-user ID used for abuse detection; Routex also
// uses it for session affinity.
type Metadata struct {
	UserID string `json:"user_id,omitempty"`
}

// Response is a non-streamed Messages API reply.
type Response struct {
	ID           string         `json:"id"`
	Type         string         `json:"type"`
	Role         string         `json:"role"`
	Model        string         `json:"model"`
	Content      []ContentBlock `json:"content"`
	StopReason   *string        `json:"stop_reason"`
	StopSequence *string        `json:"stop_sequence"`
	Usage        Usage          `json:"usage"`
}

// Usage counts tokens. InputTokens excludes cache reads and writes.
type Usage struct {
	InputTokens              int `json:"input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	OutputTokens             int `json:"output_tokens"`
}

// ErrorEnvelope is the body of an error reply and the data of an error
// stream event.
type ErrorEnvelope struct {
	Type  string      `json:"type"`
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names the error kind and says what went wrong.
type ErrorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}
