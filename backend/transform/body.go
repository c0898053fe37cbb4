package transform

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/openai"
)

// errNotObject is returned when a body step gets a body that is not a JSON
// object, which only a bug in the encoder can cause.
var errNotObject = errors.New("upstream body is not a JSON object")

// streamOptions asks an OpenAI-compatible upstream for the usage chunk at
// the end of a stream (stream_options.include_usage), without which the
// request log has no token counts. Other formats report usage anyway.
type streamOptions struct{}

func (streamOptions) name() string { return "streamoptions" }

func (streamOptions) body(f protocol.Format, body []byte) ([]byte, error) {
	// The stream flag is read by the format's one request reader, as routing reads it.
	if f != protocol.OpenAI || !openai.ReadRequestFacts(body, protocol.FactsOptions{Detail: protocol.FactsTop}).Stream {
		return body, nil
	}
	so := gjson.GetBytes(body, "stream_options")
	if so.Get("include_usage").Bool() {
		return body, nil
	}
	if !isJSONObject(body) {
		return nil, fmt.Errorf("streamoptions: %w", errNotObject)
	}
	if so.Exists() && !so.IsObject() {
		return sjson.SetRawBytes(body, "stream_options", []byte(`{"include_usage":true}`))
	}
	return sjson.SetBytes(body, "stream_options.include_usage", true)
}

// customParams deep-merges fixed JSON into the upstream body, for the
// provider switches no format knows: {"enable_thinking": false} for Qwen,
// {"provider": {"order": [...]}} for OpenRouter. Objects merge key by key;
// any other value replaces what is there; null deletes the key. The body
// is patched in place of a full decode, so fields the step does not name
// stay byte for byte.
type customParams struct{ params gjson.Result }

func buildCustomParams(o *options) step {
	if !o.require("params", `{"params": {"enable_thinking": false}}`) {
		return nil
	}
	raw, _ := o.get("params")
	if !isObject(raw) || !gjson.ValidBytes(raw) {
		o.fail("params", "must be a JSON object")
		return nil
	}
	params := gjson.ParseBytes(raw)
	checkParamKeys(o, "params", params)
	return customParams{params: params}
}

// checkParamKeys rejects keys that sjson paths cannot name safely.
func checkParamKeys(o *options, path string, v gjson.Result) {
	v.ForEach(func(k, val gjson.Result) bool {
		if !simpleKey(k.Str) {
			o.fail(path, "key %q: use letters, digits, '_', '-', '.' and '/' only", k.Str)
		} else if val.IsObject() {
			checkParamKeys(o, path+"."+k.Str, val)
		}
		return true
	})
}

func simpleKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_-./", c) >= 0) {
			return false
		}
	}
	return true
}

func (customParams) name() string { return "customparams" }

func (s customParams) body(_ protocol.Format, body []byte) ([]byte, error) {
	if !isJSONObject(body) {
		return nil, fmt.Errorf("customparams: %w", errNotObject)
	}
	body, err := merge(body, "", "", s.params)
	if err != nil {
		return nil, fmt.Errorf("customparams: %w", err)
	}
	return body, nil
}

// merge merges the object params into the object in body at the path
// spelled gpath for gjson and spath for sjson (they differ for numeric keys).
func merge(body []byte, gpath, spath string, params gjson.Result) ([]byte, error) {
	var err error
	params.ForEach(func(k, v gjson.Result) bool {
		g, s := strings.ReplaceAll(k.Str, ".", `\.`), sjsonKey(k.Str)
		if gpath != "" {
			g, s = gpath+"."+g, spath+"."+s
		}
		switch {
		case v.Type == gjson.Null:
			body, err = sjson.DeleteBytes(body, s)
		case v.IsObject() && gjson.GetBytes(body, g).IsObject():
			body, err = merge(body, g, s, v)
		default:
			body, err = sjson.SetRawBytes(body, s, []byte(v.Raw))
		}
		return err == nil
	})
	return body, err
}

// sjsonKey writes an object key as one sjson path element: dots escaped,
// and a leading ':' so that a numeric key names an object key, not an
// array index.
func sjsonKey(k string) string {
	k = strings.ReplaceAll(k, ".", `\.`)
	if k[0] >= '0' && k[0] <= '9' {
		return ":" + k
	}
	return k
}

// isJSONObject checks the first byte only: the encoder made the body, and
// a full validation would cost a pass over every request.
func isJSONObject(body []byte) bool {
	for _, c := range body {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
	return false
}
