package proxy_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/store"
)

// getModels calls GET /v1/models with the access key and, when version is
// not "", the anthropic-version header Claude Code and the Anthropic SDK send.
func (te *testEngine) getModels(t *testing.T, query, version string) (int, gjson.Result) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, te.url+"/v1/models"+query, nil)
	req.Header.Set("Authorization", "Bearer "+testAccessKey)
	if version != "" {
		req.Header.Set("Anthropic-Version", version)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, gjson.ParseBytes(raw)
}

func ids(list gjson.Result) []string {
	var out []string
	for _, m := range list.Get("data").Array() {
		out = append(out, m.Get("id").Str)
	}
	return out
}

func TestModelsInAnthropicShapeForClaudeCodesDiscovery(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	glm := te.addChannel(t, store.Channel{Name: "glm", BaseURL: "http://127.0.0.1:1",
		ModelMap: map[string]string{"claude-sonnet-4-5": "glm-5.2", "claude-haiku-4-5": "glm-4.5-air"}})
	// No declared models: the list its provider last gave is listed.
	if err := te.e.Store().SetChannelModels(context.Background(), glm.ID, []string{"glm-5.2", "glm-4.5-air"}, ""); err != nil {
		t.Fatal(err)
	}
	te.addChannel(t, store.Channel{Name: "ds", Type: "openai", BaseURL: "http://127.0.0.1:1/v1", Models: []string{"deepseek-v4-flash"}, Priority: 2})

	status, list := te.getModels(t, "?limit=1000", "2023-06-01")
	want := []string{"claude-haiku-4-5", "claude-sonnet-4-5", "glm-5.2", "glm-4.5-air", "deepseek-v4-flash",
		"glm,glm-5.2", "glm,glm-4.5-air", "ds,deepseek-v4-flash"}
	if status != 200 || strings.Join(ids(list), " ") != strings.Join(want, " ") {
		t.Fatalf("status %d, ids %v, want %v\n%s", status, ids(list), want, list.Raw)
	}
	first := list.Get("data.0")
	if first.Get("type").Str != "model" || first.Get("display_name").Str != "claude-haiku-4-5 → glm-4.5-air (glm)" ||
		!strings.HasSuffix(first.Get("created_at").Str, "Z") || first.Get("object").Exists() {
		t.Errorf("first entry: %s", first.Raw)
	}
	if list.Get("has_more").Bool() || list.Get("first_id").Str != "claude-haiku-4-5" || list.Get("last_id").Str != "ds,deepseek-v4-flash" || list.Get("object").Exists() {
		t.Errorf("envelope: %s", list.Raw)
	}

	// Pages as Anthropic's API pages them: 20 by default, after_id, before_id.
	_, p1 := te.getModels(t, "?limit=3", "2023-06-01")
	if got := ids(p1); strings.Join(got, " ") != strings.Join(want[:3], " ") || !p1.Get("has_more").Bool() || p1.Get("last_id").Str != want[2] {
		t.Errorf("page 1: %s", p1.Raw)
	}
	_, p2 := te.getModels(t, "?limit=3&after_id="+want[2], "2023-06-01")
	if got := ids(p2); strings.Join(got, " ") != strings.Join(want[3:6], " ") || !p2.Get("has_more").Bool() {
		t.Errorf("page 2: %s", p2.Raw)
	}
	_, p3 := te.getModels(t, "?limit=3&after_id="+want[5], "2023-06-01")
	if got := ids(p3); strings.Join(got, " ") != strings.Join(want[6:], " ") || p3.Get("has_more").Bool() {
		t.Errorf("page 3: %s", p3.Raw)
	}
	_, back := te.getModels(t, "?limit=2&before_id="+want[3], "2023-06-01")
	if got := ids(back); strings.Join(got, " ") != strings.Join(want[1:3], " ") {
		t.Errorf("before_id page: %s", back.Raw)
	}
	_, none := te.getModels(t, "?after_id=no-such-model", "2023-06-01")
	if len(none.Get("data").Array()) != 0 || none.Get("has_more").Bool() {
		t.Errorf("an unknown cursor: %s", none.Raw)
	}
	status, bad := te.getModels(t, "?limit=5000", "2023-06-01")
	if status != 400 || bad.Get("type").Str != "error" || !strings.Contains(bad.Get("error.message").Str, "limit") {
		t.Errorf("limit 5000: %d %s", status, bad.Raw)
	}

	// Without anthropic-version: OpenAI's shape, the whole list.
	_, oa := te.getModels(t, "", "")
	if oa.Get("object").Str != "list" || len(oa.Get("data").Array()) != len(want) || oa.Get("data.0.owned_by").Str != "glm" ||
		oa.Get("data.0.object").Str != "model" || oa.Get("has_more").Exists() {
		t.Errorf("OpenAI shape: %s", oa.Raw)
	}
}
