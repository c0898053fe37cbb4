package importer

import (
	"encoding/json"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// ExportChannel is a stored channel as an export lists it: keys and
// credential headers only withKeys.
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
	if withKeys {
		e.APIKey = c.APIKey
		if len(c.APIKeys) > 1 {
			e.APIKey, e.APIKeys = "", c.APIKeys
		}
	}
	for k, v := range c.Headers {
		if withKeys || !SecretHeader(k) {
			e.Headers[k] = v
		}
	}
	return e
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
