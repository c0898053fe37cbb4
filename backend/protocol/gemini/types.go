package gemini

import "encoding/json"

// The wire types of the Gemini generateContent API (Google AI Studio,
// v1beta), in the camelCase spelling the API and its SDKs send. They are
// used for what Routex writes and for upstream replies; client requests are
// read with gjson instead so that the snake_case spelling the REST examples
// use (system_instruction, inline_data, …) is accepted too.

// GenerateContentRequest is the body of generateContent and
// streamGenerateContent. The model and the stream flag live in the URL.
type GenerateContentRequest struct {
	Contents          []Content         `json:"contents"`
	SystemInstruction *Content          `json:"systemInstruction,omitempty"`
	Tools             []Tool            `json:"tools,omitempty"`
	ToolConfig        *ToolConfig       `json:"toolConfig,omitempty"`
	GenerationConfig  *GenerationConfig `json:"generationConfig,omitempty"`
}

// Content is one turn: role "user" or "model" and its ordered parts.
type Content struct {
	Role  string `json:"role,omitempty"`
	Parts []Part `json:"parts"`
}

// Part is one piece of a turn. Exactly one of Text, InlineData, FileData,
// FunctionCall or FunctionResponse is meant to be set; Thought marks text as
// the model's reasoning, and ThoughtSignature carries the opaque reasoning
// state Gemini wants back on the part it came with.
type Part struct {
	Text             string            `json:"text,omitempty"`
	Thought          bool              `json:"thought,omitempty"`
	ThoughtSignature string            `json:"thoughtSignature,omitempty"`
	InlineData       *Blob             `json:"inlineData,omitempty"`
	FileData         *FileData         `json:"fileData,omitempty"`
	FunctionCall     *FunctionCall     `json:"functionCall,omitempty"`
	FunctionResponse *FunctionResponse `json:"functionResponse,omitempty"`
}

// Blob is inline media: base64 data and its MIME type.
type Blob struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

// FileData points at media by URI (a Files API URI or a public URL).
type FileData struct {
	MimeType string `json:"mimeType,omitempty"`
	FileURI  string `json:"fileUri"`
}

// FunctionCall is the model asking for a tool. Args is a JSON object. ID is
// optional on the wire (Gemini 2.x leaves it out).
type FunctionCall struct {
	ID   string          `json:"id,omitempty"`
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
}

// FunctionResponse answers a FunctionCall. Response must be a JSON object;
// Parts carries media returned by the tool (Gemini 3 multimodal function
// responses).
type FunctionResponse struct {
	ID       string                 `json:"id,omitempty"`
	Name     string                 `json:"name"`
	Response json.RawMessage        `json:"response"`
	Parts    []FunctionResponsePart `json:"parts,omitempty"`
}

// FunctionResponsePart is media nested inside a FunctionResponse.
type FunctionResponsePart struct {
	InlineData *Blob     `json:"inlineData,omitempty"`
	FileData   *FileData `json:"fileData,omitempty"`
}

// Tool is one entry of the tools list: function declarations or a
// built-in tool such as Google Search.
type Tool struct {
	FunctionDeclarations []FunctionDeclaration `json:"functionDeclarations,omitempty"`
	GoogleSearch         *struct{}             `json:"googleSearch,omitempty"`
}

// FunctionDeclaration describes a function. Parameters is an OpenAPI-subset
// schema (see CleanSchema); it is left out for functions without arguments.
type FunctionDeclaration struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

// ToolConfig holds the function calling mode.
type ToolConfig struct {
	FunctionCallingConfig *FunctionCallingConfig `json:"functionCallingConfig,omitempty"`
}

// FunctionCallingConfig is AUTO, ANY or NONE, optionally restricted to some
// functions.
type FunctionCallingConfig struct {
	Mode                 string   `json:"mode,omitempty"`
	AllowedFunctionNames []string `json:"allowedFunctionNames,omitempty"`
}

// GenerationConfig holds the sampling and length settings. Pointers are nil
// when the client did not set a value, so Gemini's defaults apply.
type GenerationConfig struct {
	MaxOutputTokens int             `json:"maxOutputTokens,omitempty"`
	Temperature     *float64        `json:"temperature,omitempty"`
	TopP            *float64        `json:"topP,omitempty"`
	TopK            *int            `json:"topK,omitempty"`
	StopSequences   []string        `json:"stopSequences,omitempty"`
	ThinkingConfig  *ThinkingConfig `json:"thinkingConfig,omitempty"`
	// ResponseMimeType "application/json" asks for JSON, shaped by
	// ResponseJSONSchema (JSON Schema, Gemini 2.5 and later) or
	// ResponseSchema (the OpenAPI subset every model takes).
	ResponseMimeType   string          `json:"responseMimeType,omitempty"`
	ResponseSchema     json.RawMessage `json:"responseSchema,omitempty"`
	ResponseJSONSchema json.RawMessage `json:"responseJsonSchema,omitempty"`
}

// ThinkingConfig asks for reasoning. A ThinkingBudget of -1 lets the model
// decide; 0 turns thinking off where the model allows it.
type ThinkingConfig struct {
	ThinkingBudget  *int `json:"thinkingBudget,omitempty"`
	IncludeThoughts bool `json:"includeThoughts,omitempty"`
}

// GenerateContentResponse is a whole reply, or one chunk of a stream.
type GenerateContentResponse struct {
	Candidates     []Candidate     `json:"candidates,omitempty"`
	PromptFeedback *PromptFeedback `json:"promptFeedback,omitempty"`
	UsageMetadata  *UsageMetadata  `json:"usageMetadata,omitempty"`
	ModelVersion   string          `json:"modelVersion,omitempty"`
	ResponseID     string          `json:"responseId,omitempty"`
	// Error is set on the error chunks Gemini sends inside a stream.
	Error *ErrorDetail `json:"error,omitempty"`
}

// Candidate is one generated reply; Routex asks for and reads only one.
type Candidate struct {
	Content      *Content `json:"content,omitempty"`
	FinishReason string   `json:"finishReason,omitempty"`
	Index        int      `json:"index"`
}

// PromptFeedback says why a prompt was blocked before any candidate.
type PromptFeedback struct {
	BlockReason string `json:"blockReason,omitempty"`
}

// UsageMetadata counts tokens. PromptTokenCount includes the cached part;
// thoughts are counted apart from candidates.
type UsageMetadata struct {
	PromptTokenCount        int `json:"promptTokenCount"`
	CandidatesTokenCount    int `json:"candidatesTokenCount"`
	ThoughtsTokenCount      int `json:"thoughtsTokenCount,omitempty"`
	CachedContentTokenCount int `json:"cachedContentTokenCount,omitempty"`
	TotalTokenCount         int `json:"totalTokenCount"`
}

// ErrorDetail is the google.rpc.Status envelope Gemini uses for errors.
type ErrorDetail struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status,omitempty"`
}
