package proxy

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/routex-app/routex/backend/keys"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/store"
)

// Limits of the Anthropic model list's pages, as Anthropic's own API has
// them: 20 by default, at most 1000 (Claude Code asks for ?limit=1000).
const (
	defaultModelPage = 20
	maxModelPage     = 1000
)

// listedModel is one entry of GET /v1/models.
type listedModel struct {
	id      string
	display string
	owner   string
	created time.Time
}

// models answers GET /v1/models with what the enabled channels serve, in
// three groups: the clients' names from model maps (the claude-… names
// Claude Code's gateway model discovery keeps), then each channel's
// models (declared, else the list its provider last gave), then the
// "channel,model" forms that pin a request to a channel. Each id appears
// once, owned by the first channel in priority order. A client that sends
// anthropic-version gets Anthropic's list shape (type, display_name,
// created_at; has_more, first_id, last_id; limit, after_id, before_id),
// others OpenAI's (object, created, owned_by).
func (h *Handler) models(w http.ResponseWriter, r *http.Request) {
	list := h.listModels(keyOf(r)) // a key per person sees the models it may use
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Anthropic-Version") == "" {
		data := make([]map[string]any, 0, len(list))
		for _, m := range list {
			data = append(data, map[string]any{"id": m.id, "object": "model", "created": m.created.Unix(), "owned_by": m.owner})
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data})
		return
	}
	page, more, ok := anthropicPage(list, r)
	if !ok {
		writeError(w, protocol.Anthropic, http.StatusBadRequest, protocol.InvalidRequest,
			"limit must be a number between 1 and 1000")
		return
	}
	data := make([]map[string]any, 0, len(page))
	for _, m := range page {
		data = append(data, map[string]any{"type": "model", "id": m.id, "display_name": m.display,
			"created_at": m.created.UTC().Format(time.RFC3339)})
	}
	out := map[string]any{"data": data, "has_more": more, "first_id": nil, "last_id": nil}
	if len(page) > 0 {
		out["first_id"], out["last_id"] = page[0].id, page[len(page)-1].id
	}
	json.NewEncoder(w).Encode(out)
}

// anthropicPage cuts one page out of the list as Anthropic's API does:
// after_id starts after that id, before_id ends before it, limit caps the
// page. An unknown cursor gives an empty page.
func anthropicPage(list []listedModel, r *http.Request) ([]listedModel, bool, bool) {
	q := r.URL.Query()
	limit := defaultModelPage
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxModelPage {
			return nil, false, false
		}
		limit = n
	}
	index := func(id string) int {
		return slices.IndexFunc(list, func(m listedModel) bool { return m.id == id })
	}
	start, end := 0, len(list)
	if id := q.Get("after_id"); id != "" {
		if start = index(id) + 1; start == 0 {
			return nil, false, true
		}
	}
	if id := q.Get("before_id"); id != "" {
		i := index(id)
		if i < 0 {
			return nil, false, true
		}
		end = i
		if end-start > limit {
			start = end - limit
		}
	}
	if start > end {
		return nil, false, true
	}
	more := end-start > limit
	if more {
		end = start + limit
	}
	return list[start:end], more, true
}

// listModels gathers the three groups of GET /v1/models; with a key per
// person, only the models and channels that key may use.
func (h *Handler) listModels(key *store.APIKey) []listedModel {
	cat := h.catalog.Catalog()
	var cached map[int64][]string
	if h.opts.ProviderModels != nil {
		cached = h.opts.ProviderModels()
	}
	var out []listedModel
	seen := map[string]bool{}
	add := func(m listedModel, model string) {
		if key != nil && !keys.AllowsModel(key, model) {
			return
		}
		if m.id != "" && !seen[m.id] {
			seen[m.id] = true
			out = append(out, m)
		}
	}
	served := func(ch *store.Channel) []string {
		if len(ch.Models) > 0 {
			return ch.Models
		}
		return cached[ch.ID]
	}
	enabled := make([]*store.Channel, 0, len(cat.Channels))
	for i := range cat.Channels {
		ch := &cat.Channels[i]
		if ch.Enabled && (key == nil || keys.AllowsChannel(key, ch.Name)) {
			enabled = append(enabled, ch)
		}
	}
	for _, ch := range enabled {
		names := make([]string, 0, len(ch.ModelMap))
		for k := range ch.ModelMap {
			names = append(names, k)
		}
		slices.Sort(names) // map order is random; keep answers stable
		for _, k := range names {
			add(listedModel{id: k, display: k + " → " + ch.ModelMap[k] + " (" + ch.Name + ")", owner: ch.Name, created: ch.CreatedAt}, k)
		}
	}
	for _, ch := range enabled {
		for _, m := range served(ch) {
			add(listedModel{id: m, display: m + " (" + ch.Name + ")", owner: ch.Name, created: ch.CreatedAt}, m)
		}
	}
	for _, ch := range enabled {
		for _, m := range served(ch) {
			add(listedModel{id: ch.Name + "," + m, display: m + " on " + ch.Name, owner: ch.Name, created: ch.CreatedAt}, m)
		}
	}
	return out
}
