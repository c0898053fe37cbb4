package upstream

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Gemini's proto JSON accepts both camelCase and snake_case field names.
var geminiFields = set("contents", "tools", "toolConfig", "tool_config", "safetySettings", "safety_settings",
	"systemInstruction", "system_instruction", "generationConfig", "generation_config", "cachedContent",
	"cached_content", "model")

var geminiCountFields = set("contents", "generateContentRequest", "generate_content_request", "model")

var geminiGenConfigFields = set("stopSequences", "stop_sequences", "responseMimeType", "response_mime_type",
	"responseSchema", "response_schema", "responseJsonSchema", "response_json_schema", "_responseJsonSchema",
	"responseModalities", "response_modalities", "candidateCount", "candidate_count", "maxOutputTokens",
	"max_output_tokens", "temperature", "topP", "top_p", "topK", "top_k", "seed", "presencePenalty",
	"presence_penalty", "frequencyPenalty", "frequency_penalty", "responseLogprobs", "response_logprobs",
	"logprobs", "enableEnhancedCivicAnswers", "enable_enhanced_civic_answers", "speechConfig", "speech_config",
	"thinkingConfig", "thinking_config", "mediaResolution", "media_resolution", "imageConfig", "image_config")

var geminiThinkingFields = set("includeThoughts", "include_thoughts", "thinkingBudget", "thinking_budget", "thinkingLevel", "thinking_level")

var geminiPartFields = set("text", "inlineData", "inline_data", "fileData", "file_data", "functionCall",
	"function_call", "functionResponse", "function_response", "executableCode", "executable_code",
	"codeExecutionResult", "code_execution_result", "thought", "thoughtSignature", "thought_signature",
	"videoMetadata", "video_metadata", "mediaResolution", "media_resolution", "partMetadata", "part_metadata")

var geminiToolFields = set("functionDeclarations", "function_declarations", "googleSearch", "google_search",
	"googleSearchRetrieval", "google_search_retrieval", "codeExecution", "code_execution", "urlContext",
	"url_context", "computerUse", "computer_use", "fileSearch", "file_search", "googleMaps", "google_maps",
	"mcpServers", "mcp_servers")

var geminiDeclFields = set("name", "description", "parameters", "parametersJsonSchema", "parameters_json_schema",
	"response", "responseJsonSchema", "response_json_schema", "behavior")

