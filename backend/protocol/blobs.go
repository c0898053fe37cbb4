package protocol

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"strconv"
)

// A converted request is decoded into the neutral model and encoded again.
// Done naively, every base64 image is copied at each step (the JSON
// decoder's raw copy, its string, a data: URL built around it, the
// encoder's growing buffer and its final copy): about 7 bytes of memory per
// byte of body, 3.4 GB for 16 requests of 31 MiB. Hollow and Splice keep
// images out of the round trip: the large base64 strings are cut out of the
// body before it is decoded, stand in the neutral model as short
// placeholders, and are copied once, verbatim, into the encoded body. A
// converted request then costs its body plus the body sent upstream.

// Hollowing thresholds.
const (
	// minBlob is the shortest string value cut out: images and documents,
	// never prompts of ordinary size.
	minBlob = 32 << 10
	// blobHead is how much of a cut string stays in place, so decoders
	// still see a data: URL's media type ("data:image/png;base64,…") and
	// the start of the data.
	blobHead = 256
)

// Blobs are the strings Hollow cut out of a body, to be put back by Splice.
// A nil *Blobs cut nothing.
type Blobs struct {
	src   []byte   // the original body, which must not change
	spans [][2]int // the cut part of each string in src, raw (JSON-escaped)
	mark  []byte   // the placeholder prefix: "rxblob" + a random nonce + "x"
}

// placeholder digits: the index of a blob, fixed width.
const blobDigits = 6

// Hollow returns body with the tail of every long base64 string value
// replaced by a placeholder, and what was cut. Bodies too small to hold
// one are returned as they are, with nil. body must not change while the
// Blobs are in use: they point into it.
func Hollow(body []byte) ([]byte, *Blobs) {
	if len(body) < minBlob {
		return body, nil
	}
	var spans [][2]int
	for i := 0; ; {
		q := bytes.IndexByte(body[i:], '"')
		if q < 0 {
			break
		}
		start := i + q + 1
		end, ok := stringEnd(body, start)
		if !ok {
			break
		}
		i = end + 1
		if end-start < minBlob || isKey(body, end+1) {
			continue
		}
		cut := afterHead(body, start)
		if cut < end && isBase64(body[cut:end]) {
			spans = append(spans, [2]int{cut, end})
		}
	}
	if len(spans) == 0 || len(spans) >= 1_000_000 {
		return body, nil
	}
	nonce := make([]byte, 8)
	rand.Read(nonce)
	b := &Blobs{src: body, spans: spans, mark: []byte("rxblob" + hex.EncodeToString(nonce) + "x")}
	size := len(body)
	for _, sp := range spans {
		size += len(b.mark) + blobDigits - (sp[1] - sp[0])
	}
	out := make([]byte, 0, size)
	from := 0
	for k, sp := range spans {
		out = append(out, body[from:sp[0]]...)
		out = b.appendPlaceholder(out, k)
		from = sp[1]
	}
	return append(out, body[from:]...), b
}

// Splice puts the cut strings back where their placeholders are in out (an
// encoded body), in one allocation of the final size. A placeholder may
// have been dropped (a block the target does not take) or repeated.
func (b *Blobs) Splice(out []byte) []byte {
	if b == nil {
		return out
	}
	size, found := len(out), false
	b.each(out, func(_, _, k int) {
		size += b.spans[k][1] - b.spans[k][0] - len(b.mark) - blobDigits
		found = true
	})
	if !found {
		return out
	}
	res := make([]byte, 0, size)
	from := 0
	b.each(out, func(at, next, k int) {
		res = append(res, out[from:at]...)
		res = append(res, b.src[b.spans[k][0]:b.spans[k][1]]...)
		from = next
	})
	return append(res, out[from:]...)
}

// each calls fn for every placeholder in out, with where it starts and
// ends and the blob it stands for.
func (b *Blobs) each(out []byte, fn func(at, next, k int)) {
	for i := 0; ; {
		j := bytes.Index(out[i:], b.mark)
		if j < 0 {
			return
		}
		at := i + j
		digits := at + len(b.mark)
		next := digits + blobDigits
		if next > len(out) {
			return
		}
		k, err := strconv.Atoi(string(out[digits:next]))
		if err != nil || k < 0 || k >= len(b.spans) {
			i = digits
			continue
		}
		fn(at, next, k)
		i = next
	}
}

func (b *Blobs) appendPlaceholder(dst []byte, k int) []byte {
	dst = append(dst, b.mark...)
	n := strconv.Itoa(k)
	for range blobDigits - len(n) {
		dst = append(dst, '0')
	}
	return append(dst, n...)
}

// stringEnd finds the closing quote of the string whose content starts at
// start.
func stringEnd(b []byte, start int) (int, bool) {
	for i := start; i < len(b); {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return 0, false
		}
		q := i + j
		backslashes := 0
		for k := q - 1; k >= start && b[k] == '\\'; k-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q, true
		}
		i = q + 1
	}
	return 0, false
}

// isKey reports whether the string that ended just before i is an object
// key (a colon follows).
func isKey(b []byte, i int) bool {
	for ; i < len(b); i++ {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

// afterHead is where the cut of a string starting at start begins: past
// blobHead bytes of content, never inside an escape sequence.
func afterHead(b []byte, start int) int {
	i := start
	for i < start+blobHead && i < len(b) {
		if b[i] == '\\' {
			if i+1 < len(b) && b[i+1] == 'u' {
				i += 6
			} else {
				i += 2
			}
			continue
		}
		i++
	}
	return i
}

// base64Bytes marks the characters of standard and URL-safe base64.
var base64Bytes = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_") {
		t[c] = true
	}
	return t
}()

// isBase64 reports whether raw string content is plain base64. Content
// with JSON escapes stays in place: a placeholder may land inside a string
// that is itself re-escaped (tool arguments), where escapes would change.
func isBase64(raw []byte) bool {
	for _, c := range raw {
		if !base64Bytes[c] {
			return false
		}
	}
	return true
}
