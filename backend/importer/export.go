package importer

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/credit"
	"github.com/routex-app/routex/backend/store"
)

// ExportChannel is a stored channel as an export lists it: keys, header
// values (any may be a credential), balance-query credentials and a
// base_url's password only withKeys.
func ExportChannel(c store.Channel, withKeys bool) Channel {
	e := Channel{Name: c.Name, Type: c.Type, BaseURL: c.BaseURL, Models: c.Models, ModelMap: c.ModelMap,
		Priority: c.Priority, Weight: c.Weight, Enabled: c.Enabled, TimeoutMS: c.TimeoutMS,
		Headers: map[string]string{}, Transformers: json.RawMessage("[]")}
	if e.Models == nil {
		e.Models = []string{}
	}
	if e.ModelMap == nil {
		e.ModelMap = map[string]string{}
	}
	if len(c.Transformers) > 0 {
		e.Transformers = c.Transformers
	}
	if !c.ClaudeModels.IsZero() {
		if b, err := json.Marshal(c.ClaudeModels); err == nil {
			json.Unmarshal(b, &e.ClaudeModels)
		}
	}
	e.BalanceQuery = exportQuery(c.BalanceQuery, withKeys)
	if !withKeys {
		e.BaseURL = withoutPassword(c.BaseURL)
		return e
	}
	e.APIKey = c.APIKey
	if len(c.APIKeys) > 1 {
		e.APIKey, e.APIKeys = "", c.APIKeys
	}
	for k, v := range c.Headers {
		e.Headers[k] = v
	}
	return e
}

// withoutPassword drops the password of a URL's userinfo, keeping the
// user name, for an export without keys.
func withoutPassword(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); !has {
		return raw
	}
	u.User = url.User(u.User.Username())
	return u.String()
}

// exportQuery is a channel's balance query as an export writes it: without
// keys, header values that are not just the channel's key ({{key}}) are
// left out, as the channel's own header values are.
func exportQuery(raw json.RawMessage, withKeys bool) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	q, err := credit.ParseQuery(raw)
	if err != nil || withKeys {
		return raw
	}
	for k, v := range q.Headers {
		if !strings.Contains(v, "{{key}}") {
			delete(q.Headers, k)
		}
	}
	b, err := json.Marshal(q)
	if err != nil {
		return nil
	}
	return b
}

// keepSecretQueryHeaders puts back the balance query's header values that
// an export without keys left out, when the imported query asks the same
// URL as the stored one.
func keepSecretQueryHeaders(stored json.RawMessage, ch *Channel) {
	if len(ch.BalanceQuery) == 0 || len(stored) == 0 {
		return
	}
	in, err1 := credit.ParseQuery(ch.BalanceQuery)
	old, err2 := credit.ParseQuery(stored)
	if err1 != nil || err2 != nil || in.URL != old.URL {
		return
	}
	for k, v := range old.Headers {
		if _, ok := in.Headers[k]; !ok {
			if in.Headers == nil {
				in.Headers = map[string]string{}
			}
			in.Headers[k] = v
		}
	}
	if b, err := json.Marshal(in); err == nil {
		ch.BalanceQuery = b
	}
}

// NewExport is the export of chs (read from the store: the API never shows
// keys), a GET /api/routes document and the user's own prices (nil: none).
func NewExport(version string, chs []store.Channel, routes, prices json.RawMessage, withKeys bool) Export {
	doc := Export{Format: ExportFormat, ExportedAt: time.Now().UTC().Truncate(time.Second), Version: version,
		Routes: routes, Prices: prices, Channels: make([]Channel, 0, len(chs))}
	for _, ch := range chs {
		doc.Channels = append(doc.Channels, ExportChannel(ch, withKeys))
	}
	return doc
}

// ReadBytes reads a file's content as Read reads a file, for an upload
// (the dashboard's import): the kind is recognised by content, and a
// cc-switch database goes through a private temporary copy.
func ReadBytes(name string, data []byte) (Plan, error) {
	return readBytes(name, data)
}
