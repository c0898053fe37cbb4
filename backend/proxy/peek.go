package proxy

import (
	"bytes"
	"io"

	"github.com/tidwall/gjson"
)

// maxPeek bounds how much of a stream is read before the first event ends.
const maxPeek = 1 << 20

// peekFirstEvent reads a stream up to the end of its first SSE event (the
// first blank line) and reports whether that event is an error, in any of
// the three formats. An upstream that fails this early has sent the client
// nothing yet, so the request can still move to another channel.
func peekFirstEvent(r io.Reader) (head []byte, errMsg string, err error) {
	buf := make([]byte, 0, 4096)
	chunk := make([]byte, 4096)
	for {
		if end := eventEnd(buf); end >= 0 {
			return buf, errorIn(buf[:end]), nil
		}
		if len(buf) >= maxPeek {
			return buf, "", nil
		}
		n, rerr := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if rerr != nil {
			if end := eventEnd(buf); end >= 0 {
				return buf, errorIn(buf[:end]), nil
			}
			if rerr == io.EOF && len(buf) > 0 {
				return buf, errorIn(buf), nil
			}
			return buf, "", rerr
		}
	}
}

// eventEnd finds the blank line that ends the first event (LF or CRLF).
func eventEnd(b []byte) int {
	if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
		return i
	}
	return bytes.Index(b, []byte("\r\n\r\n"))
}

// errorIn returns the message of an error event (Anthropic "event: error",
// a data line whose JSON carries a top-level "error", a Responses
// response.failed), "" otherwise.
func errorIn(event []byte) string {
	isError := false
	var msg string
	for _, line := range bytes.Split(event, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		switch {
		case bytes.Equal(bytes.TrimSpace(line), []byte("event: error")):
			isError = true
		case bytes.HasPrefix(line, []byte("data:")):
			data := bytes.TrimSpace(line[5:])
			if gjson.GetBytes(data, "type").Str == "response.failed" {
				// A Responses stream that fails before any output.
				isError = true
				msg = gjson.GetBytes(data, "response.error.message").String()
			} else if e := gjson.GetBytes(data, "error"); e.Exists() {
				isError = true
				msg = e.Get("message").String()
				if msg == "" && e.Type == gjson.String {
					msg = e.Str
				}
			}
		}
	}
	if !isError {
		return ""
	}
	if msg == "" {
		msg = "upstream sent an error event"
	}
	return msg
}
