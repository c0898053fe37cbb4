package transform

import (
	"encoding/json"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/protocol"
)

// maxToken caps max_tokens: providers reject values above their model's
// limit (DeepSeek 8192, many local models less), and clients like Claude
// Code ask for 32000. An absent max_tokens becomes the cap.
type maxToken struct{ max int }

func buildMaxToken(o *options) step {
	if !o.require("max_tokens", `{"max_tokens": 8192}`) {
		return nil
	}
	n, _ := o.positiveInt("max_tokens")
	return maxToken{max: n}
}

func (maxToken) name() string { return "maxtoken" }

func (s maxToken) request(req *protocol.Request) {
	if req.MaxTokens <= 0 || req.MaxTokens > s.max {
		req.MaxTokens = s.max
	}
}

// sampling overrides temperature, top_p and top_k, for models with
// recommended values (DeepSeek R1 wants 0.6) or that refuse some of them
// (reasoning models reject temperature). Only the options given are
// touched; null removes a value.
type sampling struct {
	temperature, topP *float64
	topK              *int
	setTemperature    bool
	setTopP, setTopK  bool
}

func buildSampling(o *options) step {
	var s sampling
	s.temperature, s.setTemperature = o.number("temperature", 0, 2)
	s.topP, s.setTopP = o.number("top_p", 0, 1)
	if raw, ok := o.get("top_k"); ok {
		if isNull(raw) {
			s.setTopK = true
		} else if n, ok := o.positiveInt("top_k"); ok {
			s.topK, s.setTopK = &n, true
		}
	}
	if len(o.raw) == 0 {
		o.errs = append(o.errs, &ConfigError{Path: o.path, Message: `set at least one of "temperature", "top_p", "top_k", e.g. {"temperature": 0.6}`})
	}
	return s
}

func (sampling) name() string { return "sampling" }

func (s sampling) request(req *protocol.Request) {
	if s.setTemperature {
		req.Temperature = copyPtr(s.temperature)
	}
	if s.setTopP {
		req.TopP = copyPtr(s.topP)
	}
	if s.setTopK {
		req.TopK = copyPtr(s.topK)
	}
}

// copyPtr gives the request its own copy, so that a later step or encoder
// changing the value cannot change the shared step.
func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// cleanCache drops every cache_control marker: some Anthropic-compatible
// providers reject the field, and others bill cache writes they never
// read.
type cleanCache struct{}

func (cleanCache) name() string { return "cleancache" }

func (cleanCache) request(req *protocol.Request) {
	clearCache(req.System)
	for i := range req.Messages {
		clearCache(req.Messages[i].Content)
	}
	for i := range req.Tools {
		t := &req.Tools[i]
		t.CacheControl = nil
		if len(t.Raw) > 0 && gjson.GetBytes(t.Raw, "cache_control").Exists() {
			// A server tool's verbatim definition carries its own marker.
			if raw, err := sjson.Delete(string(t.Raw), "cache_control"); err == nil {
				t.Raw = json.RawMessage(raw)
			}
		}
	}
}

func clearCache(blocks []protocol.Block) {
	for i := range blocks {
		blocks[i].CacheControl = nil
		clearCache(blocks[i].Content)
	}
}
