package api_test

import (
	"net/http"
	"testing"

	"github.com/routex-app/routex/backend/importer"
)

// TestImporterResponsesTypeIsOneTheAPITakes keeps `routex import` in step
// with the channel types: Codex (Responses API) providers come in as
// importer.ResponsesChannelType, which must be a type this API accepts,
// and must be "openai-responses" as soon as the API accepts that type.
func TestImporterResponsesTypeIsOneTheAPITakes(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	r := a.do("POST", "/api/channels", `{"name":"resp","type":"openai-responses","base_url":"https://api.openai.com/v1","api_key":"sk-x"}`)
	hasResponses := r.status == http.StatusCreated
	if hasResponses && importer.ResponsesChannelType != "openai-responses" {
		t.Fatalf("the API takes openai-responses channels now: set importer.ResponsesChannelType to it (it is %q) and rewrite the importer's golden plans with -update",
			importer.ResponsesChannelType)
	}
	r = a.do("POST", "/api/channels", `{"name":"imported","type":"`+importer.ResponsesChannelType+`","base_url":"https://api.openai.com/v1","api_key":"sk-x"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("importer.ResponsesChannelType %q is not a type the API takes: %d %s", importer.ResponsesChannelType, r.status, r.raw)
	}
}