var geminiFuncName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$`)

func geminiError(code int, status, msg string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}}
}

// get reads a proto JSON field by its camelCase or snake_case name.
func get(m map[string]any, camel string) any {
	if v, ok := m[camel]; ok {
		return v
	}
	var snake strings.Builder
	for _, r := range camel {
		if r >= 'A' && r <= 'Z' {
			snake.WriteByte('_')
			r += 'a' - 'A'
		}
		snake.WriteRune(r)
	}
	return m[snake.String()]
}

func serveGemini(x *exchange, action string) {
	bad := func(msg string) { x.refuse(http.StatusBadRequest, geminiError(400, "INVALID_ARGUMENT", msg), msg) }
	model, method, ok := strings.Cut(action, ":")
	if !ok || (method != "generateContent" && method != "streamGenerateContent" && method != "countTokens") {
		x.refuse(http.StatusNotFound, geminiError(404, "NOT_FOUND", "Method not found."), "unknown Gemini method "+action)
		return
	}
	x.rec.Model = model
	key := x.r.Header.Get("x-goog-api-key")
	if key == "" {
		key = x.r.URL.Query().Get("key")
	}
	switch {
	case key == "":
		x.refuse(http.StatusForbidden, geminiError(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."), "missing API key")
		return
	case key != APIKey:
		x.refuse(http.StatusBadRequest, geminiError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."), "wrong API key")
		return
	}
	if !x.decodeBody(bad) {
		return
	}
	if method == "streamGenerateContent" {
		x.rec.Stream = true
		if x.strict && x.r.URL.Query().Get("alt") != "sse" {
			// Without alt=sse Gemini streams a JSON array, which no
			// converter here expects; refuse so the difference shows.
			bad("scripted upstream: streamGenerateContent is served only with alt=sse")
			return
		}
	}
	if x.strict {
		if msg := geminiStrict(x, x.body, model, method == "countTokens"); msg != "" {
			bad(msg)
			return
		}
	}
	if method == "countTokens" {
		x.rec.Action = "count_tokens"
		writeJSON(x.w, map[string]any{"totalTokens": estimateTokens(x.raw)})
		return
	}
	t := geminiTurn(x.body)
	rep := decide(t)
	x.rec.Action, x.rec.Text = rep.Action, rep.Text
	gen, _ := get(x.body, "generationConfig").(map[string]any)
	tc, _ := get(gen, "thinkingConfig").(map[string]any)
	thoughts := get(tc, "includeThoughts") == true
	gemini3 := isGemini3(model)
	var parts []any
	if thoughts {
		parts = append(parts, map[string]any{"text": thinkingText, "thought": true})
	}
	if rep.ToolName != "" {
		p := map[string]any{"functionCall": map[string]any{"name": rep.ToolName, "args": rep.Args}}
		if gemini3 {
			p["thoughtSignature"] = sign("gemini-fc", rep.ToolName)
		}
		parts = append(parts, p)
	} else {
		parts = append(parts, map[string]any{"text": rep.Text})
	}
	usage := map[string]any{"promptTokenCount": estimateTokens(x.raw), "candidatesTokenCount": 12, "totalTokenCount": estimateTokens(x.raw) + 12}
	if !x.rec.Stream {
		writeJSON(x.w, map[string]any{"candidates": []any{map[string]any{"content": map[string]any{"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}},
			"usageMetadata": usage, "modelVersion": model, "responseId": "scripted"})
		return
	}
	sse := newSSE(x.w)
	for i, p := range parts {
		pm := p.(map[string]any)
		pieces := []map[string]any{pm}
		if text, ok := pm["text"].(string); ok && pm["thought"] == nil {
			pieces = nil
			for _, c := range chunks(text, 3) {
				pieces = append(pieces, map[string]any{"text": c})
			}
		}
		for j, piece := range pieces {
			chunk := map[string]any{"candidates": []any{map[string]any{"content": map[string]any{"role": "model", "parts": []any{piece}}, "index": 0}}, "modelVersion": model, "responseId": "scripted"}
			if i == len(parts)-1 && j == len(pieces)-1 {
				chunk["candidates"].([]any)[0].(map[string]any)["finishReason"] = "STOP"
				chunk["usageMetadata"] = usage
			}
			sse.event("", chunk)
		}
	}
}

func isGemini3(model string) bool {
	return strings.HasPrefix(strings.TrimPrefix(model, "models/"), "gemini-3")
}

// geminiStrict returns the message Gemini answers a request it refuses.
func geminiStrict(x *exchange, b map[string]any, model string, count bool) string {
	known := geminiFields
	if count {
		known = geminiCountFields
	}
	if extra := unknownKeys(b, known); len(extra) > 0 {
		return fmt.Sprintf("Invalid JSON payload received. Unknown name %q: Cannot find field.", extra[0])
	}
	if count {
		if inner, ok := get(b, "generateContentRequest").(map[string]any); ok {
			return geminiStrict(x, inner, model, false)
		}
	}
	if gen, ok := get(b, "generationConfig").(map[string]any); ok {
		if extra := unknownKeys(gen, geminiGenConfigFields); len(extra) > 0 {
			return fmt.Sprintf("Invalid JSON payload received. Unknown name %q at 'generation_config': Cannot find field.", extra[0])
		}
		if tc, ok := get(gen, "thinkingConfig").(map[string]any); ok {
			if extra := unknownKeys(tc, geminiThinkingFields); len(extra) > 0 {
				return fmt.Sprintf("Invalid JSON payload received. Unknown name %q at 'generation_config.thinking_config': Cannot find field.", extra[0])
			}
		}
		if s, ok := get(gen, "responseSchema").(map[string]any); ok {
			if err := checkGeminiSchema(s, "generation_config.response_schema"); err != nil {
				return err.Error()
			}
		}
		if s, ok := get(gen, "responseJsonSchema").(map[string]any); ok {
			if err := checkSchema(foldTypes(s), ""); err != nil {
				return "generation_config.response_json_schema: " + err.Error()
			}
		}
		mime, _ := get(gen, "responseMimeType").(string)
		if (get(gen, "responseSchema") != nil || get(gen, "responseJsonSchema") != nil) && mime != "application/json" && mime != "text/x.enum" {
			return "GenerateContentRequest.generation_config.response_mime_type: response_mime_type must be application/json when a response schema is set."
		}
	}
	if tools, ok := get(b, "tools").([]any); ok {
		for i, raw := range tools {
			t, _ := raw.(map[string]any)
			if extra := unknownKeys(t, geminiToolFields); len(extra) > 0 {
				return fmt.Sprintf("Invalid JSON payload received. Unknown name %q at 'tools[%d]': Cannot find field.", extra[0], i)
			}
			decls, _ := get(t, "functionDeclarations").([]any)
			for j, d := range decls {
				dm, _ := d.(map[string]any)
				at := fmt.Sprintf("tools[%d].function_declarations[%d]", i, j)
				if extra := unknownKeys(dm, geminiDeclFields); len(extra) > 0 {
					return fmt.Sprintf("Invalid JSON payload received. Unknown name %q at '%s': Cannot find field.", extra[0], at)
				}
				name, _ := dm["name"].(string)
				if !geminiFuncName.MatchString(name) {
					return fmt.Sprintf("* GenerateContentRequest.%s.name: Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 128.", at)
				}
				p, jp := get(dm, "parameters"), get(dm, "parametersJsonSchema")
				if p != nil && jp != nil {
					return fmt.Sprintf("* GenerateContentRequest.%s: only one of parameters and parameters_json_schema may be set", at)
				}
				if p != nil {
					if err := checkGeminiSchema(p, at+".parameters"); err != nil {
						return err.Error()
					}
				}
				if jp != nil {
					if err := checkSchema(foldTypes(jp), ""); err != nil {
						return at + ".parameters_json_schema: " + err.Error()
					}
				}
			}
		}
	}
	if si, ok := get(b, "systemInstruction").(map[string]any); ok {
		if msg := geminiParts(si, "system_instruction"); msg != "" {
			return msg
		}
	}
	contents, ok := get(b, "contents").([]any)
	if !ok || len(contents) == 0 {
		if count && ok {
			return ""
		}
		return "* GenerateContentRequest.contents: contents is not specified"
	}
	return geminiContents(x, contents, model)
}

func geminiParts(c map[string]any, at string) string {
	if extra := unknownKeys(c, set("role", "parts")); len(extra) > 0 {
		return fmt.Sprintf("Invalid JSON payload received. Unknown name %q at '%s': Cannot find field.", extra[0], at)
	}
	parts, _ := c["parts"].([]any)
	if len(parts) == 0 {
		return fmt.Sprintf("* GenerateContentRequest.%s.parts: contents.parts must not be empty.", at)
	}
	for k, raw := range parts {
		p, _ := raw.(map[string]any)
		if extra := unknownKeys(p, geminiPartFields); len(extra) > 0 {
			return fmt.Sprintf("Invalid JSON payload received. Unknown name %q at '%s.parts[%d]': Cannot find field.", extra[0], at, k)
		}
	}
	return ""
}

// geminiContents checks roles, parts, that function responses answer the
// previous turn's calls one for one, and, on Gemini 3, the thought
// signatures of the current turn's function calls.
func geminiContents(x *exchange, contents []any, model string) string {
	current := 0 // the current turn starts after the last user text
	prevCalls := 0
	for i, raw := range contents {
		c, _ := raw.(map[string]any)
		at := fmt.Sprintf("contents[%d]", i)
		if msg := geminiParts(c, at); msg != "" {
			return msg
		}
		role, _ := c["role"].(string)
		if role != "" && role != "user" && role != "model" && role != "function" {
			return fmt.Sprintf("* GenerateContentRequest.%s.role: Please use a valid role: user, model.", at)
		}
		parts, _ := c["parts"].([]any)
		calls, responses, text := 0, 0, false
		for _, rp := range parts {
			p, _ := rp.(map[string]any)
			if get(p, "functionCall") != nil {
				calls++
			}
			if get(p, "functionResponse") != nil {
				responses++
			}
			if _, ok := p["text"]; ok {
				text = true
			}
		}
		if responses > 0 && responses != prevCalls {
			return "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn."
		}
		if role != "model" && text && responses == 0 {
			current = i
		}
		prevCalls = calls
	}
	if !isGemini3(model) {
		return ""
	}
	for i := current; i < len(contents); i++ {
		c, _ := contents[i].(map[string]any)
		if c["role"] != "model" {
			continue
		}
		parts, _ := c["parts"].([]any)
		for k, rp := range parts {
			p, _ := rp.(map[string]any)
			fc, ok := get(p, "functionCall").(map[string]any)
			if !ok {
				continue
			}
			name, _ := fc["name"].(string)
			sig, _ := get(p, "thoughtSignature").(string)
			switch {
			case sig == "":
				return fmt.Sprintf("Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:%s` , position %d. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.", name, k+1)
			case skipSignatures[sig]:
				x.warn(fmt.Sprintf("contents[%d].parts[%d]: thought signature is the skip value %q (Gemini warns this degrades the model)", i, k, sig))
			case !signed("gemini-fc", name, sig):
				return "Corrupted thought signature."
			}
			break // only the first call of a step carries the signature
		}
	}
	return ""
}

