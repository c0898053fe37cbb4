package protocol

import "encoding/json"

// The internal model: one neutral shape that every wire format decodes into
// and encodes from, so n formats need n decoders and n encoders rather than
// n² converters. It follows Anthropic's Messages API, the richest of the
// three (ordered content blocks, thinking with signatures, tool results with
// is_error), and carries what the others add.

// Role is who speaks a message. System prompts live in Request.System.
type Role string

// The two conversational roles.
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// BlockType names a content block.
type BlockType string

// Content block types.
const (
	BlockText             BlockType = "text"
	BlockImage            BlockType = "image"
	BlockDocument         BlockType = "document"
	BlockToolUse          BlockType = "tool_use"
	BlockToolResult       BlockType = "tool_result"
	BlockThinking         BlockType = "thinking"
	BlockRedactedThinking BlockType = "redacted_thinking"
)

// Block is one piece of a message. Which fields are set depends on Type.
type Block struct {
	Type BlockType

	// Text for text blocks; also the text of a tool result given as a string.
	Text string

	// Image and document sources: either inline base64 Data with its
	// MediaType, or a URL.
	MediaType string
	Data      string
	URL       string

	// ToolUse: the call's ID, tool Name and Input (a JSON object).
	// Thinking from an OpenAI Responses upstream: the reasoning item's id,
	// which its Encrypted content is bound to and goes back with.
	ID    string
	Name  string
	Input json.RawMessage

	// ToolResult: the call it answers, what the tool returned, and whether
	// that is an error.
	ToolUseID string
	Content   []Block
	IsError   bool

	// Thinking: the reasoning text and its signature (only ever one the
	// upstream sent). RedactedThinking keeps its opaque Data.
	Thinking  string
	Signature string

	// CacheControl is Anthropic's prompt-caching marker, kept verbatim for
	// Anthropic targets and dropped elsewhere.
	CacheControl json.RawMessage

	// Encrypted is the encrypted_content of an OpenAI Responses reasoning
	// item (on a thinking block): the model's reasoning, opaque, which
	// the next turn hands back so the model keeps its train of thought
	// without a server-side store. It goes back only to Responses
	// upstreams, never as a signature to Anthropic or Gemini.
	Encrypted string
}

// Message is one turn.
type Message struct {
	Role    Role
	Content []Block
	// Reasoning is DeepSeek-style reasoning_content that some providers
	// require back on later assistant turns.
	Reasoning string
}

// Tool is a function the model may call. Type is set for Anthropic server
// tools ("web_search_20250305", …), which only Anthropic targets run.
type Tool struct {
	Name        string
	Description string
	Schema      json.RawMessage
	Type        string
	// Raw keeps a server tool's whole definition for Anthropic targets.
	Raw json.RawMessage
	// CacheControl as on blocks.
	CacheControl json.RawMessage

	// Freeform marks an OpenAI Responses custom tool, which takes free
	// text instead of JSON (Codex's apply_patch). Schema is then the
	// one-field object {"input": string} that targets with only JSON
	// function tools get, and a call's Input is that object: FreeformInput
	// wraps the text and FreeformText unwraps it again for Responses
	// clients. Format keeps the tool's grammar ({"type":"grammar",…}) for
	// Responses targets.
	Freeform bool
	Format   json.RawMessage
	// ResponsesRaw keeps a built-in Responses tool's whole definition
	// (web_search, local_shell, file_search, …) for Responses targets;
	// other formats drop such a tool or map it (web search).
	ResponsesRaw json.RawMessage
}

// ToolChoiceMode says how the model must use tools.
type ToolChoiceMode string

// Tool choice modes, in Anthropic's words.
const (
	ToolAuto ToolChoiceMode = "auto"
	ToolAny  ToolChoiceMode = "any"
	ToolNone ToolChoiceMode = "none"
	ToolName ToolChoiceMode = "tool"
)

// ToolChoice is the request's tool_choice.
type ToolChoice struct {
	Mode ToolChoiceMode
	Name string // for ToolName
	// DisableParallel is Anthropic's disable_parallel_tool_use.
	DisableParallel bool
}

// Thinking asks for extended reasoning.
type Thinking struct {
	Enabled      bool
	BudgetTokens int
	// Effort is OpenAI's reasoning_effort (low, medium, high) when the
	// client spoke it.
	Effort string
	// Adaptive is Anthropic's thinking type "adaptive" (the model decides
	// how much to think; newer Claude models accept only this), with Effort
	// then taken from output_config.effort. Enabled is true as well.
	Adaptive bool
	// Summary is the Responses API's reasoning.summary (auto, concise,
	// detailed): whether and how the model's reasoning is shown.
	Summary string
}

