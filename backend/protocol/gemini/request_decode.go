package gemini

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// field reads a key in either spelling the Gemini API accepts: the
// camelCase of its JSON reference or the snake_case of its REST examples.
func field(r gjson.Result, camel string) gjson.Result {
	if v := r.Get(camel); v.Exists() {
		return v
	}
	return r.Get(snake(camel))
}

func snake(camel string) string {
	var b strings.Builder
	for _, c := range camel {
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

// decodeRequest reads a Gemini client request into the neutral model.
func decodeRequest(body []byte) (*protocol.Request, error) {
	if !gjson.ValidBytes(body) {
		return nil, fmt.Errorf("request body is not valid JSON")
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return nil, fmt.Errorf("request body must be a JSON object")
	}
	req := &protocol.Request{}
	if sys := field(root, "systemInstruction"); sys.Exists() {
		blocks, err := decodeSystem(sys)
		if err != nil {
			return nil, err
		}
		req.System = blocks
	}
	contents := root.Get("contents")
	if !contents.IsArray() {
		return nil, fmt.Errorf("contents must be an array of {role, parts}")
	}
	d := requestDecoder{answered: map[string]bool{}}
	var err error
	contents.ForEach(func(i, c gjson.Result) bool {
		err = d.content(int(i.Int()), c)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	req.Messages = d.msgs
	if err := decodeTools(root, req); err != nil {
		return nil, err
	}
	if err := decodeGenerationConfig(field(root, "generationConfig"), req); err != nil {
		return nil, err
	}
	return req, nil
}

// decodeSystem accepts a Content ({parts:[{text}]}) or, leniently, a string.
func decodeSystem(sys gjson.Result) ([]protocol.Block, error) {
	if sys.Type == gjson.String {
		return []protocol.Block{{Type: protocol.BlockText, Text: sys.Str}}, nil
	}
	parts := sys.Get("parts")
	if !parts.IsArray() {
		return nil, fmt.Errorf("systemInstruction must be {parts:[{text}]}")
	}
	var blocks []protocol.Block
	for i, p := range parts.Array() {
		t := p.Get("text")
		if t.Type != gjson.String {
			return nil, fmt.Errorf("systemInstruction.parts[%d] must be a text part", i)
		}
		blocks = append(blocks, protocol.Block{Type: protocol.BlockText, Text: t.Str})
	}
	return blocks, nil
}

// pendingCall is a function call not yet answered, for pairing
// functionResponses that carry no id.
type pendingCall struct{ id, name string }

// requestDecoder walks the contents, numbering calls across the whole
// conversation so generated ids are the same every time the client resends
// it (docs/CONVERSION.md, rule 14).
type requestDecoder struct {
	msgs     []protocol.Message
	calls    int
	pending  []pendingCall
	answered map[string]bool
}

func (d *requestDecoder) content(i int, c gjson.Result) error {
	if !c.IsObject() {
		return fmt.Errorf("contents[%d] must be an object", i)
	}
	var role protocol.Role
	switch r := c.Get("role").String(); r {
	case "", "user", "function", "tool":
		role = protocol.RoleUser
	case "model", "assistant":
		role = protocol.RoleAssistant
	default:
		return fmt.Errorf("contents[%d].role %q is not user or model", i, r)
	}
	parts := c.Get("parts")
	if !parts.IsArray() {
		return fmt.Errorf("contents[%d].parts must be an array", i)
	}
	var results, blocks []protocol.Block
	for j, p := range parts.Array() {
		where := fmt.Sprintf("contents[%d].parts[%d]", i, j)
		b, err := d.part(where, p, role)
		if err != nil {
			return err
		}
		if b == nil {
			continue
		}
		if b.Type == protocol.BlockToolResult {
			results = append(results, *b) // tool results lead their turn, as Anthropic requires
		} else {
			blocks = append(blocks, *b)
		}
	}
	all := append(results, blocks...)
	if len(all) == 0 {
		return nil
	}
	if n := len(d.msgs); n > 0 && d.msgs[n-1].Role == role {
		d.msgs[n-1].Content = append(d.msgs[n-1].Content, all...)
		return nil
	}
	d.msgs = append(d.msgs, protocol.Message{Role: role, Content: all})
	return nil
}

func (d *requestDecoder) part(where string, p gjson.Result, role protocol.Role) (*protocol.Block, error) {
	if !p.IsObject() {
		return nil, fmt.Errorf("%s must be an object", where)
	}
	sig := field(p, "thoughtSignature").String()
	if fc := field(p, "functionCall"); fc.Exists() {
		return d.functionCall(where, fc, sig)
	}
	if fr := field(p, "functionResponse"); fr.Exists() {
		return d.functionResponse(where, fr)
	}
	if blob := field(p, "inlineData"); blob.Exists() {
		mt, data := field(blob, "mimeType").String(), blob.Get("data").String()
		if mt == "" || data == "" {
			return nil, fmt.Errorf("%s.inlineData needs mimeType and data", where)
		}
		return &protocol.Block{Type: mediaType(mt), MediaType: mt, Data: data}, nil
	}
	if fd := field(p, "fileData"); fd.Exists() {
		uri, mt := field(fd, "fileUri").String(), field(fd, "mimeType").String()
		if uri == "" {
			return nil, fmt.Errorf("%s.fileData needs fileUri", where)
		}
		return &protocol.Block{Type: mediaType(mt), MediaType: mt, URL: uri}, nil
	}
	text := p.Get("text")
	if text.Exists() && text.Type != gjson.String {
		return nil, fmt.Errorf("%s.text must be a string", where)
	}
	if p.Get("thought").Bool() {
		if text.Str == "" && sig == "" {
			return nil, nil
		}
		return &protocol.Block{Type: protocol.BlockThinking, Thinking: text.Str, Signature: sig}, nil
	}
	if text.Exists() && (text.Str != "" || sig != "") {
		return &protocol.Block{Type: protocol.BlockText, Text: text.Str, Signature: sig}, nil
	}
	return nil, nil // empty text, executableCode and other parts Routex does not carry
}

func mediaType(mime string) protocol.BlockType {
	if strings.HasPrefix(mime, "image/") {
		return protocol.BlockImage
	}
	return protocol.BlockDocument
}

func (d *requestDecoder) functionCall(where string, fc gjson.Result, sig string) (*protocol.Block, error) {
	name := fc.Get("name")
	if name.Type != gjson.String || name.Str == "" {
		return nil, fmt.Errorf("%s.functionCall.name must be a non-empty string", where)
	}
	args := fc.Get("args")
	input := json.RawMessage("{}")
	if args.Exists() && args.Type != gjson.Null {
		if !args.IsObject() {
			return nil, fmt.Errorf("%s.functionCall.args must be an object", where)
		}
		input = json.RawMessage(args.Raw)
	}
	id := fc.Get("id").String()
	if id == "" {
		id = "call_" + name.Str + "_" + strconv.Itoa(d.calls)
	}
	d.calls++
	d.pending = append(d.pending, pendingCall{id: id, name: name.Str})
	return &protocol.Block{Type: protocol.BlockToolUse, ID: id, Name: name.Str, Input: input, Signature: sig}, nil
}

// functionResponse pairs a response with its call: by id when it has one,
// else with the earliest unanswered call of the same name.
func (d *requestDecoder) functionResponse(where string, fr gjson.Result) (*protocol.Block, error) {
	name := fr.Get("name").String()
	id := fr.Get("id").String()
	match := -1
	for i, c := range d.pending {
		if (id != "" && c.id == id) || (id == "" && c.name == name) {
			match = i
			break
		}
	}
	switch {
	case match >= 0:
		id = d.pending[match].id
		d.pending = append(d.pending[:match], d.pending[match+1:]...)
	case id == "":
		if name == "" {
			return nil, fmt.Errorf("%s.functionResponse needs a name or an id", where)
		}
		id = "call_" + name + "_" + strconv.Itoa(d.calls) // no call to answer: still unique
		d.calls++
	}
	b := &protocol.Block{Type: protocol.BlockToolResult, ToolUseID: id}
	resp := fr.Get("response")
	switch {
	case resp.IsObject():
		out, errText := resp.Get("output"), resp.Get("error")
		switch {
		case errText.Exists() && len(resp.Map()) == 1:
			b.IsError = true
			b.Content = append(b.Content, textBlock(errText))
		case out.Exists() && len(resp.Map()) == 1:
			b.Content = append(b.Content, textBlock(out))
		case len(resp.Map()) > 0:
			b.Content = append(b.Content, protocol.Block{Type: protocol.BlockText, Text: resp.Raw})
		}
	case resp.Exists() && resp.Type != gjson.Null:
		b.Content = append(b.Content, textBlock(resp))
	}
	for i, p := range fr.Get("parts").Array() {
		blob := field(p, "inlineData")
		mt, data := field(blob, "mimeType").String(), blob.Get("data").String()
		if mt == "" || data == "" {
			return nil, fmt.Errorf("%s.functionResponse.parts[%d] needs inlineData with mimeType and data", where, i)
		}
		b.Content = append(b.Content, protocol.Block{Type: mediaType(mt), MediaType: mt, Data: data})
	}
	return b, nil
}

// textBlock keeps a string as it is and any other JSON value as its text.
func textBlock(v gjson.Result) protocol.Block {
	if v.Type == gjson.String {
		return protocol.Block{Type: protocol.BlockText, Text: v.Str}
	}
	return protocol.Block{Type: protocol.BlockText, Text: v.Raw}
}
