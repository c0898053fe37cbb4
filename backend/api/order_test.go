package api_test

import (
	"net/http"
	"strconv"
	"testing"
)

func TestChannelOrder(t *testing.T) {
	t.Parallel()
	ids := func(a *testAPI) []int64 {
		return []int64{a.createChannel("a", ""), a.createChannel("b", ""), a.createChannel("c", "")}
	}
	list := func(v ...int64) string {
		s := `{"ids":[`
		for i, id := range v {
			if i > 0 {
				s += ","
			}
			s += strconv.FormatInt(id, 10)
		}
		return s + "]}"
	}
	t.Run("priorities follow the order given", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		id := ids(a)
		r := a.do("PUT", "/api/channels/order", list(id[2], id[0], id[1])).want(t, http.StatusOK)
		chs := r.body["channels"].([]any)
		for i, want := range []string{"c", "a", "b"} {
			c := chs[i].(map[string]any)
			if c["name"] != want || c["priority"] != float64(i+1) {
				t.Fatalf("position %d: %v", i, c)
			}
		}
	})
	cases := []struct {
		name  string
		order func(id []int64) []int64
	}{
		{"a missing channel is refused", func(id []int64) []int64 { return id[:2] }},
		{"an unknown channel is refused", func(id []int64) []int64 { return append(id, 999) }},
		{"a repeated channel is refused", func(id []int64) []int64 { return []int64{id[0], id[0], id[1], id[2]} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := newTestAPI(t)
			id := ids(a)
			r := a.do("PUT", "/api/channels/order", list(c.order(id)...)).want(t, http.StatusBadRequest)
			if r.field("ids") == nil {
				t.Fatalf("no field error on ids: %s", r.raw)
			}
			chs := a.do("GET", "/api/channels", "").want(t, 200).body["channels"].([]any)
			if chs[0].(map[string]any)["name"] != "a" {
				t.Fatal("a refused order changed something")
			}
		})
	}
}