// Request is a chat request in neutral form.
type Request struct {
	Model    string
	System   []Block // text blocks
	Messages []Message
	Tools    []Tool

	ToolChoice *ToolChoice
	MaxTokens  int
	// Temperature, TopP and TopK are nil when the client did not set them.
	Temperature *float64
	TopP        *float64
	TopK        *int
	Stop        []string
	Stream      bool
	Thinking    *Thinking
	// UserID is metadata.user_id (Anthropic) or user (OpenAI), kept for
	// session affinity.
	UserID string
	// Output asks for structured output (JSON, optionally matching a
	// schema); nil means free text.
	Output *OutputFormat

	// The fields below come from the OpenAI Responses API. They pass
	// through the neutral model so a Responses upstream gets them back;
	// the other formats have no place for them and leave them out.

	// PromptCacheKey is prompt_cache_key, which groups requests that share
	// a prefix for OpenAI's prompt cache (Codex sends its conversation id).
	PromptCacheKey string
	// Metadata is the client's metadata object of string pairs.
	Metadata json.RawMessage
	// Store is the client's store flag; nil when not sent.
	Store *bool
	// Include lists extra output the client asked for, such as
	// "reasoning.encrypted_content".
	Include []string
	// PreviousResponseID continues a conversation kept by the upstream.
	// Routex keeps no response store, so only a Responses upstream can
	// take it.
	PreviousResponseID string
	// Verbosity is text.verbosity (low, medium, high).
	Verbosity string
}

// OutputType says what shape of answer the client asked for.
type OutputType string

// Output types, in OpenAI's words: any JSON object, or JSON matching Schema.
const (
	OutputJSONObject OutputType = "json_object"
	OutputJSONSchema OutputType = "json_schema"
)

// OutputFormat is a structured-output request: OpenAI's response_format and
// the Responses API's text.format, Gemini's responseMimeType with
// responseSchema or responseJsonSchema, Anthropic's output_format. Carried
// through conversion so a client that asked for JSON gets JSON, whatever
// format the channel speaks.
type OutputFormat struct {
	Type OutputType
	// Name and Description label the schema (OpenAI requires a name).
	Name        string
	Description string
	// Schema is a JSON Schema object, for OutputJSONSchema.
	Schema json.RawMessage
	// Strict asks the provider to enforce the schema exactly.
	Strict bool
}

// StopReason says why generation ended, in Anthropic's words.
type StopReason string

// Stop reasons.
const (
	StopEndTurn   StopReason = "end_turn"
	StopMaxTokens StopReason = "max_tokens"
	StopSequence  StopReason = "stop_sequence"
	StopToolUse   StopReason = "tool_use"
	StopRefusal   StopReason = "refusal"
	StopPause     StopReason = "pause_turn"
)

// Usage counts tokens. InputTokens excludes cache reads and writes, as in
// Anthropic's API; formats that fold them in convert on the way.
type Usage struct {
	InputTokens      int
	OutputTokens     int
	CacheReadTokens  int
	CacheWriteTokens int
	// ReasoningTokens is the part of OutputTokens spent thinking, when known.
	ReasoningTokens int
	// Estimated is true when Routex counted the tokens itself because the
	// upstream reported none.
	Estimated bool
}

// Response is a complete, non-streamed reply.
type Response struct {
	ID           string
	Model        string
	Content      []Block
	StopReason   StopReason
	StopSequence string
	Usage        Usage
}

// EventType names a stream event of the neutral model.
type EventType string

// Stream events, shaped like Anthropic's so that converting to and from it
// loses nothing.
const (
	EventStart      EventType = "message_start"
	EventBlockStart EventType = "content_block_start"
	EventDelta      EventType = "content_block_delta"
	EventBlockStop  EventType = "content_block_stop"
	EventStop       EventType = "message_delta" // stop reason and final usage
	EventEnd        EventType = "message_stop"
	EventPing       EventType = "ping"
	EventError      EventType = "error"
)

// DeltaType names what a content delta adds.
type DeltaType string

// Delta types.
const (
	DeltaText      DeltaType = "text_delta"
	DeltaJSON      DeltaType = "input_json_delta"
	DeltaThinking  DeltaType = "thinking_delta"
	DeltaSignature DeltaType = "signature_delta"
	// DeltaEncrypted carries the open thinking block's Block.Encrypted
	// (a Responses reasoning item's encrypted_content); formats that have
	// no place for it write nothing.
	DeltaEncrypted DeltaType = "encrypted_delta"
)

// Event is one neutral stream event.
type Event struct {
	Type EventType

	// EventStart: the message's ID, model and usage known so far.
	ID    string
	Model string

	// Block events: the block's index (0, 1, 2, … in order of opening) and,
	// on EventBlockStart, the block with its ID and Name for tool_use.
	Index int
	Block *Block

	// EventDelta.
	Delta      DeltaType
	Text       string // text, thinking, signature or partial JSON
	StopReason StopReason
	// StopSequence is the stop sequence that ended generation (EventStop),
	// when the upstream says which one.
	StopSequence string

	// EventStart and EventStop.
	Usage *Usage

	// EventError.
	ErrorKind    ErrorKind
	ErrorMessage string
}