// geminiTurn reads what the script needs from a generateContent request.
func geminiTurn(b map[string]any) turn {
	var t turn
	tools, _ := get(b, "tools").([]any)
	for _, raw := range tools {
		tm, _ := raw.(map[string]any)
		decls, _ := get(tm, "functionDeclarations").([]any)
		for _, d := range decls {
			dm, _ := d.(map[string]any)
			name, _ := dm["name"].(string)
			schema, _ := get(dm, "parametersJsonSchema").(map[string]any)
			if schema == nil {
				schema, _ = get(dm, "parameters").(map[string]any)
			}
			t.Tools = append(t.Tools, tool{Name: name, Schema: schema})
		}
	}
	if gen, ok := get(b, "generationConfig").(map[string]any); ok {
		if mime, _ := get(gen, "responseMimeType").(string); mime == "application/json" {
			t.Structured = true
			t.Schema, _ = get(gen, "responseJsonSchema").(map[string]any)
			if t.Schema == nil {
				t.Schema, _ = get(gen, "responseSchema").(map[string]any)
			}
		}
	}
	contents, _ := get(b, "contents").([]any)
	var user strings.Builder
	for i, raw := range contents {
		c, _ := raw.(map[string]any)
		if c["role"] == "model" {
			continue
		}
		parts, _ := c["parts"].([]any)
		for _, rp := range parts {
			p, _ := rp.(map[string]any)
			if s, ok := p["text"].(string); ok {
				user.WriteString(s + "\n")
			}
			if fr, ok := get(p, "functionResponse").(map[string]any); ok && i == len(contents)-1 {
				t.HasResult = true
				out, _ := json.Marshal(fr["response"])
				t.ToolResult = append(t.ToolResult, string(out))
			}
		}
	}
	t.UserText = user.String()
	return t
}
