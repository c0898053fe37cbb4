package protocol

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestHollowAndSplice(t *testing.T) {
	t.Parallel()
	img := strings.Repeat("iVBORw0KGgoAAAANSUhEUgAA", 4000) // 96000 bytes of base64
	small := strings.Repeat("QUJD", 100)
	text := strings.Repeat("a long prompt line\\n", 4000)
	body := []byte(`{"model":"m","messages":[{"role":"user","content":[` +
		`{"type":"image","source":{"type":"base64","media_type":"image/png","data":"` + img + `"}},` +
		`{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,` + img + `"}},` +
		`{"type":"image","source":{"type":"base64","media_type":"image/png","data":"` + small + `"}},` +
		`{"type":"text","text":"` + text + `"}]}],"` + img + `":1}`)
	if !json.Valid(body) {
		t.Fatal("test body is not JSON")
	}
	skel, blobs := Hollow(body)
	if blobs == nil || len(blobs.spans) != 2 {
		t.Fatalf("cut %v, want the two long base64 values (not the short one, the text or the key)", blobs)
	}
	if !json.Valid(skel) {
		t.Fatalf("the hollowed body is not JSON: %.300s", skel)
	}
	if len(skel) > len(body)-2*len(img)+2*(blobHead+64) {
		t.Errorf("hollowed body is %d bytes of %d", len(skel), len(body))
	}
	for _, kept := range []string{"data:image/jpeg;base64,iVBOR", small, text} {
		if !bytes.Contains(skel, []byte(kept)) {
			t.Errorf("the hollowed body lost %.40q", kept)
		}
	}
	// Decoding and re-encoding moves the placeholders into a new document;
	// Splice restores the data there, once per placeholder, repeats included.
	var doc struct {
		Messages []struct {
			Content []struct {
				Source   *struct{ Data string } `json:"source"`
				ImageURL *struct{ URL string }  `json:"image_url"`
			} `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(skel, &doc); err != nil {
		t.Fatal(err)
	}
	parts := doc.Messages[0].Content
	re, _ := json.Marshal(map[string]any{"a": parts[0].Source.Data, "b": []string{parts[1].ImageURL.URL, parts[1].ImageURL.URL}})
	out := blobs.Splice(re)
	var got struct {
		A string
		B []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("spliced body: %v", err)
	}
	if got.A != img || len(got.B) != 2 || got.B[0] != "data:image/jpeg;base64,"+img || got.B[1] != got.B[0] {
		t.Errorf("spliced values differ from the originals (a %d bytes, b %v)", len(got.A), len(got.B))
	}
	if cap(out) != len(out) {
		t.Errorf("splice allocated %d for %d bytes", cap(out), len(out))
	}

	// Small bodies, escaped strings and keys are left alone.
	for _, b := range []string{`{"a":"` + small + `"}`, `{"a":"` + strings.Repeat(`ab\/cd`, 20000) + `"}`} {
		if s, bl := Hollow([]byte(b)); bl != nil || !bytes.Equal(s, []byte(b)) {
			t.Errorf("Hollow changed %.40q", b)
		}
	}
	if out := (*Blobs)(nil).Splice([]byte("x")); string(out) != "x" {
		t.Error("a nil Blobs changed the output")
	}
}

// The cut never lands inside an escape sequence of the kept head, and
// the round trip gives back the original value.
func TestHollowCutsAfterEscapes(t *testing.T) {
	t.Parallel()
	head := strings.Repeat(`\u00e9`, blobHead/6) + `\/x`
	body := []byte(`{"d":"` + head + strings.Repeat("QUJD", minBlob/4) + `"}`)
	var want map[string]string
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	skel, blobs := Hollow(body)
	if blobs == nil {
		t.Fatal("nothing cut")
	}
	var v map[string]string
	if err := json.Unmarshal(skel, &v); err != nil {
		t.Fatalf("hollowed body: %v", err)
	}
	re, _ := json.Marshal(v)
	var got map[string]string
	if err := json.Unmarshal(blobs.Splice(re), &got); err != nil || got["d"] != want["d"] {
		t.Errorf("round trip: %v, %d bytes of %d", err, len(got["d"]), len(want["d"]))
	}
}
