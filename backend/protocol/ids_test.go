package protocol

import (
	"regexp"
	"strings"
	"testing"
)

var anthropicToolID = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

func TestToolIDCarriesASignature(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, id, sig string }{
		{"a Gemini signature (base64 with + / and padding)", "call_resp1_0", "EnoKeAHR7aJ9tv+/4A=="},
		{"base64 that is not canonical", "call_resp1_0", "CiQBcsjafE+/9Xk2hw1k+Q0=="},
		{"a signature that is not base64", "toolu_01", "sig-abc.def"},
		{"an unpadded base64 signature", "call_x_1", "AAAA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			joined := JoinToolID(c.id, c.sig)
			if !anthropicToolID.MatchString(joined) {
				t.Errorf("joined id %q is not a valid Anthropic tool id", joined)
			}
			if base, sig := SplitToolID(joined); base != c.id || sig != c.sig {
				t.Errorf("split %q = %q, %q; want %q, %q", joined, base, sig, c.id, c.sig)
			}
		})
	}
	t.Run("no signature, no change", func(t *testing.T) {
		t.Parallel()
		if got := JoinToolID("toolu_01", ""); got != "toolu_01" {
			t.Errorf("got %q", got)
		}
		if base, sig := SplitToolID("toolu_01"); base != "toolu_01" || sig != "" {
			t.Errorf("split = %q, %q", base, sig)
		}
	})
	t.Run("an id that holds the marker already is left whole", func(t *testing.T) {
		t.Parallel()
		if got := JoinToolID("x__sigma", "AAAA"); got != "x__sigma" {
			t.Errorf("got %q", got)
		}
		if base, sig := SplitToolID("x__sig_!!"); base != "x__sig_!!" || sig != "" {
			t.Errorf("a marker with no valid signature split into %q, %q", base, sig)
		}
	})
	t.Run("an oversized signature is not carried", func(t *testing.T) {
		t.Parallel()
		if got := JoinToolID("c", strings.Repeat("A", maxSignedID)); got != "c" {
			t.Errorf("got an id of %d bytes", len(got))
		}
	})
}

// FuzzToolIDSignature checks that any signature survives the round trip
// through a client's tool id, for any id without the marker.
func FuzzToolIDSignature(f *testing.F) {
	f.Add("call_resp_0", "CiQBcsjafE+/9Xk2hw1k+Q0==")
	f.Add("toolu_01A", "not base64 at all")
	f.Add("", "AA==")
	f.Fuzz(func(t *testing.T, id, sig string) {
		if strings.Contains(id, sigPrefix) {
			return
		}
		joined := JoinToolID(id, sig)
		base, got := SplitToolID(joined)
		if joined == id {
			if got != "" && sig != "" {
				t.Fatalf("an id that carries nothing split into %q, %q", base, got)
			}
			return
		}
		if base != id || got != sig {
			t.Fatalf("JoinToolID(%q, %q) = %q splits into %q, %q", id, sig, joined, base, got)
		}
		if anthropicToolID.MatchString(id) && !anthropicToolID.MatchString(joined) {
			t.Fatalf("%q is no longer a valid Anthropic tool id", joined)
		}
	})
}

func TestHasSignedToolID(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]bool{
		`{"call_id":"` + JoinToolID("call_1", "EnoKeAHR7aJ9tv+/4A==") + `"}`: true,
		`{"call_id":"` + JoinToolID("call_1", "not base64") + `"}`:           true,
		`{"call_id":"call_1"}`:       false,
		`{"text":"a __signal word"}`: false,
	} {
		if got := HasSignedToolID([]byte(body)); got != want {
			t.Errorf("HasSignedToolID(%s) = %v, want %v", body, got, want)
		}
	}
}
