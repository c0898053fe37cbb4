package api_test

import (
	"net/http"
	"testing"

	"github.com/routex-app/routex/backend/importer"
)

// TestImporterResponsesTypeIsOneTheAPITakes keeps `routex import` in step
// with the channel types: Codex (Responses API) providers come in as
// importer.ResponsesChannelType, which must be a type this API accepts.
func TestImporterResponsesTypeIsOneTheAPITakes(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	r := a.do("POST", "/api/channels", `{"name":"imported","type":"`+importer.ResponsesChannelType+`","base_url":"https://api.openai.com/v1","api_key":"sk-x"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("importer.ResponsesChannelType %q is not a type the API takes: %d %s", importer.ResponsesChannelType, r.status, r.raw)
	}
}
