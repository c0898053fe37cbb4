package channeltest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/provider"
	"github.com/routex-app/routex/backend/store"
)

// maxModelPages bounds how many pages ListModels follows: a provider that
// always says there is more must not keep it busy forever.
const maxModelPages = 20

// ListModels fetches the whole model list of ch's provider with its first
// key, following pagination: Anthropic's has_more and after_id (also
// Anthropic-compatible providers), Gemini's nextPageToken; OpenAI-compatible
// lists (Ollama's /v1/models too) come in one page. The error says what
// to fix, as a connection test would. Safe for concurrent use when client
// is.
func ListModels(ctx context.Context, client *http.Client, ch store.Channel) ([]string, error) {
	if client == nil {
		client = http.DefaultClient
	}
	p := provider.For(ch.Type)
	if p == nil {
		return nil, fmt.Errorf("unknown channel type %q: use anthropic, openai or gemini", ch.Type)
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	t := &tester{client: client, ch: ch, p: p, opts: Options{Timeout: DefaultTimeout, Now: time.Now}, key: ch.Keys()[0]}
	seen := map[string]bool{}
	out := []string{}
	next := t.modelsURL()
	for page := 0; next != "" && page < maxModelPages; page++ {
		x := t.do(ctx, http.MethodGet, next, nil, false)
		if err := listError(t, x); err != nil {
			return nil, err
		}
		for _, m := range parseModels(x.body) {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
		next = nextModelsPage(next, x.body)
	}
	return out, nil
}

// listError says why a model list request failed, nil when it worked.
func listError(t *tester, x exchange) error {
	switch {
	case x.err != nil && !x.httpAnswered():
		return errors.New(t.unreachable(Result{}, x).Message)
	case x.status == 401 || x.status == 403:
		return errors.New(authNote(x).English())
	case x.status == 404:
		return fmt.Errorf("the provider has no model list at %s (HTTP 404): type the models by hand", redactQuery(x.url))
	case x.status/100 != 2:
		return fmt.Errorf("the provider refused the model list (HTTP %d)%s", x.status, detail(upstreamMessage(x.body)))
	case x.err != nil:
		return errors.New("the model list was cut off: " + x.err.Error())
	case !gjson.ValidBytes(x.body):
		return errors.New("the provider's model list is not JSON: check base_url")
	}
	return nil
}

// nextModelsPage is the URL of the next page, "" on the last one.
func nextModelsPage(current string, body []byte) string {
	u, err := url.Parse(current)
	if err != nil {
		return ""
	}
	q := u.Query()
	switch {
	case gjson.GetBytes(body, "has_more").Bool():
		last := gjson.GetBytes(body, "last_id").String()
		if last == "" || last == q.Get("after_id") {
			return ""
		}
		q.Set("after_id", last)
	case gjson.GetBytes(body, "nextPageToken").String() != "":
		tok := gjson.GetBytes(body, "nextPageToken").String()
		if tok == q.Get("pageToken") {
			return ""
		}
		q.Set("pageToken", tok)
	default:
		return ""
	}
	u.RawQuery = q.Encode()
	return u.String()
}
