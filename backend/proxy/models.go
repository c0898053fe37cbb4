package proxy

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/routex-app/routex/backend/keys"
)

// modelEntry carries both the OpenAI and the Anthropic shape of a model, so
// one answer serves either kind of client.
type modelEntry struct {
	ID          string `json:"id"`
	Object      string `json:"object"`
	Type        string `json:"type"`
	DisplayName string `json:"display_name"`
	Created     int64  `json:"created"`
	CreatedAt   string `json:"created_at"`
	OwnedBy     string `json:"owned_by"`
}

// models lists the models of enabled channels, each once, in priority order.
func (h *Handler) models(w http.ResponseWriter, r *http.Request) {
	cat := h.catalog.Catalog()
	key := keyOf(r) // a key per person sees the models it may use
	var ids []string
	owner := map[string]string{}
	var created = map[string]time.Time{}
	for _, ch := range cat.Channels {
		if !ch.Enabled {
			continue
		}
		names := append([]string(nil), ch.Models...)
		for k := range ch.ModelMap {
			names = append(names, k)
		}
		slices.Sort(names[len(ch.Models):]) // map order is random; keep answers stable
		for _, m := range names {
			if key != nil && (!keys.AllowsModel(key, m) || !keys.AllowsChannel(key, ch.Name)) {
				continue
			}
			if _, seen := owner[m]; !seen && m != "" {
				ids = append(ids, m)
				owner[m] = ch.Name
				created[m] = ch.CreatedAt
			}
		}
	}
	data := make([]modelEntry, 0, len(ids))
	for _, id := range ids {
		t := created[id].UTC()
		data = append(data, modelEntry{
			ID: id, Object: "model", Type: "model", DisplayName: id,
			Created: t.Unix(), CreatedAt: t.Format(time.RFC3339), OwnedBy: owner[id],
		})
	}
	out := map[string]any{"object": "list", "data": data, "has_more": false}
	if len(data) > 0 {
		out["first_id"], out["last_id"] = data[0].ID, data[len(data)-1].ID
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
